package dev.jgrad.engine;

import java.util.Arrays;

/**
 * Reductions over chosen dimensions. Each is planned as one backend call over a contiguous
 * {@code (outer, r, inner)} view: when the reduced dimensions are adjacent the input is used as is,
 * otherwise they are permuted to the end first.
 */
final class ReductionOps {
    private ReductionOps() {}

    /** How one reduction maps onto {@code (outer, r, inner)}. */
    private record Plan(Tensor input, int outer, int r, int inner, int[] keptShape, int[] keepdimShape) {

        static Plan of(String op, Tensor x, int[] dims) {
            int rank = x.shape.length;
            boolean[] reduced = new boolean[rank];
            if (dims == null) Arrays.fill(reduced, true);
            else for (int d : dims) {
                int nd = Shapes.dim(op, d, rank);
                if (reduced[nd]) throw new IllegalArgumentException(op + ": dimension " + d + " given twice");
                reduced[nd] = true;
            }
            int first = -1, last = -1, r = 1;
            int[] keepdim = x.shape();
            int keptCount = 0;
            for (int d = 0; d < rank; d++) {
                if (reduced[d]) {
                    if (first < 0) first = d;
                    last = d;
                    r *= x.shape[d];
                    keepdim[d] = 1;
                } else {
                    keptCount++;
                }
            }
            int[] kept = new int[keptCount];
            for (int d = 0, j = 0; d < rank; d++) if (!reduced[d]) kept[j++] = x.shape[d];
            if (first < 0) return new Plan(x.dense(), Shapes.numel(x.shape), 1, 1, kept, keepdim);
            boolean adjacent = true;
            for (int d = first; d <= last; d++) adjacent &= reduced[d];
            if (adjacent) {
                int outer = Shapes.numel(Arrays.copyOfRange(x.shape, 0, first));
                int inner = Shapes.numel(Arrays.copyOfRange(x.shape, last + 1, rank));
                return new Plan(x.dense(), outer, r, inner, kept, keepdim);
            }
            int[] order = new int[rank];
            int j = 0;
            for (int d = 0; d < rank; d++) if (!reduced[d]) order[j++] = d;
            for (int d = 0; d < rank; d++) if (reduced[d]) order[j++] = d;
            return new Plan(x.permute(order).contiguous(), Shapes.numel(kept), r, 1, kept, keepdim);
        }

        int[] outShape(boolean keepdim) {
            return keepdim ? keepdimShape : keptShape;
        }
    }

    static Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        String name = op.name().toLowerCase();
        Plan p = Plan.of(name, x, dims);
        if (p.r == 0 && op != ReduceOp.SUM && op != ReduceOp.MEAN)
            throw new IllegalArgumentException(name + ": cannot reduce an empty dimension of " + Shapes.str(x.shape));
        Tensor out = Tensor.empty(name, x.device(), p.outShape(keepdim));
        reduceOrEmpty(op, p, out);
        int[] inShape = x.shape;
        float scale = op == ReduceOp.MEAN ? 1f / p.r : 1f;
        return out.recorded(name, g -> {
            Tensor spread = g.reshape(p.keepdimShape).expand(inShape);
            return new Tensor[] {scale == 1f ? spread : spread.mul(scale)};
        }, x);
    }

    /**
     * Sum or mean of the plan into {@code out}: no kernel when the output is empty, and the empty
     * sum (0, or 0 / 0 = NaN for the mean, as PyTorch) when the reduced dimensions are.
     */
    private static void reduceOrEmpty(ReduceOp op, Plan p, Tensor out) {
        int n = out.numel();
        if (n == 0) return;
        if (p.r == 0) out.backend().fill(out.buffer(), n, op == ReduceOp.MEAN ? Float.NaN : 0f);
        else out.backend().reduce(op, p.input.buffer(), out.buffer(), p.outer, p.r, p.inner);
    }

    static Tensor max(Tensor x, int dim, boolean keepdim) {
        Plan p = Plan.of("max", x, new int[] {dim});
        if (p.r == 0)
            throw new IllegalArgumentException("max: dimension " + dim + " of " + Shapes.str(x.shape)
                    + " is empty: a maximum over no element is undefined (as in PyTorch)");
        Tensor out = Tensor.empty("max", x.device(), p.outShape(keepdim));
        if (out.numel() == 0) return out.recorded("max", g -> new Tensor[] {Tensor.zeros(g.device(), x.shape)}, x);
        x.backend().reduce(ReduceOp.MAX, p.input.buffer(), out.buffer(), p.outer, p.r, p.inner);
        int[] inShape = x.shape;
        return out.recorded("max", g -> {
            Tensor index = Tensor.empty(g.device(), p.keptShape);
            g.backend().reduce(ReduceOp.ARGMAX, p.input.buffer(), index.buffer(), p.outer, p.r, p.inner);
            Tensor gx = Tensor.empty(g.device(), inShape);
            g.backend().scatterMiddle(index.buffer(), g.dense().buffer(), gx.buffer(), p.outer, p.r, p.inner);
            return new Tensor[] {gx};
        }, x);
    }

    /**
     * The largest element of {@code x}, a rank-0 tensor. Its gradient is PyTorch 1.13's rule for
     * {@code x.max()}: spread evenly over every element equal to the maximum (over every NaN when
     * the maximum is NaN), unlike {@link #max(Tensor, int, boolean)}, which sends it to the index
     * it returns.
     */
    static Tensor maxAll(Tensor x) {
        Tensor out;
        try (var off = dev.jgrad.engine.autograd.GradMode.disable()) {
            out = max(x.flatten(), 0, false);
        }
        int[] inShape = x.shape;
        return out.recorded("max", g -> {
            // a max over numbers has no NaN among its inputs, a NaN max ties with every NaN
            Tensor isMax = x.eq(out).add(x.ne(x));
            return new Tensor[] {isMax.mul(g.div(isMax.sum())).reshape(inShape)};
        }, x);
    }

    static Tensor argmax(Tensor x, int dim, boolean keepdim) {
        Plan p = Plan.of("argmax", x, new int[] {dim});
        if (p.r == 0)
            throw new IllegalArgumentException("argmax: dimension " + dim + " of " + Shapes.str(x.shape)
                    + " is empty: there is no index to return (as in PyTorch)");
        Tensor out = Tensor.empty("argmax", x.device(), p.outShape(keepdim));
        if (out.numel() > 0) x.backend().reduce(ReduceOp.ARGMAX, p.input.buffer(), out.buffer(), p.outer, p.r, p.inner);
        return out;
    }

    static Tensor variance(Tensor x, int[] dims, boolean keepdim, int correction) {
        Plan p = Plan.of("var", x, dims);
        if (correction < 0) throw new IllegalArgumentException("var: correction must be >= 0, got " + correction);
        Tensor out = Tensor.empty("var", x.device(), p.outShape(keepdim));
        // over no element: 0 / 0, NaN, as PyTorch (whatever the correction)
        if (p.r == 0 && out.numel() > 0) x.backend().fill(out.buffer(), out.numel(), Float.NaN);
        else if (out.numel() > 0) x.backend().variance(p.input.buffer(), out.buffer(), p.outer, p.r, p.inner, correction);
        int[] inShape = x.shape;
        int[] allDims = dims;
        return out.recorded("var", g -> {
            // d var / dx = 2 (x - mean) / (r - correction)
            Tensor centered = x.sub(allDims == null ? x.mean() : x.mean(allDims, true));
            Tensor spread = g.reshape(p.keepdimShape).expand(inShape);
            return new Tensor[] {spread.mul(centered).mul(2f / (p.r - correction))};
        }, x);
    }
}
