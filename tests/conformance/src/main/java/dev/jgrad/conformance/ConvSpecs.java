package dev.jgrad.conformance;

import dev.jgrad.conformance.OpSpec.Arg;
import dev.jgrad.engine.ConvOptions;

import java.util.Arrays;
import java.util.List;

import static dev.jgrad.conformance.Layout.*;
import static dev.jgrad.conformance.OpSpec.TOL;
import static dev.jgrad.conformance.OpSpec.TOL_LONG_SUM;
import static dev.jgrad.conformance.Sampler.normal;

/**
 * Convolution in 1 to 3 spatial dims ({@code Tensor.conv}) and its transpose
 * ({@code Tensor.convTranspose}) against {@link RefConv}'s direct loops: groups (depthwise, and a
 * channel multiplier of 2), dilation, strides, padding that differs at the two ends of a dim,
 * kernels of size 1, size-1 spatial dims, output padding, strided views of input and weight.
 * Plain cases (one group, dilation 1, symmetric padding in 1-D or 2-D) run on the 2-D kernels;
 * the rest on {@code convNd}. Forward, and the gradients of input, weight and bias.
 */
final class ConvSpecs {
    private ConvSpecs() {}

    static List<OpSpec> all() {
        return List.of(conv(), convTranspose());
    }

    private static Arg m(int... shape) {
        return Arg.of(normal(), shape);
    }

    private static int[] v(int... e) {
        return e;
    }

    /** One case's options, per spatial dim. */
    private record Opts(int[] stride, int[] padBegin, int[] padEnd, int[] dilation, int[] outputPadding, int groups) {
        ConvOptions engine() {
            return ConvOptions.defaults().stride(stride).padding(padBegin, padEnd).dilation(dilation)
                    .outputPadding(outputPadding).groups(groups);
        }

        String text() {
            String s = "s" + Arrays.toString(stride) + " p" + (Arrays.equals(padBegin, padEnd) ? Arrays.toString(padBegin)
                    : Arrays.toString(padBegin) + "/" + Arrays.toString(padEnd)) + " d" + Arrays.toString(dilation);
            if (Arrays.stream(outputPadding).anyMatch(p -> p != 0)) s += " op" + Arrays.toString(outputPadding);
            if (groups != 1) s += " g" + groups;
            return s.replace(", ", ",");
        }
    }

    private static Opts o(int[] stride, int[] padBegin, int[] padEnd, int[] dilation, int groups) {
        return new Opts(stride, padBegin, padEnd, dilation, new int[stride.length], groups);
    }

    private static Opts t(int[] stride, int[] padBegin, int[] padEnd, int[] outputPadding, int[] dilation, int groups) {
        return new Opts(stride, padBegin, padEnd, dilation, outputPadding, groups);
    }

    private static void convCase(OpSpec.Builder b, double tol, Opts o, Arg x, Arg w, Arg bias) {
        OpSpec.TensorOp op = in -> in[0].conv(in[1], in.length > 2 ? in[2] : null, o.engine());
        OpSpec.RefOp ref = in -> RefConv.conv(in[0], in[1], in.length > 2 ? in[2] : null, o.stride, o.padBegin, o.padEnd,
                o.dilation, o.groups);
        if (bias == null) b.auto(" * ", o.text() + " no bias", tol, op, ref, x, w);
        else b.auto(" * ", o.text(), tol, op, ref, x, w, bias);
    }

    private static void transposeCase(OpSpec.Builder b, double tol, Opts o, Arg x, Arg w, Arg bias) {
        OpSpec.TensorOp op = in -> in[0].convTranspose(in[1], in.length > 2 ? in[2] : null, o.engine());
        OpSpec.RefOp ref = in -> RefConv.convTranspose(in[0], in[1], in.length > 2 ? in[2] : null, o.stride, o.padBegin,
                o.padEnd, o.outputPadding, o.dilation, o.groups);
        if (bias == null) b.auto(" *T ", o.text() + " no bias", tol, op, ref, x, w);
        else b.auto(" *T ", o.text(), tol, op, ref, x, w, bias);
    }

