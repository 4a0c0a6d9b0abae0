package dev.jgrad.bench.check;

import dev.jgrad.cuda.NcclCollective;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.dist.Collectives;

import java.util.List;
import java.util.Locale;

/**
 * The GPU check's {@code nccl} step: NCCL through FFM on the CUDA device, with one rank (the
 * machines here have one GPU): a scaled all-reduce and a broadcast over CUDA buffers of awkward
 * sizes must give exactly {@code 0.5 * x} and {@code x}, and a 100 MB all-reduce is timed.
 */
final class NcclCheck {
    private NcclCheck() {}

    static String run(Device device) {
        try (NcclCollective nccl = NcclCollective.open(Collectives.local(), device)) {
            System.out.println(nccl.describe());
            Generator gen = new Generator(3);
            for (int n : new int[] {1, 1000, 3_000_001}) {
                try (MemoryScope scope = MemoryScope.open()) {
                    float[] x = Tensor.randn(gen, n).toArray();
                    Tensor a = Tensor.of(device, x, n), b = Tensor.of(device, x, n);
                    nccl.allReduceSum(List.of(a, b), 0.5f);
                    nccl.broadcast(List.of(b), 0);
                    float[] ga = a.toArray(), gb = b.toArray();
                    for (int i = 0; i < n; i++)
                        if (ga[i] != 0.5f * x[i] || gb[i] != 0.5f * x[i])
                            throw new IllegalStateException(String.format(Locale.ROOT,
                                    "NCCL all-reduce of %d floats: element %d is %g and %g, expected %g", n, i, ga[i], gb[i], 0.5f * x[i]));
                }
            }
            int n = 25_000_000;
            double best = Double.MAX_VALUE;
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor big = Tensor.zeros(device, n);
                for (int rep = 0; rep < 6; rep++) {
                    device.backend().copyOut(big.toBuffer(), 0, new float[1], 0, 1);   // waits for the stream
                    long t0 = System.nanoTime();
                    nccl.allReduceSum(List.of(big));
                    device.backend().copyOut(big.toBuffer(), 0, new float[1], 0, 1);
                    if (rep > 0) best = Math.min(best, (System.nanoTime() - t0) / 1e6);
                }
            }
            return String.format(Locale.ROOT, "%s: all-reduce (scale 0.5) and broadcast of 1, 1000 and 3,000,001 floats exact; "
                    + "a 100 MB all-reduce (1 rank) in %.3f ms at best of 5", nccl.describe(), best);
        }
    }
}
