package dev.jgrad.engine;

/**
 * The sizes of one 2-D pooling: input {@code (n, c, h, w)}, window {@code kh x kw}, output
 * {@code (n, c, outH, outW)} with {@code outH = (h + 2 padH - kh) / strideH + 1}. Padding counts
 * as minus infinity for max-pooling and as zeros in the average (PyTorch's
 * {@code count_include_pad=True}).
 */
public record PoolGeometry(int n, int c, int h, int w, int kh, int kw,
                           int strideH, int strideW, int padH, int padW) {

    public PoolGeometry {
        if (n < 1 || c < 1 || h < 1 || w < 1 || kh < 1 || kw < 1)
            throw new IllegalArgumentException("pool2d: sizes must be positive: " + this);
        if (strideH < 1 || strideW < 1 || padH < 0 || padW < 0)
            throw new IllegalArgumentException("pool2d: stride must be >= 1 and padding >= 0: " + this);
        if (2 * padH > kh || 2 * padW > kw)
            throw new IllegalArgumentException("pool2d: padding " + padH + "x" + padW
                    + " must be at most half the window " + kh + "x" + kw);
        if (h + 2 * padH < kh || w + 2 * padW < kw)
            throw new IllegalArgumentException("pool2d: window " + kh + "x" + kw
                    + " is larger than the padded input " + (h + 2 * padH) + "x" + (w + 2 * padW));
    }

    public int outH() { return (h + 2 * padH - kh) / strideH + 1; }

    public int outW() { return (w + 2 * padW - kw) / strideW + 1; }
}
