package dev.jgrad.nn.optim;

import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.nn.Parameter;

import java.util.List;

/**
 * Adam with bias correction (betas 0.9, 0.999, eps 1e-8 by default). With {@code decoupled}
 * the weight decay is AdamW's (applied to the weights), otherwise it is an L2 term in the gradient.
 */
public class Adam extends Optimizer {
    private final float beta1, beta2, eps, weightDecay;
    private final boolean decoupled;

    public Adam(List<Parameter> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, 0f, false);
    }

    public Adam(List<Parameter> params, float lr, float beta1, float beta2, float eps, float weightDecay,
                boolean decoupled) {
        super(params, lr);
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1))
            throw new IllegalArgumentException("Adam: betas must be in [0, 1), got " + beta1 + ", " + beta2);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    @Override
    protected OptimizerStep hyperparameters(float lr, int step, float gradScale) {
        return new OptimizerStep(decoupled ? OptimizerStep.Kind.ADAMW : OptimizerStep.Kind.ADAM,
                lr, beta1, beta2, eps, weightDecay, step, gradScale);
    }
}
