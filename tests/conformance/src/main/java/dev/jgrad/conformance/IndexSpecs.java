package dev.jgrad.conformance;

import dev.jgrad.conformance.OpSpec.Arg;
import dev.jgrad.engine.PadMode;
import dev.jgrad.engine.Tensor;

import java.util.ArrayList;
import java.util.List;

import static dev.jgrad.conformance.Layout.*;
import static dev.jgrad.conformance.Sampler.*;

/**
 * index_select, gather, scatter_add, pad (four modes), cat, stack, split and chunk. Values are
 * exact (the ops move elements; only the gradients of repeated indices add), so the forward
 * tolerance is 0; the references are loops over output positions written from PyTorch's
 * definitions. Indices are drawn with repeats, so the backward's accumulation is checked.
 */
final class IndexSpecs {
    private IndexSpecs() {}

    /** Gradients of copies sum a few float32 terms: a little slack against central differences. */
    private static final double GRAD = 1e-5;

    static List<OpSpec> all() {
        List<OpSpec> specs = new ArrayList<>();
        specs.add(indexSelect());
        specs.add(gather());
        specs.add(scatterAdd());
        specs.add(pad());
        specs.add(cat());
        specs.add(stack());
        specs.add(split());
        return specs;
    }

    private static int[] remove(int[] shape, int d, int size) {
        int[] s = shape.clone();
        s[d] = size;
        return s;
    }

    // ---------------------------------------------------------------- index_select

    static OpSpec indexSelect() {
        OpSpec.Builder b = OpSpec.named("indexSelect").gradTolerance(GRAD);
        Object[][] cases = {
                {Arg.of(normal(), 5, 7), 0, Arg.of(ints(0, 4), 9).noGrad()},
                {Arg.of(normal(), 3, 9, 4), 1, Arg.of(ints(0, 8), 5).noGrad()},
                {Arg.of(normal(), 4, 37), 0, Arg.of(ints(0, 3), 11).noGrad()},
                {Arg.of(normal(), 6, 5).as(TRANSPOSED), -1, Arg.of(ints(0, 4), 4).noGrad()},
                {Arg.of(normal(), 2, 3, 4).as(PERMUTED), 2, Arg.of(ints(0, 1), 3).as(STEPPED).noGrad()},
                {Arg.of(normal(), 1), 0, Arg.of(ints(0, 0), 1).noGrad()},
                {Arg.of(normal(), 5, 3), 0, Arg.of(ints(0, 4)).noGrad()}};
        for (Object[] c : cases) {
            int dim = (Integer) c[1];
            b.auto(", index ", "dim " + dim, 0, in -> in[0].indexSelect(dim, in[1]),
                    in -> indexSelectRef(in[0], dim, in[1]), (Arg) c[0], (Arg) c[2]);
        }
        return b.build();
    }

    static Ref indexSelectRef(Ref x, int dim, Ref index) {
        int d = dim < 0 ? dim + x.rank() : dim;
        int k = index.numel();
        Ref out = Ref.zeros(remove(x.shape, d, k));
        for (int i = 0; i < out.data.length; i++) {
            int[] idx = out.unravel(i);
            idx[d] = (int) index.data[idx[d]];
            out.data[i] = x.at(idx);
        }
        return index.rank() == 0 ? squeeze(out, d) : out;
    }

    private static Ref squeeze(Ref r, int d) {
        int[] s = new int[r.rank() - 1];
        for (int i = 0, j = 0; i < r.rank(); i++) if (i != d) s[j++] = r.shape[i];
        return r.reshape(s);
    }

    // ---------------------------------------------------------------- gather

    static OpSpec gather() {
        OpSpec.Builder b = OpSpec.named("gather").gradTolerance(GRAD);
        Object[][] cases = {
                {Arg.of(normal(), 4, 6), 1, Arg.of(ints(0, 5), 4, 3).noGrad()},
                {Arg.of(normal(), 5, 3, 4), 0, Arg.of(ints(0, 4), 7, 3, 2).noGrad()},
                {Arg.of(normal(), 3, 4, 5).as(PERMUTED), 2, Arg.of(ints(0, 2), 2, 4, 6).noGrad()},
                {Arg.of(normal(), 9, 6).as(TRANSPOSED), -1, Arg.of(ints(0, 5), 9, 4).as(TRANSPOSED).noGrad()},
                {Arg.of(normal(), 3, 37), 1, Arg.of(ints(0, 36), 3, 40).noGrad()}};
        for (Object[] c : cases) {
            int dim = (Integer) c[1];
            b.auto(", index ", "dim " + dim, 0, in -> in[0].gather(dim, in[1]), in -> gatherRef(in[0], dim, in[1]),
                    (Arg) c[0], (Arg) c[2]);
        }
        return b.build();
    }

    static Ref gatherRef(Ref x, int dim, Ref index) {
        int d = dim < 0 ? dim + x.rank() : dim;
        Ref out = Ref.zeros(index.shape);
        for (int i = 0; i < out.data.length; i++) {
            int[] idx = out.unravel(i);
            idx[d] = (int) index.data[i];
            out.data[i] = x.at(idx);
        }
        return out;
    }

