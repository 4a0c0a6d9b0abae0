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
     * Binary cross-entropy of logits against targets in {@code [0, 1]}, in the stable form
     * {@code max(x, 0) - x t + log(1 + exp(-|x|))}.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets) {
        sameShape("binaryCrossEntropyWithLogits", logits, targets);
        Tensor softplusTail = logits.abs().neg().exp().add(1f).log();
        return logits.relu().sub(logits.mul(targets)).add(softplusTail).mean();
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException(op + ": prediction " + Shapes.str(a.shape()) + " and target "
                    + Shapes.str(b.shape()) + " differ in shape");
    }
}
