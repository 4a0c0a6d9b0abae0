package dev.jgrad.bench.check;

import java.util.Arrays;
import java.util.Locale;

/**
 * The first-GPU check's hand-made timer (JMH's forks and iterations do not fit in a few minutes
 * of GPU time): a warm-up, then {@code reps} timed repetitions, each of which waits for the
 * device, runs the call {@code calls} times back to back, waits again and divides the wall time
 * by {@code calls}. Several calls per repetition hide the launch and synchronize cost of the
 * short kernels; {@code calls} is picked from the warm-up so that a repetition lasts about
 * {@link Settings#repSeconds}.
 *
 * <p>What it reports is the median of the repetitions and their minimum and maximum, never a
 * mean: these machines are shared and one slow repetition must not move the figure, nor hide.
 * It is System.nanoTime around a synchronize, not CUDA events, so each repetition also carries
 * one synchronize (a few microseconds, small beside repetitions of about a millisecond).
 */
final class Timer {
    private Timer() {}

    /**
     * How long to warm up and measure (see {@link CheckSize} for the values of each size).
     *
     * @param warmupSeconds   the least warm-up time (and at least two calls)
     * @param reps            the most timed repetitions (at least 3 are taken)
     * @param repSeconds      the target length of one repetition, which sets the calls per repetition
     * @param maxSecondsPerOp the most time all repetitions of one op may take together
     * @param maxCalls        the most calls in one repetition
     */
    record Settings(double warmupSeconds, int reps, double repSeconds, double maxSecondsPerOp, int maxCalls) {}

    /** The samples of one timed op, in microseconds per call. */
    record Result(double[] micros, int callsPerRep) {
        double median() {
            double[] s = micros.clone();
            Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        double min() {
            return Arrays.stream(micros).min().orElse(Double.NaN);
        }

        double max() {
            return Arrays.stream(micros).max().orElse(Double.NaN);
        }

        String samples() {
            StringBuilder sb = new StringBuilder();
            for (double m : micros) sb.append(sb.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "%.3f", m));
            return sb.toString();
        }
    }

    /** Times {@code call}; {@code sync} must block until the device has finished everything queued. */
    static Result time(Runnable call, Runnable sync, Settings s) {
        // warm-up: at least two calls and warmupSeconds (the JIT, the module loads, the allocator)
        sync.run();
        long start = System.nanoTime(), last = 0;
        int warm = 0;
        while (warm < 2 || System.nanoTime() - start < s.warmupSeconds() * 1e9) {
            long t0 = System.nanoTime();
            call.run();
            sync.run();
            last = System.nanoTime() - t0;
            warm++;
        }
        double perCall = Math.max(last, 1) * 1e-9;
        int calls = (int) Math.max(1, Math.min(s.maxCalls(), Math.round(s.repSeconds() / perCall)));
        // keep the whole measurement under maxSecondsPerOp, with at least 3 repetitions
        int reps = (int) Math.max(3, Math.min(s.reps(), s.maxSecondsPerOp() / (perCall * calls)));
        double[] micros = new double[reps];
        for (int r = 0; r < reps; r++) {
            sync.run();
            long t0 = System.nanoTime();
            for (int c = 0; c < calls; c++) call.run();
            sync.run();
            micros[r] = (System.nanoTime() - t0) / 1e3 / calls;
        }
        return new Result(micros, calls);
    }
}
