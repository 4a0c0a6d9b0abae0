package dev.jgrad.nn.train;

import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Module;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stops training when the validation loss has not improved by more than {@code minDelta} for
 * {@code patience} epochs, and restores the weights of the best epoch. Its state (the best loss
 * and epoch, the epochs waited, the best weights) travels in a {@link Trainer}'s checkpoint.
 */
public final class EarlyStopping {
    private final int patience;
    private final double minDelta;
    private double best = Double.POSITIVE_INFINITY;
    private int bestEpoch = -1, waited;
    private Map<String, Tensor> bestState;

    public EarlyStopping(int patience, double minDelta) {
        if (patience < 1) throw new IllegalArgumentException("EarlyStopping: patience must be >= 1, got " + patience);
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /** Records an epoch's validation loss; returns true when training should stop. */
    public boolean update(int epoch, double valLoss, Module model) {
        if (valLoss < best - minDelta) {
            best = valLoss;
            bestEpoch = epoch;
            waited = 0;
            bestState = snapshot(model);
            return false;
        }
        return ++waited >= patience;
    }

    /** Puts the best epoch's weights back into {@code model} (no-op if none was recorded). */
    public void restoreBest(Module model) {
        if (bestState != null) model.loadStateDict(bestState);
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public double bestLoss() {
        return best;
    }

    int patience() {
        return patience;
    }

    double minDelta() {
        return minDelta;
    }

    /** Epochs since the last improvement. */
    int waited() {
        return waited;
    }

    /** True once {@link #update} has said to stop (patience used up). */
    boolean exhausted() {
        return waited >= patience;
    }

    /** The best epoch's weights (copies), or null before any epoch improved. */
    Map<String, Tensor> bestState() {
        return bestState;
    }

    /** Continues from a saved state; {@code bestWeights} are copied. */
    void restore(double best, int bestEpoch, int waited, Map<String, Tensor> bestWeights) {
        if (waited < 0) throw new IllegalArgumentException("early stopping: epochs waited must be >= 0, got " + waited);
        this.best = best;
        this.bestEpoch = bestEpoch;
        this.waited = waited;
        this.bestState = bestWeights == null ? null : copy(bestWeights);
    }

    private static Map<String, Tensor> snapshot(Module model) {
        return copy(model.stateDict());
    }

    private static Map<String, Tensor> copy(Map<String, Tensor> state) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        try (var noGrad = GradMode.disable()) {
            state.forEach((name, t) -> copy.put(name, MemoryScope.keep(t.detach().mul(1f))));
        }
        return copy;
    }
}
