package dev.jgrad.nn.train;

import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.dist.Collective;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * Synchronous data parallelism over a {@link Collective}, as PyTorch's DistributedDataParallel
 * does it: every rank holds the whole model, starts from rank 0's weights
 * ({@link #broadcastParameters}), takes its shard of each global batch (a
 * {@link dev.jgrad.nn.data.DataLoader.Builder#shard sharded} loader), and before every optimizer
 * step replaces its gradients by their mean over the global batch ({@link #averageGradients}).
 * The optimizers then make the same update on every rank, so the weights stay equal.
 * {@link Trainer#distributed} does all of this inside {@code fit}; these are the pieces for a
 * loop of one's own.
 *
 * <p>The all-reduce runs after the backward pass, not overlapped with it: jgrad's backward pass
 * has no per-parameter hook yet, so the buckets cannot be sent as they become ready.
 */
public final class DataParallel {
    private DataParallel() {}

    /** Copies rank 0's parameter values to every rank (call once, before training). */
    public static void broadcastParameters(Module model, Collective collective) {
        List<Tensor> values = new ArrayList<>();
        for (Parameter p : model.parameters()) values.add(p.value());
        collective.broadcast(values, 0);
    }

    /**
     * Replaces every parameter's gradient by the gradient of the mean loss over the global batch.
     * Each rank's gradient is the gradient of its mean loss over its {@code localExamples}; the
     * result is {@code sum over ranks of (localExamples / globalExamples) * gradient}, which
     * equals the unsharded gradient for losses that average over examples. A parameter without a
     * gradient (a rank with no examples in the last batch, or a parameter that took no part)
     * contributes zeros, so that every rank reduces the same tensors and updates every parameter.
     *
     * @param globalExamples the examples of the global batch over all ranks (positive)
     */
    public static void averageGradients(Module model, Collective collective, int localExamples, int globalExamples) {
        if (globalExamples <= 0 || localExamples < 0 || localExamples > globalExamples)
            throw new IllegalArgumentException("averageGradients: " + localExamples + " local examples of " + globalExamples
                    + " in the global batch; needs 0 <= local <= global and global > 0");
        List<Tensor> grads = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            Tensor g = p.grad();
            if (g == null) {
                p.value().setGradient(Tensor.zeros(p.value().device(), p.shape()));
                g = p.grad();
            }
            grads.add(g);
        }
        collective.allReduceSum(grads, (float) localExamples / globalExamples);
    }
}
