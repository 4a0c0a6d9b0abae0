package dev.jgrad.nn.train;

import java.util.Map;

/**
 * Hears what a {@link Trainer} does: every method has an empty default, so a listener overrides
 * only what it needs. Events come on the training thread, in this order:
 * {@code onFitStart}, then per epoch {@code onEpochStart}, {@code onStepEnd} per batch,
 * {@code onEpochEnd}; finally {@code onFitEnd}. A listener that throws stops the training.
 *
 * <pre>{@code
 * trainer.listener(new TrainingListener() {
 *     public void onEpochEnd(EpochEvent e) {
 *         System.out.printf("epoch %d: loss %.4f%n", e.epoch(), e.result().trainLoss());
 *     }
 * });
 * }</pre>
 */
public interface TrainingListener {

    /**
     * A {@code fit} begins.
     *
     * @param firstEpoch      1, or the epoch after a resumed checkpoint's
     * @param epochs          the last epoch this fit will run (unless stopped early)
     * @param batchesPerEpoch training batches per epoch
     */
    record FitStart(int firstEpoch, int epochs, int batchesPerEpoch) {}

    /** Epoch {@code epoch} of {@code epochs} begins; it will have {@code batches} batches. */
    record EpochStart(int epoch, int epochs, int batches) {}

    /**
     * One optimizer step is done.
     *
     * @param batch     1-based batch of the epoch
     * @param step      optimizer steps of the whole run so far, this one included (the schedule's position)
     * @param loss      this batch's loss
     * @param epochLoss the mean loss over the epoch's examples so far
     * @param lr        the learning rate this step used
     * @param metrics   each metric over the epoch's batches so far
     */
    record StepEvent(int epoch, int epochs, int batch, int batches, int step, int batchSize, float loss,
                     double epochLoss, float lr, Map<String, Double> metrics) {}

    /**
     * An epoch is done: trained, validated, recorded in the history (and checkpointed, if the
     * trainer checkpoints).
     *
     * @param result   the epoch's entry in the {@link History}
     * @param examples training examples seen in the epoch
     * @param stopping true when early stopping ends the training after this epoch
     */
    record EpochEvent(int epochs, History.Epoch result, long examples, boolean stopping) {
        public int epoch() {
            return result.epoch();
        }
    }

    /**
     * A {@code fit} is done.
     *
     * @param stoppedEarly true when early stopping ended it, and the weights of {@code bestEpoch}
     *                     (validation loss {@code bestValLoss}) were restored
     */
    record FitEnd(History history, boolean stoppedEarly, int bestEpoch, double bestValLoss) {}

    default void onFitStart(FitStart event) {}

    default void onEpochStart(EpochStart event) {}

    default void onStepEnd(StepEvent event) {}

    default void onEpochEnd(EpochEvent event) {}

    default void onFitEnd(FitEnd event) {}
}
