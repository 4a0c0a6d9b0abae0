package dev.jgrad.tests.analysis;

import java.util.Random;

/**
 * Symmetric matrices {@code A = Q diag(lambda) Q^T (n, n)} with chosen eigenvalues, Q orthogonal
 * from the QR (modified Gram-Schmidt) of a Gaussian matrix; written here independently of the
 * code under test.
 */
final class PlantedSpectra {
    final double[][] matrix;
    final double[][] basis;   // basis[i] is the unit eigenvector of lambdas[i]
    final double[] lambdas;

    PlantedSpectra(double[] lambdas, Random rng) {
        int n = lambdas.length;
        this.lambdas = lambdas.clone();
        basis = new double[n][n];
        for (int i = 0; i < n; i++) {
            double[] v = new double[n];
            for (int j = 0; j < n; j++) v[j] = rng.nextGaussian();
            for (int k = 0; k < i; k++) {
                double d = dot(basis[k], v);
                for (int j = 0; j < n; j++) v[j] -= d * basis[k][j];
            }
            double s = Math.sqrt(dot(v, v));
            for (int j = 0; j < n; j++) basis[i][j] = v[j] / s;
        }
        matrix = new double[n][n];
        for (int k = 0; k < n; k++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) matrix[i][j] += lambdas[k] * basis[k][i] * basis[k][j];
    }

    /** n eigenvalues evenly spread in [lo, hi] with the two largest and the smallest set apart. */
    static double[] spread(int n, double lo, double hi) {
        double[] l = new double[n];
        for (int i = 0; i < n; i++) l[i] = lo + 0.6 * (hi - lo) * (i + 0.5) / n + 0.2 * (hi - lo);
        l[0] = lo;
        l[n - 1] = hi;
        l[n - 2] = hi - 0.1 * (hi - lo);
        return l;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double cos(double[] a, double[] b) {
        return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
    }
}
