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
 * <p>Inside {@link Trainer#fit} on the CPU devices the all-reduce overlaps the backward pass:
 * buckets of gradients are reduced on a background thread as soon as they are final
 * ({@link Tensor#onGradientReady}); {@code -Djgrad.dist.overlap=false} turns that off, and on the
 * CUDA device the reduction follows the backward pass. {@link #averageGradients} here is the
 * after-the-backward form.
 */
public final class DataParallel {
    private DataParallel() {}

    /**
     * How many gradient buckets this process has all-reduced inside {@link Trainer#fit}, and how
     * many of them started while the backward pass was still running: {@code {early, total}}.
     */
    public static long[] overlapCounts() {
        return new long[] {OverlappedReduction.EARLY.get(), OverlappedReduction.TOTAL.get()};
    }

    /**
     * The gradient average overlapped with the backward pass, for a loop of one's own: call
     * {@code begin(local, global)} before {@code backward()} and {@code finish()} after it, in
     * place of {@link #averageGradients}; close it when training ends. Only where
     * {@link OverlappedReduction#applies} (the CPU devices, a collective that allows background calls).
     */
    public static OverlappedReduction overlapped(Module model, Collective collective) {
        if (!OverlappedReduction.applies(model, collective))
            throw new IllegalArgumentException("overlapped: needs a model on a CPU device and a collective of more than one rank that "
                    + "allows background calls (" + collective.describe() + "), and -Djgrad.dist.overlap not false");
        return new OverlappedReduction(model, collective);
    }

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
