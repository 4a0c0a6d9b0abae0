package dev.jgrad.bench.compare;

import java.util.Locale;

/**
 * Checks that an engine computes what jgrad's vectorized CPU kernels compute on the same inputs:
 * relative L2 error {@code ||out - ref|| / ||ref||} under {@link #TOLERANCE}. Run inside every
 * benchmark trial before timing, and on its own by {@code main} ({@code ./jgrad bench --check}).
 */
public final class Agreement {
    /** float32 against float32 with different summation orders; the long sums (K = 2048) set the bound. */
    static final double TOLERANCE = 1e-3;

    private Agreement() {}

    /**
     * Prepares {@code w} on a started engine and checks its first result against the reference
     * (the first: optimizer and training workloads change their state with every call). The
     * epoch and the ceilings are not checked: the step covers the epoch's arithmetic, and the
     * ceilings compute nothing.
     */
    public static Engine.Op prepareChecked(Engine engine, Workload w) {
        Inputs in = Inputs.of(w);
        Engine.Op op = engine.prepare(w, in);
        if (w.kind == Workload.Kind.CEILING || w == Workload.LENET_EPOCH || engine.name().equals("jgrad-vectorized"))
            return op;
        float[] got = op.result();
        float[] want;
        Engine reference = new JgradEngine("cpu-vectorized");
        reference.start();
        try (Engine.Op ref = reference.prepare(w, in)) {
            want = ref.result();
        }
        String problem = compare(got, want);
        if (problem != null)
            throw new IllegalStateException(engine.name() + " disagrees with jgrad-vectorized on " + w.id() + ": " + problem);
        return op;
    }

    /** Null when {@code got} matches {@code want}, else what is wrong. */
    static String compare(float[] got, float[] want) {
        if (got.length != want.length) return "result has " + got.length + " elements, expected " + want.length;
        double diff = 0, norm = 0;
        int worst = -1;
        double worstAbs = -1;
        for (int i = 0; i < got.length; i++) {
            double d = (double) got[i] - want[i];
            if (Double.isNaN(d)) return "element " + i + " is " + got[i] + ", expected " + want[i];
            diff += d * d;
            norm += (double) want[i] * want[i];
            if (Math.abs(d) > worstAbs) { worstAbs = Math.abs(d); worst = i; }
        }
        double rel = Math.sqrt(diff / Math.max(norm, 1e-30));
        if (rel <= TOLERANCE) return null;
        return String.format(Locale.ROOT, "relative error %.3g > %.0e; worst element %d: %g vs %g",
                rel, TOLERANCE, worst, got[worst], want[worst]);
    }

    /** {@code Agreement ENGINE [WORKLOAD...]}: checks each workload (all by default), printing one line each. */
    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: Agreement ENGINE [WORKLOAD...]");
            System.exit(2);
        }
        Engine engine = CompareBench.create(args[0]);
        engine.start();
        System.out.println(engine.describe());
        int failed = 0;
        Iterable<Workload> ws = args.length > 1
                ? java.util.Arrays.stream(args, 1, args.length).map(Workload::byId).toList()
                : Workload.engineWorkloads();
        for (Workload w : ws) {
            String why = engine.unsupported(w);
            if (why != null) {
                System.out.printf("%-32s not run: %s%n", w.id(), why);
                continue;
            }
            long t0 = System.nanoTime();
            try (Engine.Op op = prepareChecked(engine, w)) {
                System.out.printf(Locale.ROOT, "%-32s agrees (%.1f s)%n", w.id(), (System.nanoTime() - t0) / 1e9);
            } catch (RuntimeException e) {
                failed++;
                System.out.printf("%-32s FAILED: %s%n", w.id(), e);
            }
        }
        engine.close();
        System.exit(failed == 0 ? 0 : 1);
    }
}
