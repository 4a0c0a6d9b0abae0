package dev.jgrad.engine;

import java.util.Arrays;

/**
 * Convolution in 1 to 3 spatial dims with groups, dilation and begin/end padding, and its
 * transpose, on the Backend's {@code convNd} methods.
 *
 * <p>A convolution the 2-D kernels can compute (one group, dilation 1, the same padding at both
 * ends; 1-D as a 2-D convolution of height 1) goes to {@link LinalgOps#conv2d}, whose kernels
 * have the fast paths (shifted GEMMs on the CPU, im2col + matmul on CUDA). Everything else goes to
 * {@link Backend#convNd}.
 *
 * <p>The transposed convolution has no kernel of its own, exactly as PyTorch defines it: it is the
 * input gradient of the convolution whose input has the transposed output's shape. So its forward
 * is {@code convNdBackwardInput}, its input gradient is {@code convNd} and its weight gradient is
 * {@code convNdBackwardWeight} with the roles of input and output gradient swapped; the bias is a
 * broadcast add.
 */
final class ConvOps {
    private ConvOps() {}

    static Tensor conv(Tensor x, Tensor w, Tensor bias, ConvOptions o) {
        ElementwiseOps.sameDevice("conv", x, w, bias);
        if (o == null) throw new IllegalArgumentException("conv: options must not be null (ConvOptions.defaults())");
        int dims = spatialDims("conv", x, w);
        int groups = o.groups();
        if (x.size(1) != w.size(1) * groups)
            throw new IllegalArgumentException("conv: input " + Shapes.str(x.shape) + " has " + x.size(1) + " channels but weight "
                    + Shapes.str(w.shape) + " with groups " + groups + " expects " + (long) w.size(1) * groups);
        if (bias != null && (bias.rank() != 1 || bias.size(0) != w.size(0)))
            throw new IllegalArgumentException("conv: bias " + Shapes.str(bias.shape) + " must be (" + w.size(0) + ",)");
        int[] stride = o.strideFor(dims), pb = o.padBeginFor(dims), pe = o.padEndFor(dims), dil = o.dilationFor(dims);
        if (Arrays.stream(o.outputPaddingFor(dims)).anyMatch(p -> p != 0))
            throw new IllegalArgumentException("conv: output_padding " + Arrays.toString(o.outputPaddingFor(dims))
                    + " belongs to convTranspose; a convolution has none");
        boolean plain = groups == 1 && Arrays.stream(dil).allMatch(d -> d == 1) && Arrays.equals(pb, pe);
        if (plain && dims == 2)
            return LinalgOps.conv2d(x, w, bias, stride[0], stride[1], pb[0], pb[1]);
        if (plain && dims == 1) {
            int n = x.size(0), l = x.size(2);
            Tensor y = LinalgOps.conv2d(x.reshape(n, x.size(1), 1, l), w.reshape(w.size(0), w.size(1), 1, w.size(2)),
                    bias, 1, stride[0], 0, pb[0]);
            return y.reshape(n, y.size(1), y.size(3));
        }
        ConvNdGeometry g = geometry("conv", x.shape, w.size(0), w.shape, stride, pb, pe, dil, groups, o);
        Tensor xd = x.dense(), wd = w.dense(), bd = bias == null ? null : bias.dense();
        Tensor out = Tensor.empty("conv", x.device(), outShape(g, dims));
        x.backend().convNd(xd.buffer(), wd.buffer(), bd == null ? null : bd.buffer(), out.buffer(), g);
        return out.recorded("conv", gy -> {
            Tensor gyd = gy.dense();
            Tensor gx = null, gw = null, gb = null;
            if (x.requiresGrad()) {
                gx = Tensor.empty(gy.device(), x.shape);
                gy.backend().convNdBackwardInput(gyd.buffer(), wd.buffer(), gx.buffer(), g);
            }
            if (w.requiresGrad() || (bias != null && bias.requiresGrad())) {
                gw = Tensor.empty(gy.device(), w.shape);
                gb = bias == null ? null : Tensor.empty(gy.device(), bias.shape);
                gy.backend().convNdBackwardWeight(xd.buffer(), gyd.buffer(), gw.buffer(), gb == null ? null : gb.buffer(), g);
            }
            return new Tensor[] {gx, gw, gb};
        }, x, w, bias);
    }

