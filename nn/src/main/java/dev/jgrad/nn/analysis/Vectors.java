package dev.jgrad.nn.analysis;

import java.util.SplittableRandom;

/** Small double-precision vector helpers shared by the analysis classes. */
final class Vectors {
    private Vectors() {}

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** {@code y += alpha x}, in place. */
    static void axpy(double alpha, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) y[i] += alpha * x[i];
    }

    static double[] scaled(double alpha, double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = alpha * x[i];
        return out;
    }

    /** {@code a + alpha b} as a new array. */
    static double[] plus(double[] a, double alpha, double[] b) {
        double[] out = a.clone();
        axpy(alpha, b, out);
        return out;
    }

    static double[] gaussianUnit(int n, SplittableRandom rng) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = gaussian(rng);
        double s = 1 / norm(v);
        for (int i = 0; i < n; i++) v[i] *= s;
        return v;
    }

    static double[] rademacher(int n, SplittableRandom rng) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextBoolean() ? 1 : -1;
        return v;
    }

    /** A standard normal sample by Box-Muller. */
    static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble(), w = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
    }
}
