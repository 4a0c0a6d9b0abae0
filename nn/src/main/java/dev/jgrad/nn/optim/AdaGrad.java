package dev.jgrad.nn.optim;

import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.nn.Parameter;

import java.util.List;

/** AdaGrad: per-coordinate steps shrink with the running sum of squared gradients (eps 1e-10). */
public final class AdaGrad extends Optimizer {
    private final float weightDecay;

    public AdaGrad(List<Parameter> params, float lr) {
        this(params, lr, 0f);
    }

    public AdaGrad(List<Parameter> params, float lr, float weightDecay) {
        super(params, lr);
        this.weightDecay = weightDecay;
    }

    @Override
    protected OptimizerStep hyperparameters(float lr, int step, float gradScale) {
        return new OptimizerStep(OptimizerStep.Kind.ADAGRAD, lr, 0f, 0f, 1e-10f, weightDecay, step, gradScale);
    }
}
