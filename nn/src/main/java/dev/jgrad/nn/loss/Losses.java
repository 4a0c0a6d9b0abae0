package dev.jgrad.nn.loss;

import dev.jgrad.engine.CrossEntropyOptions;
import dev.jgrad.engine.Reduction;
import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;

import java.util.Arrays;

/**
 * The losses: MSE, L1, cross-entropy (fused, or with PyTorch's options), NLL and binary
 * cross-entropy; a rank-0 tensor unless {@link Reduction#NONE} asks for the per-sample {@code (N)}.
 */
public final class Losses {
    private Losses() {}

    /** Mean squared error {@code mean((pred - target)^2)}. */
    public static Tensor mse(Tensor pred, Tensor target) {
        sameShape("mse", pred, target);
        Tensor d = pred.sub(target);
        return d.mul(d).mean();
    }

    /** Mean absolute error {@code mean(|pred - target|)}. */
    public static Tensor l1(Tensor pred, Tensor target) {
        sameShape("l1", pred, target);
        return pred.sub(target).abs().mean();
    }

    /** Cross-entropy of logits {@code (N, C)} against class indices {@code (N)}, by the fused stable kernel. */
    public static Tensor crossEntropy(Tensor logits, Tensor labels) {
        return logits.crossEntropy(labels);
    }

    /**
     * Cross-entropy of logits {@code (N, C)} against class indices {@code labels (N)} with PyTorch
     * 1.13's {@code weight}, {@code ignore_index}, {@code label_smoothing} and {@code reduction}
     * (formulas: {@link Tensor#crossEntropy(Tensor, CrossEntropyOptions)}); for example
     * {@code crossEntropy(logits, labels, CrossEntropyOptions.defaults().labelSmoothing(0.1f))}.
     * Without options in effect it is the fused kernel of {@link #crossEntropy(Tensor, Tensor)},
     * otherwise a composition of log-softmax, multiply and sum (about two extra passes over
     * {@code (N, C)} and one host read of the labels).
     */
    public static Tensor crossEntropy(Tensor logits, Tensor labels, CrossEntropyOptions options) {
        return logits.crossEntropy(labels, options);
    }

    /**
     * Negative log-likelihood of log-probabilities {@code (N, C)} against class indices
     * {@code labels (N)}, as PyTorch 1.13's {@code nll_loss} with {@code weight},
     * {@code ignore_index} and {@code reduction} ({@link Tensor#nllLoss(Tensor, CrossEntropyOptions)});
     * label smoothing is rejected.
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor labels, CrossEntropyOptions options) {
        return logProbs.nllLoss(labels, options);
    }

    /** {@link #nllLoss(Tensor, Tensor, CrossEntropyOptions)} with PyTorch's defaults (mean, no weight). */
    public static Tensor nllLoss(Tensor logProbs, Tensor labels) {
        return nllLoss(logProbs, labels, CrossEntropyOptions.defaults());
    }

    /**
     * Binary cross-entropy of logits against targets in {@code [0, 1]}:
     * {@code -mean(t log s(x) + (1 - t) log(1 - s(x)))}. The two log-probabilities come from a
     * log-softmax over {@code [0, x]} ({@code log s(x) = x - logsumexp(0, x)},
     * {@code log(1 - s(x)) = -logsumexp(0, x)}), so large logits stay finite and the gradient is
     * exactly {@code (s(x) - t) / n} everywhere, including at {@code x = 0}.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets) {
        sameShape("binaryCrossEntropyWithLogits", logits, targets);
        Tensor pair = logits.unsqueeze(-1).mul(Tensor.of(logits.device(), new float[] {0f, 1f}, 2));
        Tensor logProbs = pair.logSoftmax(-1);                       // (..., 2): log(1 - s), log s
        Tensor weights = targets.unsqueeze(-1).mul(Tensor.of(targets.device(), new float[] {-1f, 1f}, 2))
                .add(Tensor.of(targets.device(), new float[] {1f, 0f}, 2));   // (..., 2): 1 - t, t
        return logProbs.mul(weights).sum(-1, false).mean().neg();
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException(op + ": prediction " + Shapes.str(a.shape()) + " and target "
                    + Shapes.str(b.shape()) + " differ in shape");
    }
}