    // ---------------------------------------------------------------- scatter_add

    static OpSpec scatterAdd() {
        OpSpec.Builder b = OpSpec.named("scatterAdd").gradTolerance(GRAD);
        Object[][] cases = {
                {Arg.of(normal(), 5, 4), 0, Arg.of(ints(0, 4), 6, 4).noGrad(), Arg.of(normal(), 6, 4)},
                {Arg.of(normal(), 5, 4), 0, Arg.of(ints(0, 4), 6, 3).noGrad(), Arg.of(normal(), 7, 5)},
                {Arg.of(normal(), 3, 8).as(TRANSPOSED), 1, Arg.of(ints(0, 7), 3, 11).noGrad(), Arg.of(normal(), 3, 11).as(STEPPED)},
                {Arg.of(normal(), 2, 3, 5), -1, Arg.of(ints(0, 4), 2, 2, 9).noGrad(), Arg.of(normal(), 2, 3, 9).as(PERMUTED)}};
        for (Object[] c : cases) {
            int dim = (Integer) c[1];
            b.auto(", ", "dim " + dim, 1e-6, in -> in[0].scatterAdd(dim, in[1], in[2]),
                    in -> scatterAddRef(in[0], dim, in[1], in[2]), (Arg) c[0], (Arg) c[2], (Arg) c[3]);
        }
        return b.build();
    }

    static Ref scatterAddRef(Ref self, int dim, Ref index, Ref src) {
        int d = dim < 0 ? dim + self.rank() : dim;
        Ref out = new Ref(self.shape, self.data.clone());
        for (int i = 0; i < index.data.length; i++) {
            int[] idx = index.unravel(i);
            double v = src.at(idx);
            idx[d] = (int) index.data[i];
            out.data[out.flat(idx)] += v;
        }
        return out;
    }

    // ---------------------------------------------------------------- pad

    static OpSpec pad() {
        OpSpec.Builder b = OpSpec.named("pad").gradTolerance(GRAD);
        Object[][] cases = {
                {Arg.of(normal(), 3, 5), new int[] {1, 2}, PadMode.CONSTANT, 0.5f},
                {Arg.of(normal(), 2, 3, 4), new int[] {2, 1, 0, 3}, PadMode.CONSTANT, 0f},
                {Arg.of(normal(), 2, 3, 6), new int[] {-1, 2, 1, -2}, PadMode.CONSTANT, -1f},
                {Arg.of(normal(), 2, 3, 4), new int[] {1, 1, 1, 1, 1, 1}, PadMode.CONSTANT, 0f},
                {Arg.of(normal(), 2, 3, 5), new int[] {2, 4}, PadMode.REFLECT, 0f},
                {Arg.of(normal(), 1, 2, 4, 5).as(STEPPED), new int[] {1, 2, 3, 1}, PadMode.REFLECT, 0f},
                {Arg.of(normal(), 2, 3, 4).as(PERMUTED), new int[] {3, 1, 1, 2}, PadMode.REPLICATE, 0f},
                {Arg.of(normal(), 1, 1), new int[] {2, 3, 1, 0}, PadMode.REPLICATE, 0f},
                {Arg.of(normal(), 2, 5).as(TRANSPOSED), new int[] {2, 5}, PadMode.CIRCULAR, 0f},
                {Arg.of(normal(), 3, 2, 37), new int[] {0, 0, 1, 1}, PadMode.REFLECT, 0f}};
        for (Object[] c : cases) {
            int[] pads = (int[]) c[1];
            PadMode mode = (PadMode) c[2];
            float value = (Float) c[3];
            b.auto("", mode + " " + java.util.Arrays.toString(pads) + (mode == PadMode.CONSTANT ? " value " + value : ""), 0,
                    in -> in[0].pad(pads, mode, value), in -> padRef(in[0], pads, mode, value), (Arg) c[0]);
        }
        return b.build();
    }

    /** F.pad by its definition: each output position reads the source position its mode maps it to. */
    static Ref padRef(Ref x, int[] pads, PadMode mode, double value) {
        int rank = x.rank();
        int[] before = new int[rank], shape = x.shape.clone();
        for (int k = 0; k < pads.length / 2; k++) {
            int d = rank - 1 - k;
            before[d] = pads[2 * k];
            shape[d] += pads[2 * k] + pads[2 * k + 1];
        }
        Ref out = Ref.zeros(shape);
        for (int i = 0; i < out.data.length; i++) {
            int[] idx = out.unravel(i);
            boolean inside = true;
            for (int d = 0; d < rank; d++) {
                int n = x.shape[d], q = idx[d] - before[d];
                if (q >= 0 && q < n) {
                    idx[d] = q;
                    continue;
                }
                switch (mode) {
                    case CONSTANT -> inside = false;
                    case REFLECT -> idx[d] = q < 0 ? -q : 2 * (n - 1) - q;
                    case REPLICATE -> idx[d] = q < 0 ? 0 : n - 1;
                    case CIRCULAR -> idx[d] = Math.floorMod(q, n);
                }
            }
            out.data[i] = inside ? x.at(idx) : value;
        }
        return out;
    }

