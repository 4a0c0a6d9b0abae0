package dev.jgrad.tests.train;

import dev.jgrad.nn.train.LeastSquares;
import dev.jgrad.nn.train.RegressionScores;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The linear baseline and the regression scores against exact, hand-checked values. */
class LeastSquaresTest {

    @Test
    void anExactLinearRelationIsRecovered() {
        Random rnd = new Random(7);
        double[][] x = new double[50][2];
        double[] y = new double[50];
        for (int i = 0; i < 50; i++) {
            x[i][0] = rnd.nextGaussian() * 3;
            x[i][1] = rnd.nextGaussian() + 10;
            y[i] = 2 * x[i][0] - 3 * x[i][1] + 1;
        }
        LeastSquares ls = LeastSquares.fit(x, y);
        assertEquals(1, ls.intercept(), 1e-9);
        assertArrayEquals(new double[] {2, -3}, ls.weights(), 1e-10);
        RegressionScores s = RegressionScores.of(ls.predict(x), y);
        assertEquals(0, s.rmse(), 1e-9);
        assertEquals(1, s.r2(), 1e-12);
    }

    @Test
    void noisyDataGivesTheNormalEquationsSolution() {
        // y = (1, 2, 2, 4) at x = (0, 1, 2, 3): slope 0.9, intercept 0.9 (by hand: Sxy / Sxx = 4.5 / 5)
        LeastSquares ls = LeastSquares.fit(new double[][] {{0}, {1}, {2}, {3}}, new double[] {1, 2, 2, 4});
        assertEquals(0.9, ls.weights()[0], 1e-12);
        assertEquals(0.9, ls.intercept(), 1e-12);
    }

    @Test
    void dependentColumnsAndTooFewRowsFail() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> LeastSquares.fit(new double[][] {{1, 2}, {2, 4}, {3, 6}, {4, 8}}, new double[] {1, 2, 3, 4}));
        assertTrue(e.getMessage().contains("linear combination"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LeastSquares.fit(new double[][] {{1, 2}}, new double[] {1}));
        assertTrue(e.getMessage().contains("cannot determine 3 coefficients"), e.getMessage());
    }

    @Test
    void scoresMatchAHandComputation() {
        // errors (1, -1, 2, 0): SSE 6, SAE 4; targets (1, 2, 3, 4): mean 2.5, SST 5
        RegressionScores s = RegressionScores.of(new double[] {2, 1, 5, 4}, new double[] {1, 2, 3, 4});
        assertEquals(1.5, s.mse(), 1e-15);
        assertEquals(Math.sqrt(1.5), s.rmse(), 1e-15);
        assertEquals(1.0, s.mae(), 1e-15);
        assertEquals(1 - 6.0 / 5, s.r2(), 1e-15);
        assertTrue(Double.isNaN(RegressionScores.of(new double[] {1, 2}, new double[] {3, 3}).r2()));
    }
}
