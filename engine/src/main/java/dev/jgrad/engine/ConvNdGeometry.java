package dev.jgrad.engine;

/**
 * The sizes of one grouped, dilated, N-d convolution with 1 to 3 spatial dims, stored as 3-D
 * (a 1-D or 2-D convolution has leading spatial sizes 1, kernel 1, stride 1, no padding):
 * input {@code (n, cIn, d, h, w)}, weight {@code (cOut, cIn / groups, kd, kh, kw)}, output
 * {@code (n, cOut, outD, outH, outW)} with, per spatial dim,
 * {@code out = (in + padBegin + padEnd - dilation * (k - 1) - 1) / stride + 1} (PyTorch's and
 * ONNX's formula; ONNX {@code pads} give begin and end separately). Output channel {@code co}
 * sees input channels {@code [g * cIn/groups, (g + 1) * cIn/groups)} with {@code g = co / (cOut/groups)}.
 *
 * <p>A separate record from {@link ConvGeometry} on purpose: the existing 2-D kernels and their
 * fast paths read {@code padH}/{@code padW} as symmetric padding and assume one group, so a
 * geometry they cannot compute never reaches them.
 *
 * @param dims spatial dims the caller has (1, 2 or 3), for messages only
 */
public record ConvNdGeometry(int dims, int n, int cIn, int d, int h, int w, int cOut, int kd, int kh, int kw,
                             int strideD, int strideH, int strideW,
                             int padD0, int padD1, int padH0, int padH1, int padW0, int padW1,
                             int dilD, int dilH, int dilW, int groups) {

    public ConvNdGeometry {
        String text = text(dims, n, cIn, d, h, w, cOut, kd, kh, kw, strideD, strideH, strideW,
                padD0, padD1, padH0, padH1, padW0, padW1, dilD, dilH, dilW, groups);
        if (dims < 1 || dims > 3)
            throw new IllegalArgumentException("conv: 1 to 3 spatial dims, not " + dims + ": " + text);
        if (n < 0 || cIn < 1 || d < 1 || h < 1 || w < 1 || cOut < 1 || kd < 1 || kh < 1 || kw < 1)
            throw new IllegalArgumentException("conv: sizes must be positive (the batch n may be 0): " + text);
        if (strideD < 1 || strideH < 1 || strideW < 1 || dilD < 1 || dilH < 1 || dilW < 1)
            throw new IllegalArgumentException("conv: stride and dilation must be >= 1: " + text);
        if ((padD0 | padD1 | padH0 | padH1 | padW0 | padW1) < 0)
            throw new IllegalArgumentException("conv: padding must be >= 0: " + text);
        if (groups < 1 || cIn % groups != 0 || cOut % groups != 0)
            throw new IllegalArgumentException("conv: groups " + groups + " must divide both cIn " + cIn
                    + " and cOut " + cOut + ": " + text);
        long[] span = {(long) dilD * (kd - 1) + 1, (long) dilH * (kh - 1) + 1, (long) dilW * (kw - 1) + 1};
        long[] padded = {(long) d + padD0 + padD1, (long) h + padH0 + padH1, (long) w + padW0 + padW1};
        for (int i = 0; i < 3; i++) {
            if (padded[i] < span[i])
                throw new IllegalArgumentException("conv: the dilated kernel spans " + span[0] + "x" + span[1] + "x" + span[2]
                        + ", more than the padded input " + padded[0] + "x" + padded[1] + "x" + padded[2] + ": " + text);
            if (padded[i] > Integer.MAX_VALUE)
                throw new IllegalArgumentException("conv: the padded input " + padded[0] + "x" + padded[1] + "x" + padded[2]
                        + " is larger than an int can index: " + text);
        }
        long outSpatial = 1;
        for (int i = 0; i < 3; i++) outSpatial *= (padded[i] - span[i]) / new int[] {strideD, strideH, strideW}[i] + 1;
        long input = (long) n * cIn * d * h * w, output = (long) n * cOut * outSpatial;
        long weights = (long) cOut * (cIn / groups) * kd * kh * kw;
        if (input > Shapes.MAX_ELEMENTS || output > Shapes.MAX_ELEMENTS || weights > Shapes.MAX_ELEMENTS
                || outSpatial > Shapes.MAX_ELEMENTS || (long) (cIn / groups) * kd * kh * kw > Shapes.MAX_ELEMENTS)
            throw Shapes.tooLarge("conv", "the input, weight or output of " + text, Math.max(input, Math.max(output, weights)));
    }

    private static String text(int... v) {
        String[] names = {"dims", "n", "cIn", "d", "h", "w", "cOut", "kd", "kh", "kw", "strideD", "strideH", "strideW",
                "padD0", "padD1", "padH0", "padH1", "padW0", "padW1", "dilD", "dilH", "dilW", "groups"};
        StringBuilder s = new StringBuilder("ConvNdGeometry[");
        for (int i = 0; i < v.length; i++) s.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(v[i]);
        return s.append(']').toString();
    }

    private static int out(int in, int p0, int p1, int dil, int k, int stride) {
        return (in + p0 + p1 - dil * (k - 1) - 1) / stride + 1;
    }

    public int outD() { return out(d, padD0, padD1, dilD, kd, strideD); }

    public int outH() { return out(h, padH0, padH1, dilH, kh, strideH); }

    public int outW() { return out(w, padW0, padW1, dilW, kw, strideW); }

    /** Input channels per group. */
    public int cInPerGroup() { return cIn / groups; }

    /** Output channels per group. */
    public int cOutPerGroup() { return cOut / groups; }

    /** Rows of one group's im2col matrix: {@code cIn/groups * kd * kh * kw}. */
    public int patchSize() { return cInPerGroup() * kd * kh * kw; }

    /** Output pixels of one image and channel: {@code outD * outH * outW}. */
    public int outSpatial() { return outD() * outH() * outW(); }

    /** Floats of the input {@code (n, cIn, d, h, w)}. */
    public long inputElements() { return (long) n * cIn * d * h * w; }

    /** Floats of the weight {@code (cOut, cIn/groups, kd, kh, kw)}. */
    public long weightElements() { return (long) cOut * patchSize(); }

    /** Floats of the output {@code (n, cOut, outD, outH, outW)}. */
    public long outputElements() { return (long) n * cOut * outSpatial(); }

    /** Floats of one group's im2col matrices of {@code images} images, in 64 bits. */
    public long columnElements(long images) { return images * patchSize() * (long) outSpatial(); }

    /**
     * Throws an IllegalArgumentException naming {@code where}, the geometry and the limit when the
     * im2col matrices of {@code images} images (one group) would hold more than
     * {@link Shapes#MAX_ELEMENTS} floats.
     */
    public void requireColumnsFit(String where, long images) {
        long columns = columnElements(images);
        if (columns > Shapes.MAX_ELEMENTS)
            throw new IllegalArgumentException(where + ": " + this + ": the im2col matrix of " + images
                    + (images == 1 ? " image" : " images") + " would hold " + images + " x " + patchSize() + " x "
                    + outSpatial() + " = " + columns + " floats, more than the " + Shapes.MAX_ELEMENTS + " a buffer can hold");
    }
}
