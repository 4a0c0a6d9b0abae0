package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

/**
 * Batch normalization per channel with learned scale {@code weight (C)} and shift {@code bias (C)}.
 * Training normalizes with the batch's statistics, updates {@code running_mean} and
 * {@code running_var} with {@code momentum} and adds one to {@code num_batches_tracked};
 * evaluation uses the running statistics. {@link #forward} accepts {@code (N, C, ...)} of any rank
 * >= 2; {@link BatchNorm1d}, {@link BatchNorm2d} and {@link BatchNorm3d} also check the rank.
 *
 * <p>The state dict has PyTorch's keys: {@code weight}, {@code bias}, {@code running_mean},
 * {@code running_var}, {@code num_batches_tracked}. PyTorch keeps the count as an int64 scalar;
 * jgrad's tensors are float32, so it is a rank-0 float32 tensor here (exact up to 2^24 batches),
 * written as F32 in safetensors checkpoints (PyTorch's {@code load_state_dict} copies it into its
 * int64 buffer), and an I64 entry from a PyTorch file loads into it. A state dict without the
 * entry (a jgrad checkpoint written before it existed) still loads and leaves the count as it is.
 */
public class BatchNorm extends Module {
    public final Parameter weight;
    public final Parameter bias;
    private final Tensor[] runningMean, runningVar, numBatchesTracked;
    private final float momentum, eps;

    public BatchNorm(int channels, float momentum, float eps) {
        weight = parameter("weight", Init.ones(channels));
        bias = parameter("bias", Init.zeros(channels));
        runningMean = buffer("running_mean", Init.zeros(channels));
        runningVar = buffer("running_var", Init.ones(channels));
        numBatchesTracked = optionalBuffer("num_batches_tracked", Tensor.zeros());
        this.momentum = momentum;
        this.eps = eps;
    }

    public Tensor runningMean() {
        return runningMean[0];
    }

    public Tensor runningVar() {
        return runningVar[0];
    }

    float momentum() {
        return momentum;
    }

    float eps() {
        return eps;
    }

    /** How many training batches updated the running statistics, a rank-0 tensor. */
    public Tensor numBatchesTracked() {
        return numBatchesTracked[0];
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x.batchNorm(weight.value(), bias.value(), runningMean[0], runningVar[0], isTraining(), momentum, eps);
        if (isTraining()) {
            try (var off = GradMode.disable(); Tensor next = numBatchesTracked[0].add(1f)) {
                numBatchesTracked[0].copyFrom(next);
            }
        }
        return y;
    }
}
