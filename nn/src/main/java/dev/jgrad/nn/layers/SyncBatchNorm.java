package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.engine.dist.Collective;
import dev.jgrad.engine.dist.DistOps;

/**
 * Batch norm whose training statistics are those of the global batch, over every rank of
 * {@code collective} (PyTorch's {@code SyncBatchNorm}): data-parallel training then normalizes
 * as one process with the whole batch would. {@code (N, C, ...)} of any rank >= 2, PyTorch's
 * state-dict keys (a {@link BatchNorm}). With one rank, or in evaluation, it is plain batch norm.
 *
 * <p>The statistics are composed from tensor ops and a differentiable all-reduce
 * ({@link DistOps#allReduceSum}), in two passes (the global mean, then the global sum of squared
 * deviations from it), so autograd carries the gradient through the other ranks: two
 * all-reduces of {@code C} values forward, two backward, per layer and step. Plain batch norm
 * (the default in data-parallel training) keeps each rank's statistics to itself.
 */
public class SyncBatchNorm extends BatchNorm {
    private final Collective collective;

    public SyncBatchNorm(int channels, Collective collective) {
        this(channels, 0.1f, 1e-5f, collective);
    }

    public SyncBatchNorm(int channels, float momentum, float eps, Collective collective) {
        super(channels, momentum, eps);
        if (collective == null) throw new IllegalArgumentException("SyncBatchNorm: collective is null");
        this.collective = collective;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || collective.size() == 1) return super.forward(x);
        if (x.rank() < 2) throw new IllegalArgumentException("SyncBatchNorm: input of rank " + x.rank() + " must be (N, C, ...)");
        int c = x.shape()[1];
        if (c != weight.value().numel())
            throw new IllegalArgumentException("SyncBatchNorm: input has " + c + " channels, the layer " + weight.value().numel());
        int[] dims = new int[x.rank() - 1];
        dims[0] = 0;
        for (int i = 2; i < x.rank(); i++) dims[i - 1] = i;
        int[] perChannel = new int[x.rank()];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[1] = c;
        double count = collective.allReduceSum(new double[] {(double) x.numel() / c})[0];
        if (count < 2) throw new IllegalArgumentException("SyncBatchNorm: needs more than one value per channel over all ranks, got " + count);
        Tensor mean = DistOps.allReduceSum(x.sum(dims, false), collective).div((float) count);
        Tensor centered = x.sub(mean.reshape(perChannel));
        Tensor var = DistOps.allReduceSum(centered.mul(centered).sum(dims, false), collective).div((float) count);
        Tensor inv = var.add(eps()).pow(-0.5f);
        Tensor y = centered.mul(inv.reshape(perChannel)).mul(weight.value().reshape(perChannel)).add(bias.value().reshape(perChannel));
        try (var off = GradMode.disable()) {
            float m = momentum();
            runningMean().copyFrom(runningMean().mul(1 - m).add(mean.detach().mul(m)));
            runningVar().copyFrom(runningVar().mul(1 - m).add(var.detach().mul((float) (m * count / (count - 1)))));
            numBatchesTracked().copyFrom(numBatchesTracked().add(1f));
        }
        return y;
    }
}
