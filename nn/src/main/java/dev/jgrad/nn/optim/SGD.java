package dev.jgrad.nn.optim;

import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.nn.Parameter;

import java.util.List;

/** Stochastic gradient descent with optional momentum and L2 weight decay (PyTorch's formulation). */
public final class SGD extends Optimizer {
    private final float momentum, weightDecay;

    public SGD(List<Parameter> params, float lr) {
        this(params, lr, 0f, 0f);
    }

    public SGD(List<Parameter> params, float lr, float momentum, float weightDecay) {
        super(params, lr);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("SGD: momentum must be in [0, 1), got " + momentum);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    protected OptimizerStep hyperparameters(float lr, int step, float gradScale) {
        return new OptimizerStep(OptimizerStep.Kind.SGD, lr, momentum, 0f, 0f, weightDecay, step, gradScale);
    }
}
