package dev.jgrad.conformance;

import dev.jgrad.conformance.OpSpec.Arg;

import java.util.List;

import static dev.jgrad.conformance.Layout.*;
import static dev.jgrad.conformance.OpSpec.TOL;
import static dev.jgrad.conformance.OpSpec.TOL_LONG_SUM;
import static dev.jgrad.conformance.Sampler.normal;

/** matmul (2-D, batched, broadcast, vectors, transposed views) and conv2d. */
final class LinalgSpecs {
    private LinalgSpecs() {}

    static List<OpSpec> all() {
        return List.of(matmul(), conv2d());
    }

    private static Arg m(int... shape) {
        return Arg.of(normal(), shape);
    }

    static OpSpec matmul() {
        OpSpec.Builder b = OpSpec.named("matmul");
        OpSpec.TensorOp op = in -> in[0].matmul(in[1]);
        OpSpec.RefOp ref = in -> RefOps.matmul(in[0], in[1]);
        b.auto(" @ ", "", TOL, op, ref, m(1, 1), m(1, 1));
        b.auto(" @ ", "", TOL, op, ref, m(5, 7), m(7, 3));
        b.auto(" @ ", "", TOL, op, ref, m(17, 33), m(33, 65).noGrad());
        b.auto(" @ ", "", TOL, op, ref, m(17, 33).noGrad(), m(33, 65).as(TRANSPOSED).noGrad());
        b.auto(" @ ", "", TOL_LONG_SUM, op, ref, m(64, 300).noGrad(), m(300, 128).noGrad());
        b.auto(" @ ", "", TOL_LONG_SUM, op, ref, m(64, 300).as(TRANSPOSED).noGrad(), m(300, 128).as(TRANSPOSED).noGrad());
        b.auto(" @ ", "", TOL, op, ref, m(9, 13).as(TRANSPOSED), m(13, 6));
        b.auto(" @ ", "", TOL, op, ref, m(9, 13), m(13, 6).as(TRANSPOSED));
        b.auto(" @ ", "", TOL, op, ref, m(9, 13).as(TRANSPOSED), m(13, 6).as(TRANSPOSED));
        b.auto(" @ ", "", TOL, op, ref, m(9, 13).as(STEPPED), m(13, 6).as(OFFSET));
        b.auto(" @ ", "", TOL, op, ref, m(2, 3, 4, 5), m(5, 6));
        b.auto(" @ ", "", TOL, op, ref, m(2, 1, 4, 5), m(3, 5, 6));
        b.auto(" @ ", "", TOL, op, ref, m(3, 4, 5).as(TRANSPOSED), m(3, 5, 6).as(PERMUTED));
        b.auto(" @ ", "", TOL, op, ref, m(1, 4, 5), m(3, 5, 6).as(EXPANDED));
        b.auto(" @ ", "", TOL, op, ref, m(7), m(7, 5));
        b.auto(" @ ", "", TOL, op, ref, m(6, 7), m(7));
        // A single dot product of random signs can cancel to ~0; positive entries keep it well conditioned.
        b.auto(" @ ", "", TOL, op, ref, Arg.of(Sampler.uniform(0.5, 1.5), 9), Arg.of(Sampler.uniform(0.5, 1.5), 9));
        b.auto(" @ ", "", TOL, op, ref, m(2, 3, 4, 5), m(5));
        b.auto(" @ ", "", TOL, op, ref, m(5), m(2, 5, 3));
        return b.build();
    }

    /** A conv2d case: input, weight, optional bias, one stride and padding for both axes. */
    private static void conv(OpSpec.Builder b, double tol, int stride, int pad, Arg x, Arg w, Arg bias) {
        String extra = "stride " + stride + " pad " + pad + (bias == null ? " no bias" : "");
        OpSpec.TensorOp op = in -> in[0].conv2d(in[1], in.length > 2 ? in[2] : null, stride, pad);
        OpSpec.RefOp ref = in -> RefOps.conv2d(in[0], in[1], in.length > 2 ? in[2] : null, stride, pad);
        if (bias == null) b.auto(" * ", extra, tol, op, ref, x, w);
        else b.auto(" * ", extra, tol, op, ref, x, w, bias);
    }

    static OpSpec conv2d() {
        OpSpec.Builder b = OpSpec.named("conv2d");
        conv(b, TOL, 1, 1, m(2, 3, 7, 9), m(4, 3, 3, 3), m(4));
        // The one weight's gradient is a single float32 sum of 25 products of either sign: where they
        // cancel, its relative error passes 1e-5 for some seeds (1.07e-5 seen), so the long-sum bound
        conv(b, TOL_LONG_SUM, 1, 0, m(1, 1, 5, 5), m(1, 1, 1, 1), null);
        conv(b, TOL, 1, 0, m(2, 5, 6, 6), m(3, 5, 1, 1), m(3));
        conv(b, TOL, 2, 0, m(2, 3, 9, 11), m(5, 3, 3, 3), null);
        conv(b, TOL, 2, 1, m(1, 2, 8, 7), m(3, 2, 4, 2), m(3));
        conv(b, TOL, 1, 2, m(1, 2, 3, 3), m(2, 2, 3, 3), m(2));
        conv(b, TOL, 1, 1, m(2, 3, 7, 9).as(STEPPED), m(4, 3, 3, 3).as(TRANSPOSED), m(4).as(STEPPED));
        conv(b, TOL, 2, 1, m(2, 3, 6, 5).as(OFFSET), m(2, 3, 3, 3), null);
        // stride 1 runs without im2col (ShiftedConv): channel counts off its 8-channel tile,
        // rectangular kernels, widths whose padded rows are no multiple of its 3-vector tile, a
        // 1x1 kernel with padding (its input gradient falls back to im2col), and a padded width
        // too wasteful for that path (falls back)
        conv(b, TOL, 1, 2, m(3, 2, 9, 13), m(11, 2, 5, 3), m(11));
        conv(b, TOL, 1, 0, m(2, 3, 12, 5), m(17, 3, 2, 4), null);
        conv(b, TOL, 1, 1, m(2, 2, 4, 4), m(3, 2, 1, 1), m(3));
        conv(b, TOL, 1, 1, m(1, 1, 1, 1), m(1, 1, 3, 3), m(1));
        conv(b, TOL_LONG_SUM, 1, 1, m(2, 64, 10, 10).noGrad(), m(8, 64, 3, 3).noGrad(), m(8).noGrad());
        return b.build();
    }
}
