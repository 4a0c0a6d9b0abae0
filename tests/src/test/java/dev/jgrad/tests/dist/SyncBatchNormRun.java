package dev.jgrad.tests.dist;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.dist.Collective;
import dev.jgrad.engine.dist.Collectives;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.layers.BatchNorm;
import dev.jgrad.nn.layers.SyncBatchNorm;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One rank's share of a batch-norm step: the whole batch {@code x (N, C, H, W)} and the loss
 * weights {@code w} come from a fixed seed, rank r normalizes rows {@code [r N / R, (r + 1) N / R)}
 * with {@link SyncBatchNorm} (or, in this JVM, the whole batch with plain {@link BatchNorm}), and
 * back-propagates {@code sum(y * w)} over its rows.
 */
public final class SyncBatchNormRun {
    static final int N = 6, C = 3, H = 5, W = 3;

    private SyncBatchNormRun() {}

    /** y, the input gradient, the weight and bias gradients and the running statistics of rows [from, to). */
    static Map<String, Tensor> step(BatchNorm bn, int from, int to) {
        Device dev = Device.get("cpu-vectorized");
        Generator gen = new Generator(2024);
        Tensor xAll = Tensor.randn(dev, gen, N, C, H, W).mul(2f).add(0.5f), wAll = Tensor.randn(dev, gen, N, C, H, W);
        Tensor x = xAll.slice(0, from, to).contiguous().detach().requiresGrad(true), w = wAll.slice(0, from, to).contiguous();
        bn.train();
        Tensor y = bn.forward(x);
        y.mul(w).sum().backward();
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("y", y.detach());
        out.put("grad_x", x.grad());
        out.put("grad_weight", bn.weight.grad());
        out.put("grad_bias", bn.bias.grad());
        out.put("running_mean", bn.runningMean());
        out.put("running_var", bn.runningVar());
        return out;
    }

    /** {@code java SyncBatchNormRun OUT_PREFIX}: one rank of an mpirun job. */
    public static void main(String[] args) throws Exception {
        try (Collective c = Collectives.mpi()) {
            int from = c.rank() * N / c.size(), to = (c.rank() + 1) * N / c.size();
            Map<String, Tensor> out = step(new SyncBatchNorm(C, c), from, to);
            SafeTensors.save(Path.of(args[0] + ".rank" + c.rank() + ".safetensors"), out,
                    Map.of("from", Integer.toString(from), "to", Integer.toString(to)));
        }
    }
}