    /**
     * Transposed convolution of {@code x (N, cIn, in...)} with {@code w (cIn, cOut/groups, k...)}
     * (PyTorch's layout): output size per dim {@code (in - 1) stride - padBegin - padEnd +
     * dilation (k - 1) + outputPadding + 1}.
     */
    static Tensor convTranspose(Tensor x, Tensor w, Tensor bias, ConvOptions o) {
        ElementwiseOps.sameDevice("convTranspose", x, w, bias);
        if (o == null) throw new IllegalArgumentException("convTranspose: options must not be null (ConvOptions.defaults())");
        int dims = spatialDims("convTranspose", x, w);
        int groups = o.groups();
        if (x.size(1) != w.size(0))
            throw new IllegalArgumentException("convTranspose: input " + Shapes.str(x.shape) + " has " + x.size(1)
                    + " channels but weight " + Shapes.str(w.shape) + " (cIn, cOut/groups, k...) expects " + w.size(0));
        if (w.size(0) % groups != 0)
            throw new IllegalArgumentException("convTranspose: groups " + groups + " must divide the " + w.size(0)
                    + " input channels of weight " + Shapes.str(w.shape));
        long cOutLong = (long) w.size(1) * groups;
        if (cOutLong > Integer.MAX_VALUE)
            throw new IllegalArgumentException("convTranspose: weight " + Shapes.str(w.shape) + " with groups " + groups
                    + " has too many output channels");
        int cOut = (int) cOutLong;
        if (bias != null && (bias.rank() != 1 || bias.size(0) != cOut))
            throw new IllegalArgumentException("convTranspose: bias " + Shapes.str(bias.shape) + " must be (" + cOut + ",)");
        int[] stride = o.strideFor(dims), pb = o.padBeginFor(dims), pe = o.padEndFor(dims), dil = o.dilationFor(dims);
        int[] op = o.outputPaddingFor(dims);
        int[] outSpatial = new int[dims];
        for (int i = 0; i < dims; i++) {
            int in = x.size(2 + i), k = w.size(2 + i);
            if (op[i] >= stride[i])
                throw new IllegalArgumentException("convTranspose: output_padding " + Arrays.toString(op) + " must be smaller than"
                        + " the stride " + Arrays.toString(stride) + " in every dim (input " + Shapes.str(x.shape) + ")");
            long size = (long) (in - 1) * stride[i] - pb[i] - pe[i] + (long) dil[i] * (k - 1) + op[i] + 1;
            if (size < 1 || size > Integer.MAX_VALUE)
                throw new IllegalArgumentException("convTranspose of input " + Shapes.str(x.shape) + " and weight " + Shapes.str(w.shape)
                        + ", " + o + ": the output would have size " + size + " in spatial dim " + i);
            outSpatial[i] = (int) size;
        }
        // the convolution this one transposes: its input has the output's shape, its output the input's
        int[] convIn = new int[2 + dims];
        convIn[0] = x.size(0);
        convIn[1] = cOut;
        System.arraycopy(outSpatial, 0, convIn, 2, dims);
        int[] convWeight = w.shape.clone();   // (cIn_T = conv's cOut, cOut_T / groups = conv's cIn / groups, k...)
        ConvNdGeometry g = geometry("convTranspose", convIn, w.size(0), convWeight, stride, pb, pe, dil, groups, o);
        int[] back = outShape(g, dims);   // with output_padding < stride the convolution maps back onto the input's size
        if (!Arrays.equals(Arrays.copyOfRange(back, 2, back.length), Arrays.copyOfRange(x.shape, 2, x.rank())))
            throw new IllegalStateException("convTranspose: the transposed geometry " + g + " does not map back onto input "
                    + Shapes.str(x.shape));
        Tensor xd = x.dense(), wd = w.dense();
        Tensor out = Tensor.empty("convTranspose", x.device(), convIn);
        x.backend().convNdBackwardInput(xd.buffer(), wd.buffer(), out.buffer(), g);
        Tensor y = out.recorded("convTranspose", gy -> {
            Tensor gyd = gy.dense();
            Tensor gx = null, gw = null;
            if (x.requiresGrad()) {
                gx = Tensor.empty(gy.device(), x.shape);
                gy.backend().convNd(gyd.buffer(), wd.buffer(), null, gx.buffer(), g);
            }
            if (w.requiresGrad()) {
                gw = Tensor.empty(gy.device(), w.shape);
                // the convolution's weight gradient, with its input = this op's output gradient and its
                // output gradient = this op's input
                gy.backend().convNdBackwardWeight(gyd.buffer(), xd.buffer(), gw.buffer(), null, g);
            }
            return new Tensor[] {gx, gw};
        }, x, w);
        if (bias == null) return y;
        int[] b = new int[2 + dims];
        Arrays.fill(b, 1);
        b[1] = cOut;
        return y.add(bias.reshape(b));
    }

    private static int spatialDims(String op, Tensor x, Tensor w) {
        if (x.rank() < 3 || x.rank() > 5 || w.rank() != x.rank())
            throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape) + " must be (N, C, L), (N, C, H, W) or"
                    + " (N, C, D, H, W), and weight " + Shapes.str(w.shape) + " of the same rank");
        return x.rank() - 2;
    }

    /** The 3-D geometry of a convolution of input {@code in} with weight {@code weight} ({@code cOut} output channels). */
    private static ConvNdGeometry geometry(String op, int[] in, int cOut, int[] weight, int[] stride, int[] pb, int[] pe,
                                           int[] dil, int groups, ConvOptions o) {
        int dims = in.length - 2, lift = 3 - dims;
        int[] s = lifted(in, 2, lift, 1), k = lifted(weight, 2, lift, 1);
        int[] st = lifted(stride, 0, lift, 1), p0 = lifted(pb, 0, lift, 0), p1 = lifted(pe, 0, lift, 0), d = lifted(dil, 0, lift, 1);
        try {
            return new ConvNdGeometry(dims, in[0], in[1], s[0], s[1], s[2], cOut, k[0], k[1], k[2], st[0], st[1], st[2],
                    p0[0], p1[0], p0[1], p1[1], p0[2], p1[2], d[0], d[1], d[2], groups);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + " of " + (op.equals("conv") ? "input " : "output ") + Shapes.str(in)
                    + " and weight " + Shapes.str(weight) + ", " + o + ": " + e.getMessage(), e);
        }
    }

    /** {@code v[from..]} preceded by {@code lift} copies of {@code fill}: three values. */
    private static int[] lifted(int[] v, int from, int lift, int fill) {
        int[] r = new int[3];
        Arrays.fill(r, 0, lift, fill);
        System.arraycopy(v, from, r, lift, 3 - lift);
        return r;
    }

    private static int[] outShape(ConvNdGeometry g, int dims) {
        int[] full = {g.n(), g.cOut(), g.outD(), g.outH(), g.outW()};
        int[] r = new int[2 + dims];
        r[0] = full[0];
        r[1] = full[1];
        System.arraycopy(full, 5 - dims, r, 2, dims);
        return r;
    }
}
