package dev.jgrad.nn.optim;

import dev.jgrad.engine.FusedOptimizer;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * Updates parameters from their gradients. Every step is ONE fused backend call over all
 * parameters ({@link FusedOptimizer}); subclasses only say which update rule and hyperparameters
 * it uses. Optional gradient clipping by global norm is folded into the same call as a scale.
 */
public abstract class Optimizer {
    private final List<Parameter> params;
    private final List<Tensor> state1 = new ArrayList<>(), state2 = new ArrayList<>();
    private float lr;
    private float maxGradNorm = Float.POSITIVE_INFINITY;
    private float lastGradNorm = Float.NaN;
    private int steps;

    protected Optimizer(List<Parameter> params, float lr) {
        if (params.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameters to optimize");
        if (!(lr >= 0f)) throw new IllegalArgumentException(getClass().getSimpleName() + ": learning rate must be >= 0, got " + lr);
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** The step's hyperparameters for this optimizer (learning rate, step count and scale given). */
    protected abstract OptimizerStep hyperparameters(float lr, int step, float gradScale);

    /** Applies one update from the current gradients; parameters without a gradient are skipped. */
    public void step() {
        List<Tensor> p = new ArrayList<>(), g = new ArrayList<>(), s1 = new ArrayList<>(), s2 = new ArrayList<>();
        ensureState();
        for (int i = 0; i < params.size(); i++) {
            Tensor grad = params.get(i).grad();
            if (grad == null) continue;
            p.add(params.get(i).value());
            g.add(grad);
            if (!state1.isEmpty()) s1.add(state1.get(i));
            if (!state2.isEmpty()) s2.add(state2.get(i));
        }
        if (p.isEmpty()) return;
        steps++;
        float scale = 1f;
        if (Float.isFinite(maxGradNorm)) {
            lastGradNorm = globalNorm(g);
            if (lastGradNorm > maxGradNorm) scale = maxGradNorm / (lastGradNorm + 1e-6f);
        }
        OptimizerStep hp = hyperparameters(lr, steps, scale);
        try (var noGrad = GradMode.disable()) {
            FusedOptimizer.step(hp, p, g, s1.isEmpty() ? null : s1, s2.isEmpty() ? null : s2);
        }
    }

    private void ensureState() {
        if (steps > 0 || !state1.isEmpty()) return;
        int count = hyperparameters(lr, 1, 1f).stateCount();
        for (Parameter param : params) {
            Tensor v = param.value();
            if (count >= 1) state1.add(MemoryScope.keep(Tensor.zeros(v.device(), v.shape())));
            if (count >= 2) state2.add(MemoryScope.keep(Tensor.zeros(v.device(), v.shape())));
        }
    }

    /** sqrt of the sum of every gradient element squared. */
    static float globalNorm(List<Tensor> grads) {
        double sum = 0;
        try (var noGrad = GradMode.disable()) {
            for (Tensor g : grads) sum += g.mul(g).sum().item();
        }
        return (float) Math.sqrt(sum);
    }

    /** Clears every parameter's gradient. */
    public void zeroGrad() {
        for (Parameter p : params) p.zeroGrad();
    }

    /** Rescales the gradients whenever their global L2 norm exceeds {@code maxNorm}. */
    public Optimizer clipGradNorm(float maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clipGradNorm: max norm must be > 0, got " + maxNorm);
        this.maxGradNorm = maxNorm;
        return this;
    }

    /** The global gradient norm seen by the last step (NaN unless clipping is on). */
    public float lastGradNorm() {
        return lastGradNorm;
    }

    public float lr() {
        return lr;
    }

    /** Sets the learning rate (schedules call this). */
    public void setLr(float lr) {
        this.lr = lr;
    }

    /** Steps taken so far. */
    public int steps() {
        return steps;
    }
}
