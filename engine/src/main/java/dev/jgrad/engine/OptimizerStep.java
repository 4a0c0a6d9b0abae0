package dev.jgrad.engine;

/**
 * The hyperparameters of one fused optimizer step over many parameter tensors. With
 * {@code g = gradScale * grad + weightDecay * p} (L2; AdamW instead decays {@code p} directly):
 * <ul>
 *   <li>{@link Kind#SGD}: {@code v = momentum v + g} (when momentum > 0, state1 = v);
 *       {@code p -= lr v} (or {@code lr g}).</li>
 *   <li>{@link Kind#ADAGRAD}: {@code s += g^2} (state1); {@code p -= lr g / (sqrt(s) + eps)}.</li>
 *   <li>{@link Kind#RMSPROP}: {@code s = alpha s + (1 - alpha) g^2} (state1, {@code alpha} in
 *       {@code beta2}); {@code p -= lr g / (sqrt(s) + eps)}.</li>
 *   <li>{@link Kind#ADAM}: {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2} (state1,
 *       state2); {@code p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)}.</li>
 *   <li>{@link Kind#ADAMW}: {@code p -= lr weightDecay p} first, then ADAM with no L2 term.</li>
 * </ul>
 *
 * @param step      the 1-based step count {@code t} (bias correction of Adam)
 * @param gradScale multiplies every gradient first (gradient clipping by global norm)
 */
public record OptimizerStep(Kind kind, float lr, float beta1, float beta2, float eps, float weightDecay,
                            int step, float gradScale) {

    public enum Kind { SGD, ADAGRAD, RMSPROP, ADAM, ADAMW }

    /** How many state tensors per parameter this kind keeps (SGD without momentum keeps none). */
    public int stateCount() {
        return switch (kind) {
            case SGD -> beta1 == 0f ? 0 : 1;
            case ADAGRAD, RMSPROP -> 1;
            case ADAM, ADAMW -> 2;
        };
    }
}
