package dev.jgrad.nn.train;

import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Parameter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TrainingListener} that records the L2 norm of chosen parameters' gradients at every
 * optimizer step and their mean per epoch: the vanishing (or exploding) of gradients with depth,
 * made visible. Give it, say, each layer's weight, from the input side to the output side.
 * The norm is read after the step from the gradient that step used (one reduction and one read
 * per parameter per step: a measurement, not free).
 */
public final class GradientNorms implements TrainingListener {
    private final Map<String, Parameter> watched;
    private final double[] sums;
    private int steps;
    private final List<double[]> perEpoch = new ArrayList<>();

    /** @param watched the parameters to watch by name, in the order their norms are reported */
    public GradientNorms(Map<String, Parameter> watched) {
        if (watched == null || watched.isEmpty()) throw new IllegalArgumentException("GradientNorms: no parameter to watch");
        this.watched = new LinkedHashMap<>(watched);
        this.sums = new double[watched.size()];
    }

    public List<String> names() {
        return List.copyOf(watched.keySet());
    }

    @Override
    public void onEpochStart(EpochStart event) {
        java.util.Arrays.fill(sums, 0);
        steps = 0;
    }

    @Override
    public void onStepEnd(StepEvent event) {
        int i = 0;
        try (MemoryScope scope = MemoryScope.open(); GradMode.Scope noGrad = GradMode.disable()) {
            for (Parameter p : watched.values()) {
                Tensor g = p.grad();
                sums[i++] += g == null ? 0 : Math.sqrt(g.mul(g).sum().item());
            }
        }
        steps++;
    }

    @Override
    public void onEpochEnd(EpochEvent event) {
        double[] mean = new double[sums.length];
        for (int i = 0; i < mean.length; i++) mean[i] = steps == 0 ? Double.NaN : sums[i] / steps;
        perEpoch.add(mean);
    }

    /** Per epoch, the mean gradient norm of each watched parameter over that epoch's steps. */
    public List<double[]> perEpoch() {
        List<double[]> copy = new ArrayList<>();
        for (double[] e : perEpoch) copy.add(e.clone());
        return Collections.unmodifiableList(copy);
    }
}