    static OpSpec conv() {
        OpSpec.Builder b = OpSpec.named("conv");
        // 1-D
        convCase(b, TOL, o(v(1), v(1), v(1), v(1), 2), m(2, 4, 11), m(6, 2, 3), m(6));
        convCase(b, TOL, o(v(1), v(2), v(2), v(2), 3), m(1, 3, 10), m(3, 1, 3), m(3));
        convCase(b, TOL, o(v(2), v(1), v(0), v(1), 1), m(2, 2, 9), m(4, 2, 2), null);
        convCase(b, TOL, o(v(3), v(0), v(0), v(1), 1), m(3, 5, 7), m(2, 5, 1), m(2));      // plain: the 2-D kernels
        convCase(b, TOL, o(v(1), v(0), v(0), v(1), 1), m(1, 1, 1), m(1, 1, 1), m(1));
        // 2-D
        convCase(b, TOL, o(v(1, 1), v(1, 1), v(1, 1), v(1, 1), 2), m(2, 4, 7, 9), m(6, 2, 3, 3), m(6));
        convCase(b, TOL, o(v(2, 2), v(1, 1), v(1, 1), v(1, 1), 3), m(2, 3, 8, 7), m(3, 1, 3, 3), null);   // depthwise
        convCase(b, TOL, o(v(1, 1), v(2, 1), v(2, 1), v(2, 3), 3), m(1, 3, 9, 10), m(6, 1, 3, 2), m(6)); // multiplier 2
        convCase(b, TOL, o(v(1, 2), v(0, 0), v(0, 0), v(2, 2), 1), m(2, 2, 7, 8), m(3, 2, 3, 3), m(3));   // dilation only
        convCase(b, TOL, o(v(2, 2), v(0, 1), v(1, 2), v(1, 1), 1), m(1, 2, 6, 5), m(2, 2, 2, 3), m(2));   // asymmetric
        convCase(b, TOL, o(v(1, 1), v(0, 0), v(0, 0), v(1, 1), 3), m(2, 6, 5, 5), m(9, 2, 1, 1), m(9));   // 1x1, groups
        convCase(b, TOL, o(v(1, 1), v(0, 1), v(0, 1), v(1, 1), 5), m(1, 5, 1, 9), m(5, 1, 1, 3), m(5));   // height 1
        convCase(b, TOL, o(v(2, 2), v(3, 2), v(1, 4), v(3, 3), 2), m(1, 2, 13, 11), m(4, 1, 3, 3), m(4));
        convCase(b, TOL, o(v(1, 1), v(1, 1), v(1, 1), v(1, 1), 3), m(2, 3, 7, 9).as(STEPPED), m(6, 1, 3, 3).as(TRANSPOSED),
                m(6).as(STEPPED));
        convCase(b, TOL, o(v(1, 1), v(2, 0), v(0, 2), v(1, 2), 1), m(2, 3, 6, 7).as(OFFSET), m(2, 3, 3, 2), null);
        // the kernel spans the whole padded input: one output pixel
        convCase(b, TOL, o(v(1, 1), v(1, 0), v(0, 1), v(2, 2), 2), m(1, 4, 4, 4), m(2, 2, 3, 3), m(2));
        // 3-D
        convCase(b, TOL, o(v(1, 1, 1), v(1, 1, 1), v(1, 1, 1), v(1, 1, 1), 1), m(2, 3, 5, 6, 4), m(4, 3, 3, 3, 2), m(4));
        convCase(b, TOL, o(v(1, 2, 2), v(1, 1, 1), v(1, 1, 1), v(1, 1, 1), 4), m(1, 4, 4, 5, 6), m(4, 1, 3, 3, 3), null);
        convCase(b, TOL, o(v(2, 2, 2), v(1, 0, 2), v(0, 1, 1), v(2, 1, 3), 1), m(1, 2, 6, 5, 7), m(2, 2, 2, 3, 2), m(2));
        convCase(b, TOL, o(v(1, 1, 1), v(0, 0, 0), v(0, 0, 0), v(1, 1, 1), 2), m(2, 6, 3, 3, 3), m(4, 3, 1, 2, 1), m(4));
        convCase(b, TOL, o(v(1, 1, 1), v(0, 0, 0), v(0, 0, 0), v(1, 1, 1), 1), m(1, 1, 1, 1, 1), m(1, 1, 1, 1, 1), m(1));
        convCase(b, TOL, o(v(1, 1, 1), v(1, 1, 1), v(1, 1, 1), v(1, 1, 1), 1), m(2, 2, 4, 3, 5).as(TRANSPOSED),
                m(3, 2, 2, 2, 2).as(STEPPED), null);
        // long sums (864 products per output), forward only
        convCase(b, TOL_LONG_SUM, o(v(1, 1, 1), v(1, 1, 1), v(1, 1, 1), v(1, 1, 1), 1), m(2, 32, 6, 6, 6).noGrad(),
                m(8, 32, 3, 3, 3).noGrad(), m(8).noGrad());
        convCase(b, TOL_LONG_SUM, o(v(1, 1), v(2, 2), v(2, 2), v(2, 2), 2), m(2, 64, 9, 9).noGrad(),
                m(8, 32, 3, 3).noGrad(), null);
        return b.build();
    }

