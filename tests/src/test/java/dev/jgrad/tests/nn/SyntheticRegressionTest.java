package dev.jgrad.tests.nn;

import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.SyntheticRegression;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** SyntheticRegression: least squares on the generated data recovers w and b. */
class SyntheticRegressionTest {
    @Test
    void leastSquaresRecoversTheTrueParameters() {
        long seed = System.nanoTime();
        float[] w = {2f, -3.4f};
        float b = 4.2f, noise = 0.01f;
        int n = 2000;
        ArrayDataset d = SyntheticRegression.generate(w, b, n, noise, seed);
        assertArrayEquals(new int[] {2}, d.featureShape());
        assertEquals(n, d.size());
        // Normal equations for [x0, x1, 1] in double: A^T A theta = A^T y.
        double[][] ata = new double[3][3];
        double[] aty = new double[3];
        float[] x = d.features(), y = d.labels();
        for (int i = 0; i < n; i++) {
            double[] row = {x[2 * i], x[2 * i + 1], 1};
            for (int r = 0; r < 3; r++) {
                aty[r] += row[r] * y[i];
                for (int c = 0; c < 3; c++) ata[r][c] += row[r] * row[c];
            }
        }
        double[] theta = solve3(ata, aty);
        assertEquals(2.0, theta[0], 0.005, "w0, seed " + seed);
        assertEquals(-3.4, theta[1], 0.005, "w1, seed " + seed);
        assertEquals(4.2, theta[2], 0.005, "b, seed " + seed);
        double residual = 0;
        for (int i = 0; i < n; i++) residual += Math.pow(y[i] - (theta[0] * x[2 * i] + theta[1] * x[2 * i + 1] + theta[2]), 2);
        assertEquals(noise, Math.sqrt(residual / n), 0.002, "noise std, seed " + seed);

        ArrayDataset again = SyntheticRegression.generate(w, b, n, noise, seed);
        assertArrayEquals(x, again.features());
        assertArrayEquals(y, again.labels());
        assertThrows(IllegalArgumentException.class, () -> SyntheticRegression.generate(w, b, 10, -1f, 1));
    }

    /** Gaussian elimination with partial pivoting for a 3x3 system. */
    private static double[] solve3(double[][] a, double[] rhs) {
        double[][] m = new double[3][4];
        for (int r = 0; r < 3; r++) {
            System.arraycopy(a[r], 0, m[r], 0, 3);
            m[r][3] = rhs[r];
        }
        for (int col = 0; col < 3; col++) {
            int pivot = col;
            for (int r = col + 1; r < 3; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
            double[] t = m[col];
            m[col] = m[pivot];
            m[pivot] = t;
            for (int r = 0; r < 3; r++) {
                if (r == col) continue;
                double f = m[r][col] / m[col][col];
                for (int c = col; c < 4; c++) m[r][c] -= f * m[col][c];
            }
        }
        return new double[] {m[0][3] / m[0][0], m[1][3] / m[1][1], m[2][3] / m[2][2]};
    }
}
