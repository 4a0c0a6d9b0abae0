package dev.jgrad.engine;

/**
 * The optional arguments of {@link Tensor#crossEntropy(Tensor, CrossEntropyOptions)} and
 * {@link Tensor#nllLoss(Tensor, CrossEntropyOptions)} (and of {@code nn}'s {@code Losses}), named and defaulted as PyTorch's
 * {@code CrossEntropyLoss} / {@code NLLLoss}: {@code weight} none, {@code ignore_index = -100},
 * {@code label_smoothing = 0}, {@code reduction = mean}. Immutable; each {@code with} method returns
 * a copy:
 * <pre>{@code
 * var opts = CrossEntropyOptions.defaults().weight(w).ignoreIndex(0).labelSmoothing(0.1f).reduction(Reduction.SUM);
 * }</pre>
 *
 * @param weight         per-class weights {@code (C)}, or null for all ones; treated as a constant
 *                       (no gradient), as in PyTorch
 * @param ignoreIndex    rows whose label equals it add nothing to the loss and to the mean's
 *                       denominator, and get a zero gradient
 * @param labelSmoothing in {@code [0, 1]}: the target becomes {@code (1 - s) onehot + s / C}
 * @param reduction      none, mean or sum
 */
public record CrossEntropyOptions(Tensor weight, int ignoreIndex, float labelSmoothing, Reduction reduction) {

    /** PyTorch's default {@code ignore_index}. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    public CrossEntropyOptions {
        if (reduction == null) throw new IllegalArgumentException("crossEntropy: reduction must not be null");
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new IllegalArgumentException("crossEntropy: label_smoothing must be in [0, 1], got " + labelSmoothing);
        if (weight != null && weight.rank() != 1)
            throw new IllegalArgumentException("crossEntropy: weight must be (C), got rank " + weight.rank());
    }

    /** No weight, {@code ignore_index = -100}, no smoothing, mean. */
    public static CrossEntropyOptions defaults() {
        return new CrossEntropyOptions(null, DEFAULT_IGNORE_INDEX, 0f, Reduction.MEAN);
    }

    public CrossEntropyOptions weight(Tensor classWeights) {
        return new CrossEntropyOptions(classWeights, ignoreIndex, labelSmoothing, reduction);
    }

    public CrossEntropyOptions ignoreIndex(int index) {
        return new CrossEntropyOptions(weight, index, labelSmoothing, reduction);
    }

    public CrossEntropyOptions labelSmoothing(float smoothing) {
        return new CrossEntropyOptions(weight, ignoreIndex, smoothing, reduction);
    }

    public CrossEntropyOptions reduction(Reduction how) {
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, how);
    }
}
