package dev.jgrad.engine;

/**
 * The sizes of one 2-D convolution: input {@code (n, cIn, h, w)}, weight
 * {@code (cOut, cIn, kh, kw)}, output {@code (n, cOut, outH, outW)} with
 * {@code outH = (h + 2 padH - kh) / strideH + 1} and likewise for the width. A batch of
 * {@code n = 0} is allowed (as in PyTorch: the output is empty); every other size is positive.
 */
public record ConvGeometry(int n, int cIn, int h, int w, int cOut, int kh, int kw,
                           int strideH, int strideW, int padH, int padW) {

    public ConvGeometry {
        if (n < 0 || cIn < 1 || h < 1 || w < 1 || cOut < 1 || kh < 1 || kw < 1)
            throw new IllegalArgumentException("conv2d: sizes must be positive (the batch n may be 0): " + text(n, cIn, h, w, cOut, kh, kw, strideH, strideW, padH, padW));
        if (strideH < 1 || strideW < 1 || padH < 0 || padW < 0)
            throw new IllegalArgumentException("conv2d: stride must be >= 1 and padding >= 0: " + text(n, cIn, h, w, cOut, kh, kw, strideH, strideW, padH, padW));
        if ((long) h + 2L * padH < kh || (long) w + 2L * padW < kw)
            throw new IllegalArgumentException("conv2d: kernel " + kh + "x" + kw
                    + " is larger than the padded input " + ((long) h + 2L * padH) + "x" + ((long) w + 2L * padW) + ": " + text(n, cIn, h, w, cOut, kh, kw, strideH, strideW, padH, padW));
        if ((long) h + 2L * padH > Integer.MAX_VALUE || (long) w + 2L * padW > Integer.MAX_VALUE)
            throw new IllegalArgumentException("conv2d: the padded input " + ((long) h + 2L * padH) + "x" + ((long) w + 2L * padW)
                    + " is larger than an int can index (" + Integer.MAX_VALUE + "): "
                    + text(n, cIn, h, w, cOut, kh, kw, strideH, strideW, padH, padW));
        long outH = ((long) h + 2L * padH - kh) / strideH + 1, outW = ((long) w + 2L * padW - kw) / strideW + 1;
        long input = (long) n * cIn * h * w, output = (long) n * cOut * outH * outW, weights = (long) cOut * cIn * kh * kw;
        if (input > Shapes.MAX_ELEMENTS || output > Shapes.MAX_ELEMENTS || weights > Shapes.MAX_ELEMENTS
                || outH * outW > Shapes.MAX_ELEMENTS || (long) cIn * kh * kw > Shapes.MAX_ELEMENTS)
            throw Shapes.tooLarge("conv2d", "the input (" + n + ", " + cIn + ", " + h + ", " + w + "), weight ("
                    + cOut + ", " + cIn + ", " + kh + ", " + kw + ") or output (" + n + ", " + cOut + ", " + outH + ", " + outW
                    + ")", Math.max(input, Math.max(output, weights)));
    }

    /** The fields as the record prints them (a compact constructor's {@code this} still holds zeros). */
    private static String text(int n, int cIn, int h, int w, int cOut, int kh, int kw,
                               int strideH, int strideW, int padH, int padW) {
        return "ConvGeometry[n=" + n + ", cIn=" + cIn + ", h=" + h + ", w=" + w + ", cOut=" + cOut + ", kh=" + kh
                + ", kw=" + kw + ", strideH=" + strideH + ", strideW=" + strideW + ", padH=" + padH + ", padW=" + padW + "]";
    }

    public int outH() { return (h + 2 * padH - kh) / strideH + 1; }

    public int outW() { return (w + 2 * padW - kw) / strideW + 1; }

    /** Rows of the im2col matrix: {@code cIn * kh * kw}. */
    public int patchSize() { return cIn * kh * kw; }

    /** Floats of the im2col matrices of {@code images} images: {@code images * patchSize * outH * outW}, in 64 bits. */
    public long columnElements(long images) {
        return images * patchSize() * ((long) outH() * outW());
    }

    /**
     * Throws an IllegalArgumentException naming the op, the shapes and the limit when the im2col
     * matrices of {@code images} images (the scratch an im2col kernel of {@code where}, such as
     * {@code "conv2d on cpu-looped"}, needs at once) would hold more than
     * {@link Shapes#MAX_ELEMENTS} floats.
     */
    public void requireColumnsFit(String where, long images) {
        long columns = columnElements(images);
        if (columns > Shapes.MAX_ELEMENTS)
            throw new IllegalArgumentException(where + ": input (" + n + ", " + cIn + ", " + h + ", " + w + "), weight ("
                    + cOut + ", " + cIn + ", " + kh + ", " + kw + "), stride " + strideH + "x" + strideW + ", padding "
                    + padH + "x" + padW + ": the im2col matrix of " + images + (images == 1 ? " image" : " images") + " would hold "
                    + images + " x " + patchSize() + " x " + ((long) outH() * outW()) + " = " + columns
                    + " floats, more than the " + Shapes.MAX_ELEMENTS + " a buffer can hold");
    }
}
