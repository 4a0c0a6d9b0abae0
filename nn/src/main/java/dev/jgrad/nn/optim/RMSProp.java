package dev.jgrad.nn.optim;

import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.nn.Parameter;

import java.util.List;

/** RMSProp: steps scaled by a leaky average (decay {@code alpha}, default 0.99) of squared gradients; eps 1e-8. */
public final class RMSProp extends Optimizer {
    private final float alpha, weightDecay;

    public RMSProp(List<Parameter> params, float lr) {
        this(params, lr, 0.99f, 0f);
    }

    public RMSProp(List<Parameter> params, float lr, float alpha, float weightDecay) {
        super(params, lr);
        if (!(alpha >= 0 && alpha < 1)) throw new IllegalArgumentException("RMSProp: alpha must be in [0, 1), got " + alpha);
        this.alpha = alpha;
        this.weightDecay = weightDecay;
    }

    @Override
    protected OptimizerStep hyperparameters(float lr, int step, float gradScale) {
        return new OptimizerStep(OptimizerStep.Kind.RMSPROP, lr, 0f, alpha, 1e-8f, weightDecay, step, gradScale);
    }
}
