package dev.jgrad.conformance;

import dev.jgrad.engine.Tensor;
import dev.jgrad.conformance.OpSpec.Arg;

import java.util.List;

import static dev.jgrad.conformance.Layout.*;
import static dev.jgrad.conformance.OpSpec.TOL;
import static dev.jgrad.conformance.Sampler.*;

/** Pooling, softmax, log-softmax, cross-entropy and batch norm. */
final class NnSpecs {
    private NnSpecs() {}

    static final float MOMENTUM = 0.1f, EPS = 1e-5f;

    static List<OpSpec> all() {
        return List.of(pool(true), pool(false), softmax(false), softmax(true), crossEntropy(),
                batchNorm(true), batchNorm(false), runningStat(false), runningStat(true));
    }

    static OpSpec pool(boolean max) {
        OpSpec.Builder b = OpSpec.named(max ? "maxPool2d" : "avgPool2d");
        Sampler s = max ? distinct() : normal();
        // 2x2 at stride 2 without padding has its own loops: an odd height, an odd width, both even
        int[][] kernelStridePad = {{2, 2, 0}, {3, 2, 1}, {3, 1, 1}, {2, 1, 1}, {3, 1, 0}, {2, 2, 0}, {3, 2, 1},
                {2, 2, 0}, {2, 2, 0}};
        Arg[] inputs = {Arg.of(s, 1, 1, 4, 4), Arg.of(s, 2, 3, 7, 9), Arg.of(s, 2, 3, 7, 9), Arg.of(s, 1, 2, 5, 6),
                Arg.of(s, 1, 1, 3, 3), Arg.of(s, 2, 3, 8, 7).as(STEPPED), Arg.of(s, 2, 2, 5, 5).as(TRANSPOSED),
                Arg.of(s, 2, 3, 7, 6), Arg.of(s, 3, 2, 6, 10)};
        for (int i = 0; i < inputs.length; i++) {
            int k = kernelStridePad[i][0], st = kernelStridePad[i][1], p = kernelStridePad[i][2];
            b.auto("", "kernel " + k + " stride " + st + " pad " + p, TOL,
                    in -> max ? in[0].maxPool2d(k, st, p) : in[0].avgPool2d(k, st, p),
                    in -> RefOps.pool2d(in[0], k, st, p, max), inputs[i]);
        }
        return b.build();
    }

    static OpSpec softmax(boolean log) {
        OpSpec.Builder b = OpSpec.named(log ? "logSoftmax" : "softmax");
        Object[][] cases = {
                {Arg.of(normal(), 4, 7), 0}, {Arg.of(normal(), 4, 7), 1}, {Arg.of(normal(), 4, 7), -1},
                {Arg.of(normal(), 3, 1, 5), 1}, {Arg.of(normal(), 2, 3, 5), 1}, {Arg.of(normal(), 1031), 0},
                {Arg.of(normal(), 1), 0}, {Arg.of(normal(), 5, 33).as(TRANSPOSED), -1},
                {Arg.of(normal(), 2, 3, 4).as(PERMUTED), 0}, {Arg.of(normal(100), 3, 6).noGrad(), 1},
                {Arg.of(normal(), 4, 9).as(STEPPED), 0}};
        // Logits ~100 saturate the softmax; its float32 gradient then cancels (1 - y), so only the
        // forward is held to the tolerance there.
        for (Object[] c : cases) {
            Arg a = (Arg) c[0];
            int dim = (Integer) c[1];
            String extra = "dim " + dim + (a.shape().length == 2 && a.shape()[0] == 3 && a.shape()[1] == 6 ? " logits ~100" : "");
            b.auto("", extra, TOL, in -> log ? in[0].logSoftmax(dim) : in[0].softmax(dim),
                    in -> RefOps.softmax(in[0], dim, log), a);
        }
        return b.build();
    }

