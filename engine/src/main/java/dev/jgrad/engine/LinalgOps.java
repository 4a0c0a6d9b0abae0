package dev.jgrad.engine;

import java.util.Arrays;

/** Matrix products and convolution. */
final class LinalgOps {
    private LinalgOps() {}

    /** One matmul operand as the backend wants it: a buffer, whether it is stored transposed, its batch stride. */
    private record Operand(Tensor dense, boolean transposed, int batchStride) {

        /**
         * Lays out {@code x} (shape {@code (..., rows, cols)}) for a matmul with output batch shape
         * {@code batch}: a stride-0 batch when it has no batch of its own, its own buffer when it is
         * row-major or a transposed view of a row-major matrix, and a copy otherwise.
         */
        static Operand of(Tensor x, int[] batch) {
            int rank = x.shape.length, rows = x.shape[rank - 2], cols = x.shape[rank - 1];
            int[] ownBatch = Arrays.copyOf(x.shape, rank - 2);
            boolean broadcastOne = Shapes.numel(ownBatch) == 1;
            Tensor t = broadcastOne ? x.reshape(rows, cols) : x;
            if (!broadcastOne && !Arrays.equals(ownBatch, batch)) {
                int[] full = Arrays.copyOf(batch, batch.length + 2);
                full[batch.length] = rows;
                full[batch.length + 1] = cols;
                t = t.expand(full);
            }
            int stride = broadcastOne ? 0 : rows * cols;
            if (t.offset == 0 && t.isContiguous()) return new Operand(t, false, stride);
            Tensor swapped = t.transpose(-1, -2);
            if (swapped.offset == 0 && swapped.isContiguous()) return new Operand(swapped, true, stride);
            return new Operand(t.contiguous(), false, stride);
        }
    }

    static Tensor matmul(Tensor a, Tensor b) {
        ElementwiseOps.sameDevice("matmul", a, b);
        if (a.rank() == 0 || b.rank() == 0)
            throw new IllegalArgumentException("matmul: " + Shapes.str(a.shape) + " x " + Shapes.str(b.shape)
                    + ": both operands need at least one dimension");
        // b first: for vector @ vector the inner call then squeezes (1, 1) -> (1,) and this one (1,) -> ().
        if (b.rank() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
        if (a.rank() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
        int m = a.size(-2), k = a.size(-1), k2 = b.size(-2), n = b.size(-1);
        if (k != k2)
            throw new IllegalArgumentException("matmul: " + Shapes.str(a.shape) + " x " + Shapes.str(b.shape)
                    + ": inner dimensions " + k + " and " + k2 + " differ");
        int[] batch = Shapes.broadcast("matmul",
                Arrays.copyOf(a.shape, a.rank() - 2), Arrays.copyOf(b.shape, b.rank() - 2));
        Operand oa = Operand.of(a, batch), ob = Operand.of(b, batch);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        long count = (long) m * n;
        for (int d : batch) count *= d;
        if (count > Shapes.MAX_ELEMENTS)
            throw Shapes.tooLarge("matmul", Shapes.str(a.shape) + " x " + Shapes.str(b.shape) + ": the output "
                    + Shapes.str(outShape), count);
        Tensor out = Tensor.empty("matmul", a.device(), outShape);
        // An empty batch, m or n leaves nothing to compute; k = 0 makes every output the empty sum, 0.
        if (count > 0 && k == 0) a.backend().fill(out.buffer(), (int) count, 0f);
        else if (count > 0)
            a.backend().matmul(oa.dense.buffer(), ob.dense.buffer(), out.buffer(), Shapes.numel(batch),
                    m, n, k, oa.transposed, ob.transposed, oa.batchStride, ob.batchStride);
        return out.recorded("matmul", g -> new Tensor[] {
                a.requiresGrad() ? ViewOps.sumTo(g.matmul(b.transpose(-1, -2)), a.shape) : null,
                b.requiresGrad() ? ViewOps.sumTo(a.transpose(-1, -2).matmul(g), b.shape) : null}, a, b);
    }

    static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int strideH, int strideW, int padH, int padW) {
        ElementwiseOps.sameDevice("conv2d", x, w, bias);
        if (x.rank() != 4 || w.rank() != 4)
            throw new IllegalArgumentException("conv2d: input " + Shapes.str(x.shape) + " must be (N, C, H, W) and weight "
                    + Shapes.str(w.shape) + " must be (O, C, kh, kw)");
        if (x.size(1) != w.size(1))
            throw new IllegalArgumentException("conv2d: input " + Shapes.str(x.shape) + " has " + x.size(1)
                    + " channels but weight " + Shapes.str(w.shape) + " expects " + w.size(1));
        if (bias != null && (bias.rank() != 1 || bias.size(0) != w.size(0)))
            throw new IllegalArgumentException("conv2d: bias " + Shapes.str(bias.shape) + " must be (" + w.size(0) + ",)");
        ConvGeometry g;
        try {
            g = new ConvGeometry(x.size(0), x.size(1), x.size(2), x.size(3), w.size(0), w.size(2), w.size(3),
                    strideH, strideW, padH, padW);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("conv2d of input " + Shapes.str(x.shape) + " and weight " + Shapes.str(w.shape)
                    + ", stride " + strideH + "x" + strideW + ", padding " + padH + "x" + padW + ": " + e.getMessage(), e);
        }
        Tensor xd = x.dense(), wd = w.dense(), bd = bias == null ? null : bias.dense();
        Tensor out = Tensor.empty("conv2d", x.device(), g.n(), g.cOut(), g.outH(), g.outW());
        // a batch of 0 images (PyTorch allows it): an empty output, and no image adds to the weight gradient
        boolean none = g.n() == 0;
        if (!none) x.backend().conv2d(xd.buffer(), wd.buffer(), bd == null ? null : bd.buffer(), out.buffer(), g);
        return out.recorded("conv2d", gy -> {
            Tensor gyd = gy.dense();
            Tensor gx = null, gw = null, gb = null;
            if (x.requiresGrad()) {
                gx = Tensor.empty(gy.device(), x.shape);
                if (!none) gy.backend().conv2dBackwardInput(gyd.buffer(), wd.buffer(), gx.buffer(), g);
            }
            if (w.requiresGrad() || (bias != null && bias.requiresGrad())) {
                if (none) {
                    gw = Tensor.zeros(gy.device(), w.shape);
                    gb = bias == null ? null : Tensor.zeros(gy.device(), bias.shape);
                    return new Tensor[] {gx, gw, gb};
                }
                gw = Tensor.empty(gy.device(), w.shape);
                gb = bias == null ? null : Tensor.empty(gy.device(), bias.shape);
                gy.backend().conv2dBackwardWeight(xd.buffer(), gyd.buffer(), gw.buffer(), gb == null ? null : gb.buffer(), g);
            }
            return new Tensor[] {gx, gw, gb};
        }, x, w, bias);
    }
}
