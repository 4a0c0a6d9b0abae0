package dev.jgrad.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Indexing and joining: index_select, gather, scatter_add, pad, cat, stack, split, chunk.
 *
 * <p>Two Backend methods carry them all: {@link Backend#gather} and its adjoint
 * {@link Backend#scatterAdd}, along the middle axis of {@code (outer, r, inner)}. index_select
 * is a gather whose index repeats over outer and inner (zero strides); padding is one gather per
 * padded dimension with an index built on the host ({@code -1} where the constant goes), so its
 * backward is the scatter-add that sums each input element's copies; {@code cat} is one strided
 * copy per input into its window of the output (as fast as a kernel of its own: the copy is the
 * whole work); {@code split} and {@code chunk} are views. Indices are integers stored as floats,
 * checked on the host before any kernel runs (on CUDA that reads them back: one synchronisation).
 */
final class IndexOps {
    private IndexOps() {}

    /** Largest dimension a float index addresses exactly: every integer up to 2^24 is a float. */
    static final int MAX_INDEXED = 1 << 24;

    /** The middle-axis split of {@code shape} at {@code d}: outer, r, inner. */
    private static int[] split3(int[] shape, int d) {
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= shape[i];
        for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
        return new int[] {outer, shape[d], inner};
    }

    /** Throws unless every index is an integer in {@code [0, size)}, naming the op, the position and the value. */
    private static void checkIndices(String op, Tensor index, int dim, int size) {
        if (size > MAX_INDEXED)
            throw new IllegalArgumentException(op + ": dimension " + dim + " has " + size + " elements, more than the "
                    + MAX_INDEXED + " (2^24) that float indices address exactly");
        float[] v = index.toArray();
        for (int i = 0; i < v.length; i++) {
            float x = v[i];
            if (!(x >= 0 && x < size) || x != (int) x)
                throw new IllegalArgumentException(op + ": index " + x + " at position " + Arrays.toString(unravel(index.shape, i))
                        + " of the index " + Shapes.str(index.shape) + " is " + (x == (int) x ? "out of range" : "not an integer")
                        + " for dimension " + dim + " of size " + size);
        }
    }

    private static int[] unravel(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) break;
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    // ---------------------------------------------------------------- index_select, gather, scatter_add

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        ElementwiseOps.sameDevice("indexSelect", x, index);
        if (index.rank() > 1)
            throw new IllegalArgumentException("indexSelect: index " + Shapes.str(index.shape) + " must be 1-D (or a scalar)");
        int d = Shapes.dim("indexSelect", dim, Math.max(1, x.rank()));
        Tensor xs = x.rank() == 0 ? x.reshape(1) : x;
        int[] p = split3(xs.shape, d);
        checkIndices("indexSelect", index, d, p[1]);
        int k = index.numel();
        int[] shape = xs.shape();
        shape[d] = k;
        Tensor xd = xs.dense();
        // the index repeats over outer and inner: strides (0, s, 0)
        StridedView iv = new StridedView(index.buffer(), index.offset, new int[] {0, index.rank() == 0 ? 0 : index.strides[0], 0});
        Tensor out = Tensor.empty("indexSelect", x.device(), shape);
        x.backend().gather(xd.buffer(), iv, out.buffer(), p[0], p[1], p[2], k, 0f);
        Tensor result = out.recorded("indexSelect", g -> {
            Tensor gx = Tensor.empty(g.device(), xd.shape);
            g.backend().scatterAdd(new StridedView(index.buffer(), iv.offset(), iv.strides()), g.dense().buffer(), gx.buffer(),
                    p[0], p[1], p[2], k);
            return new Tensor[] {gx, null};
        }, xd, index);
        if (x.rank() == 0) return index.rank() == 0 ? result.reshape() : result;
        if (index.rank() == 0) return result.squeeze(d);
        return result;
    }

    /**
     * {@code out[..., j, ...] = x[..., index[..., j, ...], ...]} along {@code dim}, PyTorch's
     * {@code torch.gather}: {@code index} has the rank of {@code x}, and along every other
     * dimension at most {@code x}'s size (the rest of {@code x} is not read); the output has the
     * index's shape.
     */
    static Tensor gather(Tensor x, int dim, Tensor index) {
        ElementwiseOps.sameDevice("gather", x, index);
        int d = checkLikeIndex("gather", x, dim, index, "input");
        Tensor xs = x;
        for (int i = 0; i < x.rank(); i++) if (i != d && index.shape[i] < x.shape[i]) xs = xs.slice(i, 0, index.shape[i]);
        Tensor xd = xs.dense();
        int[] p = split3(xd.shape, d);
        checkIndices("gather", index, d, p[1]);
        int rOut = index.shape[d];
        StridedView iv = flat3(index, d);
        Tensor out = Tensor.empty("gather", x.device(), index.shape);
        x.backend().gather(xd.buffer(), iv, out.buffer(), p[0], p[1], p[2], rOut, 0f);
        return out.recorded("gather", g -> {
            Tensor gx = Tensor.empty(g.device(), xd.shape);
            g.backend().scatterAdd(flat3(index, d), g.dense().buffer(), gx.buffer(), p[0], p[1], p[2], rOut);
            return new Tensor[] {gx, null};
        }, xd, index);
    }

    /**
     * {@code self} plus {@code src}'s elements added at {@code index} along {@code dim}, PyTorch's
     * {@code Tensor.scatter_add} (out of place): {@code index} has the rank of both, along
     * {@code dim} at most {@code src}'s size and along every other dimension at most both sizes;
     * the elements of {@code src} the index does not cover are not read. Contributions to one
     * element add in index order.
     */
    static Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        ElementwiseOps.sameDevice("scatterAdd", self, index, src);
        int d = checkLikeIndex("scatterAdd", self, dim, index, "self");
        if (src.rank() != index.rank())
            throw new IllegalArgumentException("scatterAdd: src " + Shapes.str(src.shape) + " and index " + Shapes.str(index.shape)
                    + " must have the same rank");
        for (int i = 0; i < src.rank(); i++)
            if (index.shape[i] > src.shape[i])
                throw new IllegalArgumentException("scatterAdd: index " + Shapes.str(index.shape) + " is larger than src "
                        + Shapes.str(src.shape) + " in dimension " + i);
        Tensor ss = src;
        for (int i = 0; i < src.rank(); i++) if (index.shape[i] < src.shape[i]) ss = ss.slice(i, 0, index.shape[i]);
        Tensor sd = ss.dense();
        int[] scatteredShape = index.shape();
        scatteredShape[d] = self.shape[d];
        int[] p = split3(scatteredShape, d);
        checkIndices("scatterAdd", index, d, p[1]);
        int rOut = index.shape[d];
        Tensor scattered = Tensor.empty("scatterAdd", self.device(), scatteredShape);
        self.backend().scatterAdd(flat3(index, d), sd.buffer(), scattered.buffer(), p[0], p[1], p[2], rOut);
        Tensor sum = scattered.recorded("scatterAdd", g -> {
            Tensor gs = Tensor.empty(g.device(), sd.shape);
            Tensor gd = g.dense();
            g.backend().gather(gd.buffer(), flat3(index, d), gs.buffer(), p[0], p[1], p[2], rOut, 0f);
            return new Tensor[] {gs, null};
        }, sd, index);
        // where the index covers less of self than self's size, the rest of self is left as it is
        int[] pads = new int[2 * self.rank()];
        boolean padded = false;
        for (int i = 0; i < self.rank(); i++) {
            int missing = self.shape[i] - scatteredShape[i];
            pads[2 * (self.rank() - 1 - i) + 1] = missing;
            padded |= missing != 0;
        }
        return self.add(padded ? pad(sum, pads, PadMode.CONSTANT, 0f) : sum);
    }

    /** The checks shared by gather and scatter_add; returns the normalised dim. */
    private static int checkLikeIndex(String op, Tensor x, int dim, Tensor index, String name) {
        if (index.rank() != x.rank())
            throw new IllegalArgumentException(op + ": index " + Shapes.str(index.shape) + " must have the rank of " + name + " "
                    + Shapes.str(x.shape));
        int d = Shapes.dim(op, dim, Math.max(1, x.rank()));
        for (int i = 0; i < x.rank(); i++)
            if (i != d && index.shape[i] > x.shape[i])
                throw new IllegalArgumentException(op + ": index " + Shapes.str(index.shape) + " is larger than " + name + " "
                        + Shapes.str(x.shape) + " in dimension " + i);
        return d;
    }

    /**
     * {@code index} as a view over {@code (outer, rOut, inner)}: possible for any strides only when
     * the merged dimensions are each mergeable, so a non-contiguous index is made contiguous first.
     */
    private static StridedView flat3(Tensor index, int d) {
        Tensor id = index.isContiguous() ? index : index.detach().contiguous();
        int[] p = split3(id.shape, d);
        return new StridedView(id.buffer(), id.offset, new int[] {p[1] * p[2], p[2], 1});
    }

    // ---------------------------------------------------------------- pad

    /**
     * PyTorch's {@code F.pad}: {@code pads} holds (before, after) pairs from the last dimension
     * backwards, at most one pair per dimension.
     */
    static Tensor pad(Tensor x, int[] pads, PadMode mode, float value) {
        if (pads == null || pads.length % 2 != 0 || pads.length > 2 * x.rank())
            throw new IllegalArgumentException("pad: padding " + Arrays.toString(pads) + " must hold (before, after) pairs, at most "
                    + x.rank() + " for a tensor of shape " + Shapes.str(x.shape));
        if (mode == null) throw new IllegalArgumentException("pad: mode is null");
        Tensor out = x;
        for (int k = 0; k < pads.length / 2; k++) {
            int d = x.rank() - 1 - k, before = pads[2 * k], after = pads[2 * k + 1];
            if (before == 0 && after == 0) continue;
            out = padDim(out, d, before, after, mode, value, pads);
        }
        return out == x ? x.add(0f) : out;   // always a new tensor, as PyTorch
    }

    private static Tensor padDim(Tensor x, int d, int before, int after, PadMode mode, float value, int[] pads) {
        int n = x.shape[d];
        long len = (long) n + before + after;
        String where = "pad (" + mode + ") of " + Shapes.str(x.shape) + " by " + Arrays.toString(pads) + ": dimension " + d
                + " of size " + n;
        if (len < 0) throw new IllegalArgumentException(where + " would have the negative size " + len);
        if (len > Shapes.MAX_ELEMENTS) throw Shapes.tooLarge("pad", "dimension " + d, len);
        if (mode != PadMode.CONSTANT && (before < 0 || after < 0))
            throw new IllegalArgumentException(where + ": negative padding only crops in constant mode");
        switch (mode) {
            case REFLECT -> {
                if (before >= n || after >= n)
                    throw new IllegalArgumentException(where + ": reflect padding must be smaller than the dimension");
            }
            case REPLICATE -> {
                if (n == 0) throw new IllegalArgumentException(where + ": replicate padding needs a non-empty dimension");
            }
            case CIRCULAR -> {
                if (before > n || after > n)
                    throw new IllegalArgumentException(where + ": circular padding must be at most the dimension");
            }
            case CONSTANT -> { }
        }
        if (n > MAX_INDEXED) throw new IllegalArgumentException(where + ": more than 2^24 elements along a padded dimension");
        float[] idx = new float[(int) len];
        for (int j = 0; j < idx.length; j++) {
            int q = j - before;
            idx[j] = switch (mode) {
                case CONSTANT -> q >= 0 && q < n ? q : -1;
                case REFLECT -> q < 0 ? -q : q >= n ? 2 * (n - 1) - q : q;
                case REPLICATE -> Math.min(Math.max(q, 0), n - 1);
                case CIRCULAR -> ((q % n) + n) % n;
            };
        }
        int[] shape = x.shape();
        shape[d] = (int) len;
        Tensor xd = x.dense();
        int[] p = split3(xd.shape, d);
        Tensor index = idx.length == 0 ? Tensor.zeros(x.device(), 0) : Tensor.of(x.device(), idx, idx.length);
        StridedView iv = new StridedView(index.buffer(), 0, new int[] {0, 1, 0});
        Tensor out = Tensor.empty("pad", x.device(), shape);
        x.backend().gather(xd.buffer(), iv, out.buffer(), p[0], p[1], p[2], idx.length, value);
        return out.recorded("pad", g -> {
            Tensor gx = Tensor.empty(g.device(), xd.shape);
            g.backend().scatterAdd(new StridedView(index.buffer(), 0, new int[] {0, 1, 0}), g.dense().buffer(), gx.buffer(),
                    p[0], p[1], p[2], idx.length);
            return new Tensor[] {gx};
        }, xd);
    }

    // ---------------------------------------------------------------- cat, stack, split, chunk

    static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) throw new IllegalArgumentException("cat: needs at least one tensor");
        Tensor first = tensors.get(0);
        if (first == null) throw new IllegalArgumentException("cat: tensor 0 is null");
        if (first.rank() == 0) throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated; use stack");
        int d = Shapes.dim("cat", dim, first.rank());
        long total = 0;
        for (int t = 0; t < tensors.size(); t++) {
            Tensor x = tensors.get(t);
            if (x == null) throw new IllegalArgumentException("cat: tensor " + t + " is null");
            ElementwiseOps.sameDevice("cat", first, x);
            boolean same = x.rank() == first.rank();
            for (int i = 0; same && i < x.rank(); i++) same = i == d || x.shape[i] == first.shape[i];
            if (!same)
                throw new IllegalArgumentException("cat: tensor " + t + " of shape " + Shapes.str(x.shape) + " does not match tensor 0 "
                        + Shapes.str(first.shape) + " outside dimension " + d);
            total += x.shape[d];
        }
        int[] shape = first.shape();
        if (total > Shapes.MAX_ELEMENTS) throw Shapes.tooLarge("cat", "dimension " + d, total);
        shape[d] = (int) total;
        Shapes.numel("cat", shape);
        Tensor out = Tensor.empty("cat", first.device(), shape);
        int[] starts = new int[tensors.size()];
        int at = 0;
        for (int t = 0; t < tensors.size(); t++) {
            Tensor x = tensors.get(t);
            starts[t] = at;
            if (x.numel() > 0)
                first.backend().copyStrided(x.view(), window(out, d, at).view(), x.shape);
            at += x.shape[d];
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        return out.recorded("cat", g -> {
            Tensor[] gs = new Tensor[inputs.length];
            for (int t = 0; t < inputs.length; t++)
                if (inputs[t].requiresGrad()) gs[t] = g.slice(d, starts[t], starts[t] + inputs[t].shape[d]);
            return gs;
        }, inputs);
    }

    /** The part of {@code out} from {@code start} along {@code d}, as wide as the rest allows (a plain view, not recorded). */
    private static Tensor window(Tensor out, int d, int start) {
        int[] shape = out.shape();
        shape[d] -= start;
        return Tensor.view(out, shape, out.strides, out.offset + start * out.strides[d]);
    }

    static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) throw new IllegalArgumentException("stack: needs at least one tensor");
        Tensor first = tensors.get(0);
        if (first == null) throw new IllegalArgumentException("stack: tensor 0 is null");
        int d = Shapes.dim("stack", dim, first.rank() + 1);
        List<Tensor> parts = new ArrayList<>();
        for (int t = 0; t < tensors.size(); t++) {
            Tensor x = tensors.get(t);
            if (x == null) throw new IllegalArgumentException("stack: tensor " + t + " is null");
            if (!Arrays.equals(x.shape, first.shape))
                throw new IllegalArgumentException("stack: tensor " + t + " of shape " + Shapes.str(x.shape)
                        + " differs from tensor 0 " + Shapes.str(first.shape) + "; stack needs equal shapes");
            parts.add(x.unsqueeze(d));
        }
        return cat(parts, d);
    }

    static List<Tensor> split(Tensor x, int size, int dim) {
        int d = Shapes.dim("split", dim, x.rank());
        if (size < 1 && !(size == 0 && x.shape[d] == 0))
            throw new IllegalArgumentException("split: split size must be positive, got " + size);
        List<Tensor> parts = new ArrayList<>();
        int n = x.shape[d];
        if (n == 0) {
            parts.add(x.slice(d, 0, 0));
            return parts;
        }
        for (int s = 0; s < n; s += size) parts.add(x.slice(d, s, Math.min(n, s + size)));
        return parts;
    }

    static List<Tensor> split(Tensor x, int[] sizes, int dim) {
        int d = Shapes.dim("split", dim, x.rank());
        long sum = 0;
        for (int s : sizes) {
            if (s < 0) throw new IllegalArgumentException("split: negative section size in " + Arrays.toString(sizes));
            sum += s;
        }
        if (sum != x.shape[d])
            throw new IllegalArgumentException("split: sections " + Arrays.toString(sizes) + " sum to " + sum + ", not to the size "
                    + x.shape[d] + " of dimension " + d + " of " + Shapes.str(x.shape));
        List<Tensor> parts = new ArrayList<>();
        int at = 0;
        for (int s : sizes) {
            parts.add(x.slice(d, at, at + s));
            at += s;
        }
        return parts;
    }

    /** PyTorch's {@code chunk}: pieces of {@code ceil(size / chunks)}, the last smaller, possibly fewer than {@code chunks}. */
    static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks < 1) throw new IllegalArgumentException("chunk: the number of chunks must be positive, got " + chunks);
        int d = Shapes.dim("chunk", dim, x.rank());
        int n = x.shape[d];
        return split(x, n == 0 ? 0 : (n + chunks - 1) / chunks, d);
    }

    // ---------------------------------------------------------------- PReLU

    /**
     * {@code x > 0 ? x : weight * x} with one weight for all (shape {@code (1)}) or one per channel
     * (shape {@code (C)}, dimension 1 of {@code x}), PyTorch's {@code F.prelu}. A composition of
     * where and mul: two memory-bound passes, where a kernel of its own would make one.
     */
    static Tensor prelu(Tensor x, Tensor weight) {
        ElementwiseOps.sameDevice("prelu", x, weight);
        if (weight.rank() != 1)
            throw new IllegalArgumentException("prelu: weight " + Shapes.str(weight.shape) + " must be 1-D: (1) or (channels)");
        Tensor w = weight;
        if (weight.numel() != 1) {
            if (x.rank() < 2 || x.shape[1] != weight.numel())
                throw new IllegalArgumentException("prelu: weight " + Shapes.str(weight.shape) + " must have one element or one per channel "
                        + "(dimension 1) of the input " + Shapes.str(x.shape));
            int[] shape = new int[x.rank() - 1];
            Arrays.fill(shape, 1);
            shape[0] = weight.numel();
            w = weight.reshape(shape);
        }
        return Tensor.where(x.gt(0f), x, x.mul(w));
    }
}