    static OpSpec crossEntropy() {
        OpSpec.Builder b = OpSpec.named("crossEntropy");
        OpSpec.TensorOp op = in -> in[0].crossEntropy(in[1]);
        OpSpec.RefOp ref = in -> RefOps.crossEntropy(in[0], in[1]);
        b.auto(", labels ", "", TOL, op, ref, Arg.of(normal(), 4, 7), Arg.of(ints(0, 6), 4).noGrad());
        b.auto(", labels ", "", TOL, op, ref, Arg.of(normal(), 1, 1), Arg.of(ints(0, 0), 1).noGrad());
        b.auto(", labels ", "", TOL, op, ref, Arg.of(normal(), 5, 33).as(TRANSPOSED), Arg.of(ints(0, 32), 5).as(STEPPED).noGrad());
        b.auto(", labels ", "", TOL, op, ref, Arg.of(normal(), 8, 129), Arg.of(ints(0, 128), 8).noGrad());
        // Logits crowded at 1e4 + N(0, 3) (issue 14: PyTorch's golden case): x - max is exact there,
        // so the gradient is accurate to float32 rounding, far under TOL = 1e-5, but only if the
        // backward keeps the row max and the log-sum apart (a float32 lse = max + log(sum) carries
        // half an ulp of 1e4, 5e-4 relative, into exp(x - lse)). The loss is (max - x[label]) + log(sum)
        // for the same reason. Both shapes: a warp per row on CUDA (c <= 1024) and a block per row.
        b.auto(", labels ", "logits 1e4 + N(0, 3)", TOL, op, ref, Arg.of(around(1e4, 3), 6, 10),
                Arg.of(ints(0, 9), 6).noGrad());
        b.auto(", labels ", "logits 1e4 + N(0, 3)", TOL, op, ref, Arg.of(around(1e4, 3), 3, 1100),
                Arg.of(ints(0, 1099), 3).noGrad());
        b.auto(", labels ", "logits -1e4 + N(0, 3)", TOL, op, ref, Arg.of(around(-1e4, 3), 5, 36),
                Arg.of(ints(0, 35), 5).noGrad());
        b.auto(", labels ", "logits ~1e4", TOL, op, ref, Arg.of(distinct(1e4), 6, 10), Arg.of(ints(0, 9), 6).noGrad());
        b.auto(", labels ", "logits ~1e4", TOL, op, ref, Arg.of(normal(1e4), 64, 1000).noGrad(),
                Arg.of(ints(0, 999), 64).noGrad());
        return b.build();
    }

    /** Inputs of batch norm: x, gamma, beta (checked for gradients), running mean and variance (not). */
    private static Arg[][] batchNormInputs() {
        Sampler x = uniform(-2, 3), gamma = uniform(0.5, 2), mean = normal(0.5), var = uniform(0.5, 2);
        // every rank from 2 to 5: (N, C), (N, C, L), (N, C, H, W), (N, C, D, H, W)
        int[][] xs = {{8, 3}, {4, 3, 5, 7}, {5, 1}, {3, 2, 1, 1}, {4, 3, 11}, {1, 2, 5}, {2, 3, 3, 4, 5}, {2, 1, 1, 1, 3}};
        Arg[][] out = new Arg[xs.length + 2][];
        for (int i = 0; i < xs.length; i++) {
            int c = xs[i][1];
            out[i] = new Arg[] {Arg.of(x, xs[i]), Arg.of(gamma, c), Arg.of(normal(), c),
                    Arg.of(mean, c).noGrad(), Arg.of(var, c).noGrad()};
        }
        out[xs.length] = new Arg[] {Arg.of(x, 6, 4).as(TRANSPOSED), Arg.of(gamma, 4).as(STEPPED), Arg.of(normal(), 4),
                Arg.of(mean, 4).noGrad(), Arg.of(var, 4).noGrad()};
        out[xs.length + 1] = new Arg[] {Arg.of(x, 2, 5, 3, 3).as(OFFSET), Arg.of(gamma, 5), Arg.of(normal(), 5).as(OFFSET),
                Arg.of(mean, 5).noGrad(), Arg.of(var, 5).noGrad()};
        return out;
    }

    private static Tensor callBatchNorm(Tensor[] in, boolean training) {
        return in[0].batchNorm(in[1], in[2], in[3], in[4], training, MOMENTUM, EPS);
    }

    static OpSpec batchNorm(boolean training) {
        // The gamma gradient sums gy * xhat over N*H*W values whose xhat sum to zero: a long sum
        // that cancels by construction, so gradients get the long-sum tolerance.
        OpSpec.Builder b = OpSpec.named(training ? "batchNorm.train" : "batchNorm.eval").gradTolerance(OpSpec.TOL_LONG_SUM);
        for (Arg[] args : batchNormInputs())
            b.add(args[0].describe(), TOL,
                    in -> callBatchNorm(in, training),
                    in -> RefOps.batchNorm(in[0], in[1], in[2], in[3], in[4], training, EPS), args);
        return b.build();
    }

    /** The running mean or variance after one training step (unbiased variance, momentum 0.1). */
    static OpSpec runningStat(boolean variance) {
        OpSpec.Builder b = OpSpec.named(variance ? "batchNorm.runningVar" : "batchNorm.runningMean");
        for (Arg[] args : batchNormInputs()) {
            Arg[] noGrad = new Arg[args.length];
            for (int i = 0; i < args.length; i++) noGrad[i] = args[i].noGrad();
            b.add(args[0].describe(), TOL, in -> {
                callBatchNorm(in, true);
                return variance ? in[4] : in[3];
            }, in -> RefOps.updatedRunning(in[0], variance ? in[4] : in[3], variance, MOMENTUM), noGrad);
        }
        return b.build();
    }
}
