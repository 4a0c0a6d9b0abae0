package dev.jgrad.engine;

/**
 * The sizes and options of one max- or average-pooling over {@code (n, c, d, h, w)}, with PyTorch's
 * conventions ({@code torch.nn.MaxPool3d}, {@code AvgPool3d}). A 1-D pooling of {@code (n, c, w)}
 * is this geometry with {@code d = h = 1} and a {@code 1 x 1 x kw} window, a 2-D pooling of
 * {@code (n, c, h, w)} one with {@code d = 1} ({@link #pool1d}, {@link #pool2d}): the buffers are
 * the same, only the shapes differ.
 *
 * <p>Per dimension, with input {@code i}, window {@code k}, stride {@code s}, padding {@code p} and
 * dilation {@code dil} (max-pooling only; 1 for average-pooling), the output is
 * {@code o = floor((i + 2p - dil (k - 1) - 1 + (ceilMode ? s - 1 : 0)) / s) + 1}, and with
 * {@code ceilMode} one less where the last window would start at or past {@code i + p} (every
 * window starts inside the input or its left padding). Window {@code j} reads the taps
 * {@code j s - p + t dil}, {@code t < k}, that fall inside the input.
 *
 * <p>Max-pooling treats padding as minus infinity. Average-pooling divides each window's sum by
 * {@code divisorOverride} when it is positive; otherwise, with {@code countIncludePad}, by the
 * window's size clipped to the padded input ({@code min(j s - p + k, i + p) - (j s - p)} per
 * dimension: a window that ceil mode lets run past the right padding counts only up to it, as in
 * PyTorch), and without it by the number of taps inside the input (ONNX's default).
 *
 * <p>Checks, as PyTorch makes them: every size positive (the batch {@code n} may be 0), stride and
 * dilation at least 1, padding between 0 and half the window, and every output size at least 1.
 */
