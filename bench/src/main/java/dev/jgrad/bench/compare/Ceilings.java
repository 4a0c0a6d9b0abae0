package dev.jgrad.bench.compare;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's ceilings, measured in the same run as the engines: a large copy (memory bandwidth)
 * and a loop of independent vector FMAs that touches no memory (the FP32 peak of this JVM's widest
 * vectors). Both use {@link CompareBench#threads()} threads, like every engine.
 */
public final class Ceilings implements Engine {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Per thread and call: FMA_ITERATIONS rounds over 12 independent accumulators (enough to hide FMA latency). */
    static final int FMA_ITERATIONS = 1 << 14, ACCUMULATORS = 12;

    private final int threads;
    private ExecutorService pool;

    public Ceilings(int threads) {
        this.threads = threads;
    }

    /** Flops of one FMA_PEAK call: 2 per lane per FMA. */
    static double fmaFlopsPerCall() {
        return 2.0 * S.length() * ACCUMULATORS * FMA_ITERATIONS * CompareBench.threads();
    }

    @Override
    public String name() {
        return "machine";
    }

    @Override
    public String describe() {
        return "copy: System.arraycopy of 64M floats, in-place update: x = 2x + 1 over 64M floats, each split over "
                + threads + " threads; FMA loop: "
                + S.length() * 32 + "-bit vectors, " + ACCUMULATORS + " independent accumulators per thread";
    }

    @Override
    public String unsupported(Workload w) {
        return w.kind == Workload.Kind.CEILING ? null : "the machine engine measures only the ceilings";
    }

    @Override
    public void start() {
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ceiling");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Op prepare(Workload w, Inputs in) {
        return switch (w) {
            case COPY_256MB -> copy((int) (w.workPerCall() / 8));
            case UPDATE_256MB -> update((int) (w.workPerCall() / 8));
            case FMA_PEAK -> new Op() {
                public Object run() { return parallel(t -> fma()); }
                public float[] result() { return new float[0]; }
            };
            default -> throw new UnsupportedOperationException(unsupported(w));
        };
    }

    private Op copy(int n) {
        float[] src = new float[n], dst = new float[n];
        for (int i = 0; i < n; i++) src[i] = i;
        return new Op() {
            public Object run() {
                parallel(t -> {
                    int from = (int) ((long) n * t / threads), to = (int) ((long) n * (t + 1) / threads);
                    System.arraycopy(src, from, dst, from, to - from);
                    return dst[from];
                });
                return dst;
            }
            public float[] result() { return new float[0]; }
        };
    }

    /** Reads and writes every element in place, as an optimizer step does (no write-allocate traffic). */
    private Op update(int n) {
        float[] x = new float[n];
        int lanes = S.length();
        return new Op() {
            public Object run() {
                parallel(t -> {
                    int from = (int) ((long) n * t / threads) / lanes * lanes;
                    int to = t == threads - 1 ? n : (int) ((long) n * (t + 1) / threads) / lanes * lanes;
                    int i = from;
                    for (; i + lanes <= to; i += lanes)
                        FloatVector.fromArray(S, x, i).fma(2f, 1f).intoArray(x, i);
                    for (; i < to; i++) x[i] = 2 * x[i] + 1;
                    return x[from];
                });
                return x;
            }
            public float[] result() { return new float[0]; }
        };
    }

    private static float fma() {
        FloatVector a = FloatVector.broadcast(S, 0.999999f), b = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
                a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < FMA_ITERATIONS; i++) {
            a0 = a0.fma(a, b); a1 = a1.fma(a, b); a2 = a2.fma(a, b); a3 = a3.fma(a, b);
            a4 = a4.fma(a, b); a5 = a5.fma(a, b); a6 = a6.fma(a, b); a7 = a7.fma(a, b);
            a8 = a8.fma(a, b); a9 = a9.fma(a, b); a10 = a10.fma(a, b); a11 = a11.fma(a, b);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    private interface Task { float run(int thread); }

    private float parallel(Task task) {
        try {
            Future<?>[] parts = new Future<?>[threads];
            float[] sums = new float[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                parts[t] = pool.submit(() -> { sums[id] = task.run(id); });
            }
            for (Future<?> p : parts) p.get();
            float s = 0;
            for (float v : sums) s += v;
            return s;
        } catch (Exception e) {
            throw new IllegalStateException("ceiling measurement failed", e);
        }
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