    static OpSpec convTranspose() {
        OpSpec.Builder b = OpSpec.named("convTranspose");
        // 2-D
        transposeCase(b, TOL, t(v(2, 2), v(1, 1), v(1, 1), v(1, 1), v(1, 1), 1), m(2, 3, 4, 5), m(3, 2, 3, 3), m(2));
        transposeCase(b, TOL, t(v(1, 1), v(0, 0), v(0, 0), v(0, 0), v(1, 1), 2), m(1, 4, 3, 3), m(4, 1, 3, 3), m(2));
        transposeCase(b, TOL, t(v(2, 2), v(0, 0), v(0, 0), v(0, 0), v(2, 2), 3), m(2, 3, 5, 4), m(3, 1, 2, 2), null); // depthwise
        transposeCase(b, TOL, t(v(2, 3), v(1, 0), v(0, 2), v(1, 2), v(1, 1), 1), m(1, 2, 4, 3), m(2, 3, 3, 4), m(3));
        transposeCase(b, TOL, t(v(1, 1), v(1, 1), v(1, 1), v(0, 0), v(1, 1), 1), m(2, 3, 4, 4).as(STEPPED),
                m(3, 4, 3, 3).as(TRANSPOSED), m(4));
        transposeCase(b, TOL, t(v(2, 2), v(0, 0), v(0, 0), v(1, 1), v(1, 1), 1), m(1, 2, 3, 3), m(2, 3, 1, 1), m(3));  // 1x1
        // 1-D
        transposeCase(b, TOL, t(v(3), v(1), v(1), v(2), v(1), 1), m(2, 3, 7), m(3, 2, 4), m(2));
        transposeCase(b, TOL, t(v(1), v(0), v(0), v(0), v(1), 1), m(1, 2, 1), m(2, 3, 3), null);
        transposeCase(b, TOL, t(v(2), v(2), v(1), v(1), v(2), 2), m(2, 4, 6), m(4, 3, 3), m(6));
        // 3-D
        transposeCase(b, TOL, t(v(2, 2, 2), v(0, 1, 0), v(0, 1, 0), v(1, 1, 1), v(1, 1, 1), 1), m(1, 2, 3, 2, 3),
                m(2, 3, 2, 3, 2), m(3));
        transposeCase(b, TOL, t(v(1, 1, 1), v(0, 0, 0), v(0, 0, 0), v(0, 0, 0), v(1, 2, 1), 2), m(1, 4, 2, 3, 2),
                m(4, 1, 3, 2, 2), null);
        return b.build();
    }
}
