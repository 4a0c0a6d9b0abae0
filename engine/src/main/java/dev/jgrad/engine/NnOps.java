package dev.jgrad.engine;

import java.util.Arrays;

/** The neural-network primitives: pooling, softmax, cross-entropy, batch norm, dropout. */
final class NnOps {
    private NnOps() {}

    private static PoolGeometry pool(String op, Tensor x, int kh, int kw, int sh, int sw, int ph, int pw) {
        if (x.rank() != 4)
            throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape) + " must be (N, C, H, W)");
        try {
            return new PoolGeometry(x.size(0), x.size(1), x.size(2), x.size(3), kh, kw, sh, sw, ph, pw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + " of input " + Shapes.str(x.shape) + ", window " + kh + "x" + kw
                    + ", stride " + sh + "x" + sw + ", padding " + ph + "x" + pw + ": " + e.getMessage(), e);
        }
    }

    static Tensor maxPool2d(Tensor x, int kh, int kw, int sh, int sw, int ph, int pw) {
        PoolGeometry g = pool("maxPool2d", x, kh, kw, sh, sw, ph, pw);
        Tensor xd = x.dense();
        Tensor out = Tensor.empty("maxPool2d", x.device(), g.n(), g.c(), g.outH(), g.outW());
        Tensor argmax = Tensor.empty(x.device(), out.shape);
        if (g.n() > 0) x.backend().maxPool2d(xd.buffer(), out.buffer(), argmax.buffer(), g);
        return out.recorded("maxPool2d", gy -> {
            Tensor gx = Tensor.empty(gy.device(), x.shape);
            if (g.n() > 0) gy.backend().maxPool2dBackward(gy.dense().buffer(), argmax.buffer(), gx.buffer(), g);
            return new Tensor[] {gx};
        }, x);
    }

    static Tensor avgPool2d(Tensor x, int kh, int kw, int sh, int sw, int ph, int pw) {
        PoolGeometry g = pool("avgPool2d", x, kh, kw, sh, sw, ph, pw);
        Tensor out = Tensor.empty("avgPool2d", x.device(), g.n(), g.c(), g.outH(), g.outW());
        if (g.n() > 0) x.backend().avgPool2d(x.dense().buffer(), out.buffer(), g);
        return out.recorded("avgPool2d", gy -> {
            Tensor gx = Tensor.empty(gy.device(), x.shape);
            if (g.n() > 0) gy.backend().avgPool2dBackward(gy.dense().buffer(), gx.buffer(), g);
            return new Tensor[] {gx};
        }, x);
    }

    static Tensor softmax(Tensor x, int dim, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        int d = Shapes.dim(op, dim, x.rank());
        int outer = Shapes.numel(Arrays.copyOfRange(x.shape, 0, d));
        int r = x.shape[d];
        int inner = Shapes.numel(Arrays.copyOfRange(x.shape, d + 1, x.rank()));
        Tensor y = Tensor.empty(op, x.device(), x.shape);
        boolean empty = y.numel() == 0;
        if (!empty) x.backend().softmax(x.dense().buffer(), y.buffer(), outer, r, inner, log);
        return y.recorded(op, g -> {
            Tensor gx = Tensor.empty(g.device(), x.shape);
            if (!empty) g.backend().softmaxBackward(y.buffer(), g.dense().buffer(), gx.buffer(), outer, r, inner, log);
            return new Tensor[] {gx};
        }, x);
    }

    static Tensor crossEntropy(Tensor logits, Tensor labels) {
        ElementwiseOps.sameDevice("crossEntropy", logits, labels);
        if (logits.rank() != 2)
            throw new IllegalArgumentException("crossEntropy: logits " + Shapes.str(logits.shape) + " must be (N, C)");
        int n = logits.size(0), c = logits.size(1);
        if (labels.rank() != 1 || labels.size(0) != n)
            throw new IllegalArgumentException("crossEntropy: labels " + Shapes.str(labels.shape) + " must be (" + n
                    + ",) to match logits " + Shapes.str(logits.shape));
        if (n == 0) {
            // PyTorch: the mean over no sample is 0 / 0 = NaN; the gradient is the empty (0, C)
            Tensor nan = Tensor.full(logits.device(), Float.NaN);
            return nan.recorded("crossEntropy", g -> new Tensor[] {Tensor.zeros(g.device(), 0, c), null}, logits, labels);
        }
        Tensor xd = logits.dense(), ld = labels.dense();
        Tensor loss = Tensor.empty(logits.device());
        Tensor lse = Tensor.empty(logits.device(), n);
        logits.backend().crossEntropy(xd.buffer(), ld.buffer(), loss.buffer(), lse.buffer(), n, c);
        return loss.recorded("crossEntropy", g -> {
            Tensor gx = Tensor.empty(g.device(), n, c);
            g.backend().crossEntropyBackward(xd.buffer(), ld.buffer(), lse.buffer(), g.dense().buffer(), gx.buffer(), n, c);
            return new Tensor[] {gx, null};
        }, logits, labels);
    }

    static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar,
                            boolean training, float momentum, float eps) {
        ElementwiseOps.sameDevice("batchNorm", x, gamma, beta, runMean, runVar);
        if (x.rank() < 2)
            throw new IllegalArgumentException("batchNorm: input " + Shapes.str(x.shape)
                    + " must be (N, C, ...): (N, C), (N, C, L), (N, C, H, W) or (N, C, D, H, W)");
        // every dimension after C is one flattened spatial axis: the backend's (n, c, hw)
        long spatial = 1;
        for (int d = 2; d < x.rank(); d++) spatial *= x.size(d);
        int n = x.size(0), c = x.size(1), hw = (int) spatial;
        for (Tensor p : new Tensor[] {gamma, beta, runMean, runVar})
            if (p.rank() != 1 || p.size(0) != c)
                throw new IllegalArgumentException("batchNorm: parameter " + Shapes.str(p.shape) + " must be (" + c
                        + ",) for input " + Shapes.str(x.shape));
        if (training && n * hw < 2)
            throw new IllegalArgumentException("batchNorm: training needs more than one value per channel, input is "
                    + Shapes.str(x.shape));
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1))
            throw new IllegalArgumentException("batchNorm: need eps > 0 and momentum in [0, 1], got " + eps + ", " + momentum);
        if (!runMean.isContiguous() || runMean.offset != 0 || !runVar.isContiguous() || runVar.offset != 0)
            throw new IllegalArgumentException("batchNorm: running statistics must be contiguous tensors of their own");
        if (x.numel() == 0) {
            // evaluation of an empty batch (training rejected it above): nothing to normalize, no gradient to gamma or beta
            Tensor empty = Tensor.empty(x.device(), x.shape);
            return empty.recorded("batchNorm", g -> new Tensor[] {Tensor.zeros(g.device(), x.shape),
                    Tensor.zeros(g.device(), c), Tensor.zeros(g.device(), c)}, x, gamma, beta);
        }
        Tensor xd = x.dense(), gd = gamma.dense();
        Tensor y = Tensor.empty(x.device(), x.shape);
        Tensor mean = Tensor.empty(x.device(), c), invStd = Tensor.empty(x.device(), c);
        x.backend().batchNorm(xd.buffer(), gd.buffer(), beta.dense().buffer(), runMean.buffer(), runVar.buffer(),
                y.buffer(), mean.buffer(), invStd.buffer(), n, c, hw, eps, momentum, training);
        return y.recorded("batchNorm", g -> {
            Tensor gx = Tensor.empty(g.device(), x.shape);
            Tensor gGamma = Tensor.empty(g.device(), c), gBeta = Tensor.empty(g.device(), c);
            g.backend().batchNormBackward(xd.buffer(), g.dense().buffer(), gd.buffer(), mean.buffer(), invStd.buffer(),
                    gx.buffer(), gGamma.buffer(), gBeta.buffer(), n, c, hw, training);
            return new Tensor[] {gx, gGamma, gBeta};
        }, x, gamma, beta);
    }

    static Tensor dropout(Tensor x, float p, boolean training, Generator gen) {
        if (!(p >= 0f && p <= 1f)) throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        if (!training || p == 0f) return x;
        Tensor y = Tensor.empty("dropout", x.device(), x.shape), mask = Tensor.empty(x.device(), x.shape);
        if (y.numel() == 0) return y.recorded("dropout", g -> new Tensor[] {g}, x);
        x.backend().dropout(x.dense().buffer(), y.buffer(), mask.buffer(), y.numel(), p, gen.nextLong());
        return y.recorded("dropout", g -> new Tensor[] {g.mul(mask)}, x);
    }
}
