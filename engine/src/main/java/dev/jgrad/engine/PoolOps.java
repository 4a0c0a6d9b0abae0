package dev.jgrad.engine;

import java.util.Arrays;

/**
 * Max-, average- and adaptive pooling over 1, 2 or 3 spatial dimensions, PyTorch's
 * {@code max_pool1d/2d/3d}, {@code avg_pool1d/2d/3d}, {@code adaptive_avg_pool*} and
 * {@code adaptive_max_pool*}. The input is {@code (N, C, *spatial)} or, unbatched,
 * {@code (C, *spatial)}; the number of spatial dimensions is the length of the window (or output
 * size) given. Every pooling becomes one 3-D pooling over size-1 leading dimensions
 * ({@link Pool3dGeometry}, {@link AdaptivePoolGeometry}), one Backend call forward and one back.
 */
final class PoolOps {
    private PoolOps() {}

    /** The input's sizes as {@code (n, c, d, h, w)}, spatial dims padded with leading 1s; the op's name in errors. */
    private static int[] sizes5(String op, Tensor x, int dims) {
        if (dims < 1 || dims > 3)
            throw new IllegalArgumentException(op + ": pools 1, 2 or 3 spatial dimensions, got a window of " + dims);
        boolean batched = x.rank() == dims + 2;
        if (!batched && x.rank() != dims + 1)
            throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape) + " must be (N, C" + ", *".repeat(0)
                    + spatialNames(dims) + ") or (C" + spatialNames(dims) + ") for a " + dims + "-D pooling");
        int[] s = {batched ? x.size(0) : 1, x.size(batched ? 1 : 0), 1, 1, 1};
        for (int i = 0; i < dims; i++) s[2 + 3 - dims + i] = x.size(x.rank() - dims + i);
        return s;
    }

    private static String spatialNames(int dims) {
        return switch (dims) {
            case 1 -> ", L";
            case 2 -> ", H, W";
            default -> ", D, H, W";
        };
    }

    /** {@code v} (one entry per spatial dim, or one for all of them) as three, leading entries {@code fill}. */
    private static int[] three(String op, String what, int[] v, int dims, int fill) {
        if (v.length != dims && v.length != 1)
            throw new IllegalArgumentException(op + ": " + what + " " + Arrays.toString(v) + " must have 1 or " + dims + " entries");
        int[] r = {fill, fill, fill};
        for (int i = 0; i < dims; i++) r[3 - dims + i] = v.length == 1 ? v[0] : v[i];
        return r;
    }

    /** The output shape: the input's with the spatial sizes replaced by {@code od, oh, ow}'s last {@code dims}. */
    private static int[] outShape(Tensor x, int dims, int od, int oh, int ow) {
        int[] shape = x.shape.clone(), o = {od, oh, ow};
        for (int i = 0; i < dims; i++) shape[x.rank() - dims + i] = o[3 - dims + i];
        return shape;
    }

    private static Pool3dGeometry geometry(String op, Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                           boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        int dims = kernel.length;
        int[] s = sizes5(op, x, dims);
        int[] k = three(op, "kernel", kernel, dims, 1);
        int[] st = stride == null || stride.length == 0 ? k : three(op, "stride", stride, dims, 1);
        int[] p = three(op, "padding", padding, dims, 0), dl = three(op, "dilation", dilation, dims, 1);
        try {
            Pool3dGeometry g = new Pool3dGeometry(s[0], s[1], s[2], s[3], s[4], k[0], k[1], k[2], st[0], st[1], st[2],
                    p[0], p[1], p[2], dl[0], dl[1], dl[2], ceilMode, countIncludePad, divisorOverride);
            if (op.startsWith("max") && g.planeIn() > Backend.MAX_POOL_PLANE)
                throw new IllegalArgumentException("a plane of " + g.planeIn() + " floats is more than the "
                        + Backend.MAX_POOL_PLANE + " that argmax indexes exactly");
            return g;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + " of input " + Shapes.str(x.shape) + ", kernel " + Arrays.toString(kernel)
                    + ", stride " + (stride == null ? "= kernel" : Arrays.toString(stride)) + ", padding "
                    + Arrays.toString(padding) + ", dilation " + Arrays.toString(dilation) + ", ceilMode " + ceilMode
                    + ": " + e.getMessage(), e);
        }
    }

    static Tensor maxPool(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        String op = "maxPool" + kernel.length + "d";
        Pool3dGeometry g = geometry(op, x, kernel, stride, padding, dilation, ceilMode, true, 0);
        Tensor xd = x.dense();
        int[] shape = outShape(x, kernel.length, g.outD(), g.outH(), g.outW());
        Tensor out = Tensor.empty(op, x.device(), shape);
        Tensor argmax = Tensor.empty(x.device(), shape);
        if (g.n() > 0) x.backend().maxPool3d(xd.buffer(), out.buffer(), argmax.buffer(), g);
        return out.recorded(op, gy -> {
            Tensor gx = Tensor.empty(gy.device(), x.shape);
            if (g.n() > 0) gy.backend().maxPool3dBackward(gy.dense().buffer(), argmax.buffer(), gx.buffer(), g);
            return new Tensor[] {gx};
        }, x);
    }

    static Tensor avgPool(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                          int divisorOverride) {
        String op = "avgPool" + kernel.length + "d";
        Pool3dGeometry g = geometry(op, x, kernel, stride, padding, new int[] {1}, ceilMode, countIncludePad, divisorOverride);
        Tensor out = Tensor.empty(op, x.device(), outShape(x, kernel.length, g.outD(), g.outH(), g.outW()));
        if (g.n() > 0) x.backend().avgPool3d(x.dense().buffer(), out.buffer(), g);
        return out.recorded(op, gy -> {
            Tensor gx = Tensor.empty(gy.device(), x.shape);
            if (g.n() > 0) gy.backend().avgPool3dBackward(gy.dense().buffer(), gx.buffer(), g);
            return new Tensor[] {gx};
        }, x);
    }

    private static AdaptivePoolGeometry adaptive(String op, Tensor x, int[] outputSize) {
        int dims = outputSize.length;
        int[] s = sizes5(op, x, dims), o = three(op, "output size", outputSize, dims, 1);
        try {
            AdaptivePoolGeometry g = new AdaptivePoolGeometry(s[0], s[1], s[2], s[3], s[4], o[0], o[1], o[2]);
            if (op.startsWith("adaptiveMax") && g.planeIn() > Backend.MAX_POOL_PLANE)
                throw new IllegalArgumentException("a plane of " + g.planeIn() + " floats is more than the "
                        + Backend.MAX_POOL_PLANE + " that argmax indexes exactly");
            return g;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + " of input " + Shapes.str(x.shape) + " to output size "
                    + Arrays.toString(outputSize) + ": " + e.getMessage(), e);
        }
    }

    static Tensor adaptiveAvgPool(Tensor x, int[] outputSize) {
        String op = "adaptiveAvgPool" + outputSize.length + "d";
        AdaptivePoolGeometry g = adaptive(op, x, outputSize);
        Tensor out = Tensor.empty(op, x.device(), outShape(x, outputSize.length, g.outD(), g.outH(), g.outW()));
        if (g.n() > 0) x.backend().adaptiveAvgPool3d(x.dense().buffer(), out.buffer(), g);
        return out.recorded(op, gy -> {
            Tensor gx = Tensor.empty(gy.device(), x.shape);
            if (g.n() > 0) gy.backend().adaptiveAvgPool3dBackward(gy.dense().buffer(), gx.buffer(), g);
            return new Tensor[] {gx};
        }, x);
    }

    static Tensor adaptiveMaxPool(Tensor x, int[] outputSize) {
        String op = "adaptiveMaxPool" + outputSize.length + "d";
        AdaptivePoolGeometry g = adaptive(op, x, outputSize);
        int[] shape = outShape(x, outputSize.length, g.outD(), g.outH(), g.outW());
        Tensor out = Tensor.empty(op, x.device(), shape);
        Tensor argmax = Tensor.empty(x.device(), shape);
        if (g.n() > 0) x.backend().adaptiveMaxPool3d(x.dense().buffer(), out.buffer(), argmax.buffer(), g);
        return out.recorded(op, gy -> {
            Tensor gx = Tensor.empty(gy.device(), x.shape);
            if (g.n() > 0) gy.backend().adaptiveMaxPool3dBackward(gy.dense().buffer(), argmax.buffer(), gx.buffer(), g);
            return new Tensor[] {gx};
        }, x);
    }
}