public record Pool3dGeometry(int n, int c, int d, int h, int w,
                             int kd, int kh, int kw,
                             int strideD, int strideH, int strideW,
                             int padD, int padH, int padW,
                             int dilationD, int dilationH, int dilationW,
                             boolean ceilMode, boolean countIncludePad, int divisorOverride) {

    public Pool3dGeometry {
        String why = problem(n, c, d, h, w, kd, kh, kw, strideD, strideH, strideW, padD, padH, padW,
                dilationD, dilationH, dilationW, divisorOverride, ceilMode);
        if (why != null)
            throw new IllegalArgumentException("pool3d: " + why + ": Pool3dGeometry[n=" + n + ", c=" + c + ", input "
                    + d + "x" + h + "x" + w + ", window " + kd + "x" + kh + "x" + kw + ", stride " + strideD + "x"
                    + strideH + "x" + strideW + ", padding " + padD + "x" + padH + "x" + padW + ", dilation "
                    + dilationD + "x" + dilationH + "x" + dilationW + ", ceilMode=" + ceilMode + ", countIncludePad="
                    + countIncludePad + ", divisorOverride=" + divisorOverride + "]");
    }

    /** Plain 3-D pooling: no dilation, floor mode, padding counted in the average. */
    public static Pool3dGeometry of(int n, int c, int d, int h, int w, int kd, int kh, int kw,
                                    int strideD, int strideH, int strideW, int padD, int padH, int padW) {
        return new Pool3dGeometry(n, c, d, h, w, kd, kh, kw, strideD, strideH, strideW, padD, padH, padW,
                1, 1, 1, false, true, 0);
    }

    /** The 2-D pooling of {@code g} as a 3-D one of depth 1. */
    public static Pool3dGeometry of(PoolGeometry g) {
        return pool2d(g.n(), g.c(), g.h(), g.w(), g.kh(), g.kw(), g.strideH(), g.strideW(), g.padH(), g.padW(),
                1, 1, false, true, 0);
    }

    /** A 1-D pooling of {@code (n, c, w)}: depth and height 1. */
    public static Pool3dGeometry pool1d(int n, int c, int w, int kw, int strideW, int padW, int dilationW,
                                        boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        return new Pool3dGeometry(n, c, 1, 1, w, 1, 1, kw, 1, 1, strideW, 0, 0, padW, 1, 1, dilationW,
                ceilMode, countIncludePad, divisorOverride);
    }

    /** A 2-D pooling of {@code (n, c, h, w)}: depth 1. */
    public static Pool3dGeometry pool2d(int n, int c, int h, int w, int kh, int kw, int strideH, int strideW,
                                        int padH, int padW, int dilationH, int dilationW,
                                        boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        return new Pool3dGeometry(n, c, 1, h, w, 1, kh, kw, 1, strideH, strideW, 0, padH, padW, 1, dilationH, dilationW,
                ceilMode, countIncludePad, divisorOverride);
    }

    public int outD() { return outSize(d, kd, strideD, padD, dilationD, ceilMode); }

    public int outH() { return outSize(h, kh, strideH, padH, dilationH, ceilMode); }

    public int outW() { return outSize(w, kw, strideW, padW, dilationW, ceilMode); }

    /** Floats in one input plane, {@code d * h * w}. */
    public int planeIn() { return d * h * w; }

    /** Floats in one output plane, {@code outD * outH * outW}. */
    public int planeOut() { return outD() * outH() * outW(); }

    /**
     * The divisor of average-pooling window {@code (od, oh, ow)}; see the class comment.
     */
    public int divisor(int od, int oh, int ow) {
        if (divisorOverride > 0) return divisorOverride;
        return span(od, d, kd, strideD, padD) * span(oh, h, kh, strideH, padH) * span(ow, w, kw, strideW, padW);
    }

    /** Whether this is a 2-D pooling that {@link PoolGeometry} describes exactly (the old kernels' case). */
    public boolean isPlain2d() {
        return d == 1 && kd == 1 && strideD == 1 && padD == 0 && dilationH == 1 && dilationW == 1 && dilationD == 1
                && !ceilMode && countIncludePad && divisorOverride == 0;
    }

    /** This geometry as a {@link PoolGeometry}; only where {@link #isPlain2d()}. */
    public PoolGeometry as2d() {
        if (!isPlain2d()) throw new IllegalStateException("not a plain 2-D pooling: " + this);
        return new PoolGeometry(n, c, h, w, kh, kw, strideH, strideW, padH, padW);
    }

    /** Taps of window {@code o} that the divisor counts in one dimension. */
    private int span(int o, int size, int k, int s, int p) {
        int start = o * s - p, end = Math.min(start + k, size + p);
        if (countIncludePad) return end - start;
        return Math.min(end, size) - Math.max(start, 0);
    }

    /** One dimension's output size (PyTorch's {@code pooling_output_shape}). */
    static int outSize(int size, int k, int s, int p, int dil, boolean ceil) {
        long span = (long) size + 2L * p - (long) dil * (k - 1) - 1 + (ceil ? s - 1 : 0);
        long out = Math.floorDiv(span, s) + 1;
        if (ceil && (out - 1) * s >= (long) size + p) out--;
        return (int) out;
    }

    private static String problem(int n, int c, int d, int h, int w, int kd, int kh, int kw, int sd, int sh, int sw,
                                  int pd, int ph, int pw, int dd, int dh, int dw, int divisorOverride, boolean ceil) {
        if (n < 0 || c < 1 || d < 1 || h < 1 || w < 1 || kd < 1 || kh < 1 || kw < 1)
            return "sizes must be positive (the batch n may be 0)";
        if (sd < 1 || sh < 1 || sw < 1) return "stride must be >= 1";
        if (dd < 1 || dh < 1 || dw < 1) return "dilation must be >= 1";
        if (pd < 0 || ph < 0 || pw < 0) return "padding must be >= 0";
        if (2L * pd > kd || 2L * ph > kh || 2L * pw > kw) return "padding must be at most half the window";
        if (divisorOverride < 0) return "divisorOverride must be positive, or 0 for none";
        if ((long) d + 2L * pd > Integer.MAX_VALUE || (long) h + 2L * ph > Integer.MAX_VALUE
                || (long) w + 2L * pw > Integer.MAX_VALUE)
            return "the padded input is larger than an int can index";
        if ((long) dd * (kd - 1) + 1 > Integer.MAX_VALUE || (long) dh * (kh - 1) + 1 > Integer.MAX_VALUE
                || (long) dw * (kw - 1) + 1 > Integer.MAX_VALUE)
            return "the dilated window is larger than an int can index";
        if (outSize(d, kd, sd, pd, dd, ceil) < 1 || outSize(h, kh, sh, ph, dh, ceil) < 1
                || outSize(w, kw, sw, pw, dw, ceil) < 1)
            return "the (dilated) window is larger than the padded input: the output would be empty";
        return null;
    }
}