    // ---------------------------------------------------------------- cat, stack, split, chunk

    static OpSpec cat() {
        OpSpec.Builder b = OpSpec.named("cat").gradTolerance(GRAD);
        b.auto(", ", "dim 0", 0, in -> Tensor.cat(0, in), in -> catRef(0, in),
                Arg.of(normal(), 2, 3), Arg.of(normal(), 4, 3), Arg.of(normal(), 1, 3));
        b.auto(", ", "dim 1", 0, in -> Tensor.cat(1, in), in -> catRef(1, in),
                Arg.of(normal(), 5, 3).as(TRANSPOSED), Arg.of(normal(), 5, 4).as(STEPPED), Arg.of(normal(), 5, 0));
        b.auto(", ", "dim -1", 0, in -> Tensor.cat(-1, in), in -> catRef(2, in),
                Arg.of(normal(), 2, 3, 4).as(PERMUTED), Arg.of(normal(), 2, 3, 33));
        b.auto("", "dim 0, one tensor", 0, in -> Tensor.cat(0, in), in -> catRef(0, in), Arg.of(normal(), 3, 2));
        return b.build();
    }

    static Ref catRef(int d, Ref... parts) {
        int total = 0;
        for (Ref p : parts) total += p.shape[d];
        Ref out = Ref.zeros(remove(parts[0].shape, d, total));
        for (int i = 0; i < out.data.length; i++) {
            int[] idx = out.unravel(i);
            int at = idx[d], t = 0;
            while (at >= parts[t].shape[d]) at -= parts[t++].shape[d];
            idx[d] = at;
            out.data[i] = parts[t].at(idx);
        }
        return out;
    }

    static OpSpec stack() {
        OpSpec.Builder b = OpSpec.named("stack").gradTolerance(GRAD);
        b.auto(", ", "dim 0", 0, in -> Tensor.stack(0, in), in -> stackRef(0, in),
                Arg.of(normal(), 3, 4), Arg.of(normal(), 3, 4).as(TRANSPOSED), Arg.of(normal(), 3, 4));
        b.auto(", ", "dim 2", 0, in -> Tensor.stack(2, in), in -> stackRef(2, in),
                Arg.of(normal(), 2, 5), Arg.of(normal(), 2, 5).as(STEPPED));
        b.auto(", ", "dim -2", 0, in -> Tensor.stack(-2, in), in -> stackRef(0, in), Arg.of(normal(), 7), Arg.of(normal(), 7));
        return b.build();
    }

    static Ref stackRef(int d, Ref... parts) {
        int[] one = new int[parts[0].rank() + 1];
        for (int i = 0, j = 0; i < one.length; i++) one[i] = i == d ? 1 : parts[0].shape[j++];
        Ref[] lifted = new Ref[parts.length];
        for (int t = 0; t < parts.length; t++) lifted[t] = parts[t].reshape(one);
        return catRef(d, lifted);
    }

    /**
     * split and chunk return views; each piece is scaled by 2^position (1, 2, 4, ...: exact in float32) and the
     * pieces joined again, so the values show each piece's extent and the gradient reaches each
     * element of the input from the right piece.
     */
    static OpSpec split() {
        OpSpec.Builder b = OpSpec.named("split/chunk").gradTolerance(GRAD);
        b.auto("", "split(2, dim 1)", 0, in -> rejoin(in[0].split(2, 1), 1), in -> scaledBlocks(in[0], 1, 2, 2, 2, 1),
                Arg.of(normal(), 3, 7));
        b.auto("", "split([1, 3, 0, 2], dim 0)", 0, in -> rejoin(in[0].split(new int[] {1, 3, 0, 2}, 0), 0),
                in -> scaledBlocks(in[0], 0, 1, 3, 0, 2), Arg.of(normal(), 6, 4).as(TRANSPOSED));
        b.auto("", "chunk(3, dim -1)", 0, in -> rejoin(in[0].chunk(3, -1), 2), in -> scaledBlocks(in[0], 2, 3, 3, 1),
                Arg.of(normal(), 2, 3, 7).as(PERMUTED));
        b.auto("", "chunk(4, dim 0) of 6: 3 pieces", 0, in -> rejoin(in[0].chunk(4, 0), 0),
                in -> scaledBlocks(in[0], 0, 2, 2, 2), Arg.of(normal(), 6, 2));
        return b.build();
    }

    private static Tensor rejoin(List<Tensor> pieces, int dim) {
        List<Tensor> scaled = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) scaled.add(pieces.get(i).mul((float) (1 << i)));
        return Tensor.cat(scaled, dim);
    }

    /** Element at position p along d scaled by 2^(index of the block, of the sizes given, that holds it). */
    private static Ref scaledBlocks(Ref x, int d, int... sizes) {
        Ref out = Ref.zeros(x.shape);
        for (int i = 0; i < out.data.length; i++) {
            int at = x.unravel(i)[d], block = 0;
            while (at >= sizes[block]) at -= sizes[block++];
            out.data[i] = x.data[i] * (1 << block);
        }
        return out;
    }
}
