package dev.jgrad.tests.train;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.Series;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.train.Forecast;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Windows over a series, the course's noisy sine, and k-step-ahead prediction with a model whose answer is known. */
class ForecastTest {

    @Test
    void windowsPairThePastTauValuesWithTheValueHorizonStepsLater() {
        float[] x = new float[10];
        for (int i = 0; i < 10; i++) x[i] = i;
        ArrayDataset w = Series.windows(x, 3, 2);
        assertEquals(6, w.size());                       // i = 0..5: label x[i + 4] <= x[9]
        assertArrayEquals(new int[] {3}, w.featureShape());
        assertArrayEquals(new float[] {2, 3, 4}, java.util.Arrays.copyOfRange(w.features(), 6, 9));
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9}, w.labels());
        ArrayDataset head = Series.head(w, 4), tail = Series.tail(w, 4);
        assertArrayEquals(new float[] {4, 5, 6, 7}, head.labels());
        assertArrayEquals(new float[] {8, 9}, tail.labels());
        assertArrayEquals(new float[] {4, 5, 6, 5, 6, 7}, tail.features());
        assertThrows(IllegalArgumentException.class, () -> Series.windows(x, 9, 2));
    }

    @Test
    void theNoisySineHasTheCoursesSignalAndNoise() {
        float[] x = Series.noisySine(1000, 3);
        double mean = 0, sq = 0;
        for (int t = 0; t < 1000; t++) {
            double e = x[t] - Math.sin(0.01 * (t + 1));
            mean += e / 1000;
            sq += e * e / 1000;
        }
        double std = Math.sqrt(sq - mean * mean);
        assertTrue(Math.abs(mean) < 0.03 && std > 0.18 && std < 0.22, "noise mean " + mean + ", std " + std);
        assertArrayEquals(x, Series.noisySine(1000, 3), "same seed, same series");
    }

    @Test
    void kStepAheadFeedsPredictionsBack() {
        // a model that predicts "the last value plus 0.5": its k-step prediction of x[i + tau + k - 1]
        // is x[i + tau - 1] + 0.5 k, whatever the later observations are
        Linear m = new Linear(3, 1);
        try (GradMode.Scope ignored = GradMode.disable()) {
            m.weight.value().copyFrom(Tensor.of(new float[] {0, 0, 1}, 1, 3));
            m.bias.value().copyFrom(Tensor.of(new float[] {0.5f}, 1));
        }
        float[] x = {3, -1, 4, 1, -5, 9, 2, -6, 5, 3};
        float[][] p = Forecast.kStepAhead(m, x, 3, 4, Device.get("cpu"));
        assertEquals(4, p.length);
        assertEquals(10 - 3 - 4 + 1, p[0].length);
        for (int k = 1; k <= 4; k++)
            for (int i = 0; i < p[0].length; i++)
                assertEquals(x[i + 2] + 0.5f * k, p[k - 1][i], 1e-6, "k " + k + ", row " + i);
        assertEquals((0.25 + 1 + 4) / 3, Forecast.mse(new float[] {1.5f, 2, 1}, new float[] {9, 1, 1, 3}, 1), 1e-9);
    }
}
