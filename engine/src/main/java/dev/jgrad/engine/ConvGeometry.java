package dev.jgrad.engine;

/**
 * The sizes of one 2-D convolution: input {@code (n, cIn, h, w)}, weight
 * {@code (cOut, cIn, kh, kw)}, output {@code (n, cOut, outH, outW)} with
 * {@code outH = (h + 2 padH - kh) / strideH + 1} and likewise for the width.
 */
public record ConvGeometry(int n, int cIn, int h, int w, int cOut, int kh, int kw,
                           int strideH, int strideW, int padH, int padW) {

    public ConvGeometry {
        if (n < 1 || cIn < 1 || h < 1 || w < 1 || cOut < 1 || kh < 1 || kw < 1)
            throw new IllegalArgumentException("conv2d: sizes must be positive: " + this);
        if (strideH < 1 || strideW < 1 || padH < 0 || padW < 0)
            throw new IllegalArgumentException("conv2d: stride must be >= 1 and padding >= 0: " + this);
        if (h + 2 * padH < kh || w + 2 * padW < kw)
            throw new IllegalArgumentException("conv2d: kernel " + kh + "x" + kw
                    + " is larger than the padded input " + (h + 2 * padH) + "x" + (w + 2 * padW));
    }

    public int outH() { return (h + 2 * padH - kh) / strideH + 1; }

    public int outW() { return (w + 2 * padW - kw) / strideW + 1; }

    /** Rows of the im2col matrix: {@code cIn * kh * kw}. */
    public int patchSize() { return cIn * kh * kw; }
}
