package dev.jgrad.conformance;

import java.util.SplittableRandom;

/**
 * Draws the values of one input. Values are rounded to float32 at once, so the engine and the
 * float64 reference see exactly the same numbers. Samplers for piecewise ops keep values away from
 * kinks and ties, where a derivative is undefined and central differences would be meaningless.
 */
@FunctionalInterface
interface Sampler {
    /** Closer than this to a kink or tie, a value is drawn again. */
    double KINK_GAP = 1e-3;

    double[] sample(SplittableRandom rnd, int n);

    /** Standard normal times {@code scale}. */
    static Sampler normal(double scale) {
        return (rnd, n) -> fill(n, () -> gaussian(rnd) * scale);
    }

    static Sampler normal() {
        return normal(1);
    }

    /**
     * Normal with mean {@code mean} and deviation 1. Sums of zero-mean values can cancel to nearly
     * zero, where no float32 sum is accurate relative to its result; a positive mean keeps the
     * sum well conditioned while leaving some negative values in.
     */
    static Sampler shifted(double mean) {
        return (rnd, n) -> fill(n, () -> mean + gaussian(rnd));
    }

    /** Normal with mean {@code mean} and deviation {@code scale} (logits crowded around a large value). */
    static Sampler around(double mean, double scale) {
        return (rnd, n) -> fill(n, () -> mean + gaussian(rnd) * scale);
    }

    static Sampler uniform(double lo, double hi) {
        return (rnd, n) -> fill(n, () -> lo + (hi - lo) * rnd.nextDouble());
    }

    /** Normal values at least {@code min} away from zero (divisors). */
    static Sampler awayFromZero(double min) {
        return (rnd, n) -> fill(n, () -> {
            double v = gaussian(rnd);
            return Math.copySign(min + Math.abs(v), v);
        });
    }

    /** Normal values times {@code scale}, none within {@link #KINK_GAP} of any of {@code kinks}. */
    static Sampler avoiding(double scale, double... kinks) {
        return (rnd, n) -> fill(n, () -> {
            while (true) {
                double v = (float) (gaussian(rnd) * scale);
                boolean near = false;
                for (double k : kinks) near |= Math.abs(v - k) < KINK_GAP;
                if (!near) return v;
            }
        });
    }

    /**
     * Normal values snapped to a 0.01 grid shifted by {@code shift}: two inputs with shifts 0 and
     * 0.005 never come within 0.005 of each other (ties for maximum and minimum).
     */
    static Sampler grid(double shift) {
        return (rnd, n) -> fill(n, () -> Math.round(gaussian(rnd) * 100) / 100.0 + shift);
    }

    /** A random permutation of well-separated values: no ties anywhere (max, argmax, max-pooling). */
    static Sampler distinct() {
        return distinct(1);
    }

    /** Like {@link #distinct()}, spread over about {@code [-3 scale, 3 scale]}. */
    static Sampler distinct(double scale) {
        return (rnd, n) -> {
            int[] perm = new int[n];
            for (int i = 0; i < n; i++) perm[i] = i;
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1), t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            double step = 6.0 * scale / Math.max(n, 1);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = (float) ((perm[i] - n / 2.0 + 0.2 + 0.6 * rnd.nextDouble()) * step);
            return v;
        };
    }

    /** Whole numbers in {@code [lo, hi]}: labels, conditions, and inputs that make comparisons tie. */
    static Sampler ints(int lo, int hi) {
        return (rnd, n) -> fill(n, () -> lo + rnd.nextInt(hi - lo + 1));
    }

    private static double gaussian(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    private static double[] fill(int n, java.util.function.DoubleSupplier next) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) next.getAsDouble();
        return v;
    }
}
