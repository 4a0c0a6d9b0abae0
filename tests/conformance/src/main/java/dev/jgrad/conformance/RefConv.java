package dev.jgrad.conformance;

/**
 * Float64 references of grouped, dilated, asymmetrically padded N-d convolution (1 to 3 spatial
 * dims) and of its transpose, as direct loops over output (or input) pixels and taps: no im2col,
 * nothing shared with the engine. PyTorch's conventions: weight {@code (cOut, cIn/groups, k...)}
 * for convolution and {@code (cIn, cOut/groups, k...)} for the transpose.
 */
final class RefConv {
    private RefConv() {}

    /**
     * {@code out[b, o, p] = bias[o] + sum over c in o's group and taps t of
     * x[b, c, p * stride - padBegin + t * dilation] * w[o, c - group start, t]} (zero outside x).
     */
    static Ref conv(Ref x, Ref w, Ref bias, int[] stride, int[] padBegin, int[] padEnd, int[] dilation, int groups) {
        int dims = x.shape.length - 2, n = x.shape[0], cIn = x.shape[1], cOut = w.shape[0];
        int cInG = cIn / groups, cOutG = cOut / groups;
        int[] in = spatial(x.shape), k = spatial(w.shape), out = new int[3];
        int[] s = lift(stride, 1), p0 = lift(padBegin, 0), p1 = lift(padEnd, 0), dl = lift(dilation, 1);
        for (int i = 0; i < 3; i++) out[i] = (in[i] + p0[i] + p1[i] - dl[i] * (k[i] - 1) - 1) / s[i] + 1;
        int[] outShape = new int[dims + 2];
        outShape[0] = n;
        outShape[1] = cOut;
        for (int i = 0; i < dims; i++) outShape[2 + i] = out[3 - dims + i];
        Ref y = Ref.zeros(outShape);
        int at = 0;
        for (int b = 0; b < n; b++)
            for (int o = 0; o < cOut; o++)
                for (int oz = 0; oz < out[0]; oz++)
                    for (int oy = 0; oy < out[1]; oy++)
                        for (int ox = 0; ox < out[2]; ox++) {
                            double sum = bias == null ? 0 : bias.data[o];
                            int group = o / cOutG;
                            for (int c = 0; c < cInG; c++)
                                for (int tz = 0; tz < k[0]; tz++)
                                    for (int ty = 0; ty < k[1]; ty++)
                                        for (int tx = 0; tx < k[2]; tx++) {
                                            int iz = oz * s[0] - p0[0] + tz * dl[0];
                                            int iy = oy * s[1] - p0[1] + ty * dl[1];
                                            int ix = ox * s[2] - p0[2] + tx * dl[2];
                                            if (iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2]) continue;
                                            int ci = group * cInG + c;
                                            double xv = x.data[(((b * cIn + ci) * in[0] + iz) * in[1] + iy) * in[2] + ix];
                                            double wv = w.data[(((o * cInG + c) * k[0] + tz) * k[1] + ty) * k[2] + tx];
                                            sum += xv * wv;
                                        }
                            y.data[at++] = sum;
                        }
        return y;
    }

    /**
     * Transposed convolution, by scattering: every input pixel {@code x[b, c, q]} adds
     * {@code x * w[c, o - group start, t]} to {@code out[b, o, q * stride - padBegin + t * dilation]}
     * (dropped outside the output), whose size per dim is
     * {@code (in - 1) * stride - padBegin - padEnd + dilation * (k - 1) + outputPadding + 1}.
     */
    static Ref convTranspose(Ref x, Ref w, Ref bias, int[] stride, int[] padBegin, int[] padEnd, int[] outputPadding,
                             int[] dilation, int groups) {
        int dims = x.shape.length - 2, n = x.shape[0], cIn = x.shape[1], cOutG = w.shape[1], cOut = cOutG * groups;
        int cInG = cIn / groups;
        int[] in = spatial(x.shape), k = spatial(w.shape), out = new int[3];
        int[] s = lift(stride, 1), p0 = lift(padBegin, 0), p1 = lift(padEnd, 0), op = lift(outputPadding, 0), dl = lift(dilation, 1);
        for (int i = 0; i < 3; i++) out[i] = (in[i] - 1) * s[i] - p0[i] - p1[i] + dl[i] * (k[i] - 1) + op[i] + 1;
        int[] outShape = new int[dims + 2];
        outShape[0] = n;
        outShape[1] = cOut;
        for (int i = 0; i < dims; i++) outShape[2 + i] = out[3 - dims + i];
        Ref y = Ref.zeros(outShape);
        for (int b = 0; b < n; b++)
            for (int o = 0; o < cOut; o++) {
                int base = (b * cOut + o) * out[0] * out[1] * out[2];
                if (bias != null) for (int q = 0; q < out[0] * out[1] * out[2]; q++) y.data[base + q] = bias.data[o];
            }
        for (int b = 0; b < n; b++)
            for (int c = 0; c < cIn; c++) {
                int group = c / cInG;
                for (int iz = 0; iz < in[0]; iz++)
                    for (int iy = 0; iy < in[1]; iy++)
                        for (int ix = 0; ix < in[2]; ix++) {
                            double xv = x.data[(((b * cIn + c) * in[0] + iz) * in[1] + iy) * in[2] + ix];
                            for (int oc = 0; oc < cOutG; oc++)
                                for (int tz = 0; tz < k[0]; tz++)
                                    for (int ty = 0; ty < k[1]; ty++)
                                        for (int tx = 0; tx < k[2]; tx++) {
                                            int z = iz * s[0] - p0[0] + tz * dl[0];
                                            int yy = iy * s[1] - p0[1] + ty * dl[1];
                                            int xx = ix * s[2] - p0[2] + tx * dl[2];
                                            if (z < 0 || z >= out[0] || yy < 0 || yy >= out[1] || xx < 0 || xx >= out[2]) continue;
                                            int o = group * cOutG + oc;
                                            double wv = w.data[(((c * cOutG + oc) * k[0] + tz) * k[1] + ty) * k[2] + tx];
                                            y.data[(((b * cOut + o) * out[0] + z) * out[1] + yy) * out[2] + xx] += xv * wv;
                                        }
                        }
            }
        return y;
    }

    /** The spatial sizes of an {@code (a, b, spatial...)} shape, lifted to 3 with leading 1s. */
    private static int[] spatial(int[] shape) {
        int dims = shape.length - 2;
        int[] s = {1, 1, 1};
        for (int i = 0; i < dims; i++) s[3 - dims + i] = shape[2 + i];
        return s;
    }

    /** Per-dim values for 1 to 3 dims, lifted to 3 with {@code fill} in front. */
    private static int[] lift(int[] v, int fill) {
        int[] s = {fill, fill, fill};
        for (int i = 0; i < v.length; i++) s[3 - v.length + i] = v[i];
        return s;
    }
}
