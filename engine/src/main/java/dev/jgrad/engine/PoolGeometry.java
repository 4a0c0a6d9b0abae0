package dev.jgrad.engine;

/**
 * The sizes of one 2-D pooling: input {@code (n, c, h, w)}, window {@code kh x kw}, output
 * {@code (n, c, outH, outW)} with {@code outH = (h + 2 padH - kh) / strideH + 1}. Padding counts
 * as minus infinity for max-pooling and as zeros in the average (PyTorch's
 * {@code count_include_pad=True}). A batch of {@code n = 0} is allowed (the output is empty).
 */
public record PoolGeometry(int n, int c, int h, int w, int kh, int kw,
                           int strideH, int strideW, int padH, int padW) {

    public PoolGeometry {
        if (n < 0 || c < 1 || h < 1 || w < 1 || kh < 1 || kw < 1)
            throw new IllegalArgumentException("pool2d: sizes must be positive (the batch n may be 0): " + text(n, c, h, w, kh, kw, strideH, strideW, padH, padW));
        if (strideH < 1 || strideW < 1 || padH < 0 || padW < 0)
            throw new IllegalArgumentException("pool2d: stride must be >= 1 and padding >= 0: " + text(n, c, h, w, kh, kw, strideH, strideW, padH, padW));
        if (2L * padH > kh || 2L * padW > kw)
            throw new IllegalArgumentException("pool2d: padding " + padH + "x" + padW
                    + " must be at most half the window " + kh + "x" + kw + ": " + text(n, c, h, w, kh, kw, strideH, strideW, padH, padW));
        if ((long) h + 2L * padH > Integer.MAX_VALUE || (long) w + 2L * padW > Integer.MAX_VALUE)
            throw new IllegalArgumentException("pool2d: the padded input " + ((long) h + 2L * padH) + "x" + ((long) w + 2L * padW)
                    + " is larger than an int can index (" + Integer.MAX_VALUE + "): "
                    + text(n, c, h, w, kh, kw, strideH, strideW, padH, padW));
        if ((long) h + 2L * padH < kh || (long) w + 2L * padW < kw)
            throw new IllegalArgumentException("pool2d: window " + kh + "x" + kw
                    + " is larger than the padded input " + ((long) h + 2L * padH) + "x" + ((long) w + 2L * padW) + ": " + text(n, c, h, w, kh, kw, strideH, strideW, padH, padW));
    }

    /** The fields as the record prints them (a compact constructor's {@code this} still holds zeros). */
    private static String text(int n, int c, int h, int w, int kh, int kw, int strideH, int strideW, int padH, int padW) {
        return "PoolGeometry[n=" + n + ", c=" + c + ", h=" + h + ", w=" + w + ", kh=" + kh + ", kw=" + kw
                + ", strideH=" + strideH + ", strideW=" + strideW + ", padH=" + padH + ", padW=" + padW + "]";
    }

    public int outH() { return (h + 2 * padH - kh) / strideH + 1; }

    public int outW() { return (w + 2 * padW - kw) / strideW + 1; }
}
