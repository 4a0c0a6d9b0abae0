package dev.jgrad.engine;

/**
 * Cross-entropy with PyTorch's options and NLL loss, as a composition of existing ops (one
 * log-softmax, a multiply, a row sum): the fused {@link NnOps#crossEntropy} kernel has no weights,
 * ignored rows, smoothing or reduction, and a per-option kernel on three backends would save two
 * memory-bound passes over {@code (N, C)} at most. The host reads the labels (N floats) and the
 * weight (C) and uploads the {@code (N, C)} targets once.
 *
 * <p>The {@code (N, C)} target weights of a class-index loss, built on the host from the labels and
 * the options: row {@code i} is {@code (1 - s) w[y_i] onehot(y_i) + (s / C) w}, zero for an
 * ignored row, so that {@code loss_i = -sum_c targets[i, c] logProbs[i, c]}; {@code denominator}
 * is the mean's {@code sum_i w[y_i]} over the kept rows.
 */
record LossOps(String op, Tensor targets, int n, int c, int ignored, double denominator, Reduction reduction) {

    static Tensor crossEntropy(Tensor logits, Tensor labels, CrossEntropyOptions options) {
        ElementwiseOps.sameDevice("crossEntropy", logits, labels);
        LossOps t = of("crossEntropy", logits, labels, options, options.labelSmoothing());
        if (options.weight() == null && options.labelSmoothing() == 0f && options.reduction() == Reduction.MEAN
                && t.ignored() == 0 && t.n() > 0)
            return NnOps.crossEntropy(logits, labels);   // the fused kernel
        return t.reduce(logits.logSoftmax(1));
    }

    static Tensor nllLoss(Tensor logProbs, Tensor labels, CrossEntropyOptions options) {
        ElementwiseOps.sameDevice("nllLoss", logProbs, labels);
        if (options.labelSmoothing() != 0f)
            throw new IllegalArgumentException("nllLoss: label_smoothing is a cross-entropy option (got "
                    + options.labelSmoothing() + "); use crossEntropy on the logits");
        return of("nllLoss", logProbs, labels, options, 0f).reduce(logProbs);
    }

    static LossOps of(String op, Tensor logProbs, Tensor labels, CrossEntropyOptions options, float smoothing) {
        if (logProbs.rank() != 2)
            throw new IllegalArgumentException(op + ": input " + Shapes.str(logProbs.shape) + " must be (N, C)");
        int n = logProbs.size(0), c = logProbs.size(1);
        if (labels.rank() != 1 || labels.size(0) != n)
            throw new IllegalArgumentException(op + ": labels " + Shapes.str(labels.shape) + " must be (" + n
                    + ",) to match input " + Shapes.str(logProbs.shape));
        float[] w = null;
        if (options.weight() != null) {
            if (options.weight().size(0) != c)
                throw new IllegalArgumentException(op + ": weight " + Shapes.str(options.weight().shape) + " must be ("
                        + c + ",) for input " + Shapes.str(logProbs.shape));
            w = options.weight().toArray();
        }
        float[] y = labels.toArray();
        float[] t = new float[n * c];
        int ignored = 0;
        double denominator = 0;
        for (int i = 0; i < n; i++) {
            float v = y[i];
            if (v == options.ignoreIndex()) {
                ignored++;
                continue;
            }
            int k = (int) v;
            if (k != v || k < 0 || k >= c)
                throw new IllegalArgumentException(op + ": label " + v + " of row " + i + " is not a class index in [0, "
                        + c + ") nor ignore_index " + options.ignoreIndex());
            float wk = w == null ? 1f : w[k];
            denominator += wk;
            for (int j = 0; j < c; j++) t[i * c + j] = smoothing / c * (w == null ? 1f : w[j]);
            t[i * c + k] += (1f - smoothing) * wk;
        }
        Tensor targets = n * c == 0 ? Tensor.zeros(logProbs.device(), n, c) : Tensor.of(logProbs.device(), t, n, c);
        return new LossOps(op, targets, n, c, ignored, denominator, options.reduction());
    }

    /** {@code -sum(logProbs * targets, 1)} and the reduction. */
    Tensor reduce(Tensor logProbs) {
        Tensor perRow = logProbs.mul(targets).sum(1, false).neg();
        return switch (reduction) {
            case NONE -> perRow;
            case SUM -> perRow.sum();
            // 0 / 0 = NaN when every row is ignored (or there is none), as PyTorch
            case MEAN -> perRow.sum().div((float) denominator);
        };
    }
}
