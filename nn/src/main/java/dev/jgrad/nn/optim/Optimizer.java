package dev.jgrad.nn.optim;

import dev.jgrad.engine.FusedOptimizer;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Parameter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Updates parameters from their gradients. Every step is ONE fused backend call over all
 * parameters ({@link FusedOptimizer}); subclasses only say which update rule and hyperparameters
 * it uses. Optional gradient clipping by global norm is folded into the same call as a scale.
 *
 * <p>{@link #state()} and {@link #loadState(State)} export and import everything a later step
 * depends on (the per-parameter moments, the step count, the learning rate), so a training run
 * saved in a checkpoint resumes with exactly the updates it would have made.
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

    /**
     * What this optimizer carries from step to step.
     *
     * @param type            the optimizer's class name, e.g. {@code dev.jgrad.nn.optim.Adam}
     * @param hyperparameters the update rule and its fixed settings (betas, momentum, eps,
     *                        weight decay, clipping norm) as text, compared on load
     * @param steps           steps taken (Adam's bias correction uses it)
     * @param lr              the learning rate of the last step
     * @param slots           the per-parameter state tensors: {@code slots.get(k).get(i)} is
     *                        moment {@code k} of parameter {@code i}, shaped like it (Adam keeps
     *                        two, SGD with momentum, AdaGrad and RMSProp one, plain SGD none;
     *                        none either before the first step)
     */
    public record State(String type, String hyperparameters, int steps, float lr, List<List<Tensor>> slots) {
        public State {
            slots = slots.stream().map(List::copyOf).toList();
        }
    }

    /**
     * The current state. The tensors are this optimizer's own (not copies): save them before the
     * next {@link #step()} changes them.
     */
    public State state() {
        List<List<Tensor>> slots = new ArrayList<>();
        if (!state1.isEmpty()) slots.add(List.copyOf(state1));
        if (!state2.isEmpty()) slots.add(List.copyOf(state2));
        return new State(getClass().getName(), describe(), steps, lr, slots);
    }

    /**
     * Continues from {@code saved}, which must come from an optimizer of the same class, settings
     * and parameter shapes. The values are copied onto each parameter's device. Nothing changes
     * if the state does not fit.
     *
     * @throws IllegalArgumentException naming what does not match
     */
    public void loadState(State saved) {
        String self = getClass().getSimpleName();
        if (!saved.type().equals(getClass().getName()))
            throw new IllegalArgumentException("optimizer state: saved by " + saved.type() + ", cannot be loaded into "
                    + getClass().getName());
        if (!saved.hyperparameters().equals(describe()))
            throw new IllegalArgumentException(self + " state: saved with settings " + saved.hyperparameters()
                    + ", this optimizer has " + describe());
        if (saved.steps() < 0)
            throw new IllegalArgumentException(self + " state: step count must be >= 0, got " + saved.steps());
        int want = hyperparameters(lr, 1, 1f).stateCount();
        List<List<Tensor>> slots = saved.slots();
        if (!slots.isEmpty() && slots.size() != want)
            throw new IllegalArgumentException(self + " state: " + slots.size() + " state tensors per parameter, "
                    + self + " keeps " + want);
        if (slots.isEmpty() && want > 0 && saved.steps() > 0)
            throw new IllegalArgumentException(self + " state: no moments saved after " + saved.steps()
                    + " steps, " + self + " keeps " + want + " per parameter");
        for (int k = 0; k < slots.size(); k++) {
            List<Tensor> slot = slots.get(k);
            if (slot.size() != params.size())
                throw new IllegalArgumentException(self + " state: slot " + k + " holds " + slot.size()
                        + " tensors, this optimizer has " + params.size() + " parameters");
            for (int i = 0; i < params.size(); i++)
                if (!Arrays.equals(slot.get(i).shape(), params.get(i).shape()))
                    throw new IllegalArgumentException(self + " state: slot " + k + " of parameter " + i + " has shape "
                            + Shapes.str(slot.get(i).shape()) + ", the parameter has " + Shapes.str(params.get(i).shape()));
        }
        List<List<Tensor>> copies = new ArrayList<>();
        for (List<Tensor> slot : slots) {
            List<Tensor> copy = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                Tensor v = params.get(i).value();
                copy.add(MemoryScope.keep(Tensor.of(v.device(), slot.get(i).toArray(), v.shape())));
            }
            copies.add(copy);
        }
        state1.forEach(Tensor::close);
        state2.forEach(Tensor::close);
        state1.clear();
        state2.clear();
        if (!copies.isEmpty()) state1.addAll(copies.get(0));
        if (copies.size() > 1) state2.addAll(copies.get(1));
        steps = saved.steps();
        lr = saved.lr();
    }

    /** The fixed settings of the update rule (everything but the learning rate and the step). */
    private String describe() {
        OptimizerStep hp = hyperparameters(0f, 1, 1f);
        return "kind=" + hp.kind() + " beta1=" + hp.beta1() + " beta2=" + hp.beta2() + " eps=" + hp.eps()
                + " weightDecay=" + hp.weightDecay() + " maxGradNorm=" + maxGradNorm;
    }
}
