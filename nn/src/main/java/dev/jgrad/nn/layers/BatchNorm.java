package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

/**
 * Batch normalization per channel with learned scale {@code weight (C)} and shift {@code bias (C)}.
 * Training normalizes with the batch's statistics and updates {@code running_mean} and
 * {@code running_var} with {@code momentum}; evaluation uses the running statistics.
 * {@link #forward} accepts {@code (N, C)} or {@code (N, C, H, W)}; see {@link BatchNorm1d} and
 * {@link BatchNorm2d}, which also check the rank.
 */
public class BatchNorm extends Module {
    public final Parameter weight;
    public final Parameter bias;
    private final Tensor[] runningMean, runningVar;
    private final float momentum, eps;

    public BatchNorm(int channels, float momentum, float eps) {
        weight = parameter("weight", Init.ones(channels));
        bias = parameter("bias", Init.zeros(channels));
        runningMean = buffer("running_mean", Init.zeros(channels));
        runningVar = buffer("running_var", Init.ones(channels));
        this.momentum = momentum;
        this.eps = eps;
    }

    public Tensor runningMean() {
        return runningMean[0];
    }

    public Tensor runningVar() {
        return runningVar[0];
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.batchNorm(weight.value(), bias.value(), runningMean[0], runningVar[0], isTraining(), momentum, eps);
    }
}
