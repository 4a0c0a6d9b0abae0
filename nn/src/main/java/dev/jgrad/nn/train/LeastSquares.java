package dev.jgrad.nn.train;

/**
 * Ordinary least squares with an intercept, in double: the linear-regression baseline that a
 * trained network must beat. Solved by Householder QR of {@code [1 | X]} (no normal equations,
 * whose condition number is the square of X's), which fails with a message when the columns are
 * linearly dependent.
 */
public final class LeastSquares {
    private final double intercept;
    private final double[] weights;

    private LeastSquares(double intercept, double[] weights) {
        this.intercept = intercept;
        this.weights = weights;
    }

    /** The {@code b, w} minimising {@code sum (y - b - x w)^2} over the rows of {@code x}. */
    public static LeastSquares fit(double[][] x, double[] y) {
        int n = y.length, d = n == 0 ? 0 : x[0].length, p = d + 1;
        if (n < p) throw new IllegalArgumentException("LeastSquares: " + n + " rows cannot determine " + p + " coefficients");
        double[][] a = new double[n][p];
        double[] b = y.clone();
        for (int i = 0; i < n; i++) {
            if (x[i].length != d) throw new IllegalArgumentException("LeastSquares: row " + i + " has " + x[i].length + " values, not " + d);
            a[i][0] = 1;
            System.arraycopy(x[i], 0, a[i], 1, d);
        }
        double scale = 0;
        for (double[] row : a) for (double v : row) scale = Math.max(scale, Math.abs(v));
        for (int k = 0; k < p; k++) {
            double norm = 0;
            for (int i = k; i < n; i++) norm += a[i][k] * a[i][k];
            norm = Math.sqrt(norm);
            if (norm <= 1e-12 * scale * Math.sqrt(n))
                throw new IllegalArgumentException("LeastSquares: column " + k + (k == 0 ? " (the intercept)" : " (feature " + (k - 1) + ")")
                        + " is a linear combination of the ones before it");
            double alpha = a[k][k] > 0 ? -norm : norm;
            double[] v = new double[n];
            v[k] = a[k][k] - alpha;
            for (int i = k + 1; i < n; i++) v[i] = a[i][k];
            double vv = 0;
            for (int i = k; i < n; i++) vv += v[i] * v[i];
            for (int j = k; j < p; j++) {
                double dot = 0;
                for (int i = k; i < n; i++) dot += v[i] * a[i][j];
                double f = 2 * dot / vv;
                for (int i = k; i < n; i++) a[i][j] -= f * v[i];
            }
            double dot = 0;
            for (int i = k; i < n; i++) dot += v[i] * b[i];
            double f = 2 * dot / vv;
            for (int i = k; i < n; i++) b[i] -= f * v[i];
        }
        double[] coef = new double[p];
        for (int k = p - 1; k >= 0; k--) {
            double s = b[k];
            for (int j = k + 1; j < p; j++) s -= a[k][j] * coef[j];
            coef[k] = s / a[k][k];
        }
        return new LeastSquares(coef[0], java.util.Arrays.copyOfRange(coef, 1, p));
    }

    public double intercept() { return intercept; }

    public double[] weights() { return weights.clone(); }

    public double[] predict(double[][] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double s = intercept;
            for (int j = 0; j < weights.length; j++) s += weights[j] * x[i][j];
            out[i] = s;
        }
        return out;
    }
}
