package dev.jgrad.nn.loss;

import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;

import java.util.Arrays;

/** The losses of the course, each a mean over the batch returning a rank-0 tensor. */
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
