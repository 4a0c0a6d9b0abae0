package dev.jgrad.bench.dist;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.dist.Collective;
import dev.jgrad.engine.dist.Collectives;
import dev.jgrad.engine.dist.MpiCollective;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.optim.SGD;
import dev.jgrad.nn.train.DataParallel;
import dev.jgrad.nn.train.OverlappedReduction;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The numbers behind the README's scaling model, measured with a plain clock (MPI jobs and JMH's
 * forks do not mix): run once per process count, e.g.
 * {@code mpirun -np 2 env java ... DistBench OUT.tsv}; each run appends its rows.
 *
 * <ul>
 *   <li>{@code allreduce}: {@link Collective#allReduceSum} of one tensor of 1-100 MB on the CPU
 *       device (the packing into host buckets included, as training pays it), median of 9 after
 *       3 warm-ups (and, under MPI, {@code MPI_Allreduce} alone on native memory), as the time, the algorithm bandwidth (bytes / time) and the bus bandwidth
 *       ({@code 2 (N - 1) / N * bytes / time}, what the ring formula calls bandwidth);</li>
 *   <li>{@code step}: one data-parallel training step (forward, cross-entropy, backward, the
 *       gradient all-reduce, SGD) of LeNet and of the small CNN at global batch 128, split over
 *       the ranks, median of 15 after 40 warm-ups; and the all-reduce of its gradients alone.</li>
 * </ul>
 */
public final class DistBench {
    private DistBench() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "dist-bench.tsv");
        Device dev = Device.get(System.getProperty("jgrad.dist.bench.device", "cpu-vectorized"));
        try (Collective c = Collectives.fromEnvironment()) {
            List<String> rows = new ArrayList<>();
            int n = c.size();
            String threads = System.getProperty("jgrad.cpu.threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
            for (int mb : new int[] {1, 4, 16, 64, 100}) {
                int floats = mb * 1_000_000 / 4;
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor t = Tensor.zeros(dev, floats);
                    double[] ms = time(3, 9, c, () -> c.allReduceSum(List.of(t)));
                    double med = median(ms), bytes = 4.0 * floats;
                    rows.add(String.format(Locale.ROOT, "allreduce\t%d\t%s\t%d MB\t%.3f\t%.3f\t%.3f", n, threads, mb, med,
                            bytes / (med / 1e3) / 1e9, 2.0 * (n - 1) / n * bytes / (med / 1e3) / 1e9));
                }
                if (c instanceof MpiCollective mpi) {   // MPI alone, on native memory: no packing
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment seg = arena.allocate(4L * floats, 64);
                        double med = median(time(3, 9, c, () -> mpi.allReduceSumInPlace(seg, floats))), bytes = 4.0 * floats;
                        rows.add(String.format(Locale.ROOT, "allreduce-mpi-only\t%d\t%s\t%d MB\t%.3f\t%.3f\t%.3f", n, threads, mb, med,
                                bytes / (med / 1e3) / 1e9, 2.0 * (n - 1) / n * bytes / (med / 1e3) / 1e9));
                    }
                }
            }
            for (String name : new String[] {"lenet", "cnn"}) {
                Init.manualSeed(7);
                Module model = Models.byName(name).to(dev);
                model.train();
                SGD opt = new SGD(model.parameters(), 0.01f, 0.9f, 0f);
                int global = 128, local = global / n + (c.rank() < global % n ? 1 : 0);
                Generator gen = new Generator(11 + c.rank());
                float[] x = Tensor.rand(gen, local, 1, 28, 28).toArray(), y = new float[local];
                for (int i = 0; i < local; i++) y[i] = gen.nextInt(10);
                DataParallel.broadcastParameters(model, c);
                Runnable step = () -> {
                    try (MemoryScope scope = MemoryScope.open()) {
                        opt.zeroGrad();
                        Tensor loss = Losses.crossEntropy(model.forward(Tensor.of(dev, x, local, 1, 28, 28)), Tensor.of(dev, y, local));
                        loss.backward();
                        if (n > 1) DataParallel.averageGradients(model, c, local, global);
                        opt.step();
                    }
                };
                double stepMs = median(time(40, 15, c, step));   // 40 warm-ups: the JIT's steady state
                double overlappedMs = Double.NaN;
                if (OverlappedReduction.applies(model, c)) {
                    try (OverlappedReduction overlap = DataParallel.overlapped(model, c)) {
                        Runnable overlapped = () -> {
                            try (MemoryScope scope = MemoryScope.open()) {
                                opt.zeroGrad();
                                Tensor loss = Losses.crossEntropy(model.forward(Tensor.of(dev, x, local, 1, 28, 28)), Tensor.of(dev, y, local));
                                overlap.begin(local, global);
                                loss.backward();
                                overlap.finish();
                                opt.step();
                            }
                        };
                        overlappedMs = median(time(20, 15, c, overlapped));
                    }
                }
                List<Tensor> grads = model.parameters().stream().map(p -> p.grad()).toList();
                double reduceMs = median(time(3, 15, c, () -> c.allReduceSum(grads)));
                long params = model.parameterCount();
                rows.add(String.format(Locale.ROOT, "step\t%d\t%s\t%s (%,d parameters, %.2f MB of gradients), batch %d\t%.3f\t%.3f\t%.1f",
                        n, threads, name, params, params * 4 / 1e6, global, stepMs, reduceMs, global / (stepMs / 1e3)));
                if (!Double.isNaN(overlappedMs))
                    rows.add(String.format(Locale.ROOT, "step-overlapped\t%d\t%s\t%s, batch %d, buckets of %.2f MB\t%.3f\t%.3f\t%.1f",
                            n, threads, name, global, Collectives.bucketBytes() / 1e6, overlappedMs, reduceMs, global / (overlappedMs / 1e3)));
            }
            if (c.rank() == 0) {
                boolean fresh = !Files.exists(out);
                StringBuilder sb = new StringBuilder();
                if (fresh) sb.append("kind\tranks\tthreads_per_rank\tworkload\tmedian_ms\tGB/s (algorithm) | all-reduce ms\tGB/s (bus) | images/s\n");
                for (String r : rows) sb.append(r).append('\n');
                Files.writeString(out, sb.toString(), fresh ? java.nio.file.StandardOpenOption.CREATE_NEW : java.nio.file.StandardOpenOption.APPEND);
                System.out.print(sb);
                System.out.println("(" + c.describe() + ")");
            }
        }
    }

    /** Wall milliseconds of each measured repetition; the ranks start every repetition together. */
    static double[] time(int warmups, int reps, Collective c, Runnable r) {
        for (int i = 0; i < warmups; i++) r.run();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            c.barrier();
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return slowestRank(c, ms);
    }

    /** Each repetition's time on its slowest rank (a sum-only collective: each rank fills its own slots). */
    private static double[] slowestRank(Collective c, double[] ms) {
        double[] slots = new double[ms.length * c.size()];
        System.arraycopy(ms, 0, slots, c.rank() * ms.length, ms.length);
        double[] all = c.allReduceSum(slots);
        double[] out = new double[ms.length];
        for (int i = 0; i < ms.length; i++)
            for (int r = 0; r < c.size(); r++) out[i] = Math.max(out[i], all[r * ms.length + i]);
        return out;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
