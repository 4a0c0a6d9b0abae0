package dev.jgrad.tests.train;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.train.Metric;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in metrics, accumulated over uneven batches, against float64 references over the whole set. */
class MetricTest {
    @Test
    void regressionMetricsMatchFloat64() {
        for (Device d : Device.all()) {
            long seed = System.nanoTime();
            Random rnd = new Random(seed);
            int n = 257;
            float[] out = new float[n], y = new float[n];
            for (int i = 0; i < n; i++) {
                y[i] = (float) (3 + 2 * rnd.nextGaussian());            // targets away from 0: R² is not 1 - mse
                out[i] = (float) (y[i] + 0.7 * rnd.nextGaussian());
            }
            // Reference: two passes in double over all examples.
            double mean = 0, sse = 0, sae = 0, sst = 0;
            for (float v : y) mean += v;
            mean /= n;
            for (int i = 0; i < n; i++) {
                double e = (double) out[i] - y[i];
                sse += e * e;
                sae += Math.abs(e);
                sst += (y[i] - mean) * (y[i] - mean);
            }
            List<Metric> metrics = List.of(Metric.mse(), Metric.mae(), Metric.r2(), Metric.rmse());
            List<Metric.Accumulator> acc = metrics.stream().map(Metric::accumulator).toList();
            for (int start = 0, size = 1; start < n; start += size, size = size * 2 + 1) {
                int len = Math.min(size, n - start);
                float[] o = new float[len], t = new float[len];
                System.arraycopy(out, start, o, 0, len);
                System.arraycopy(y, start, t, 0, len);
                // (N, 1) outputs, as a Linear(k, 1) gives them, and (N) targets.
                for (Metric.Accumulator a : acc) a.add(Tensor.of(d, o, len, 1), Tensor.of(d, t, len));
            }
            assertEquals(sse / n, acc.get(0).value(), 1e-12 * sse / n, "mse on " + d + ", seed " + seed);
            assertEquals(sae / n, acc.get(1).value(), 1e-12 * sae / n, "mae on " + d + ", seed " + seed);
            assertEquals(1 - sse / sst, acc.get(2).value(), 1e-10, "r2 on " + d + ", seed " + seed);
            assertEquals(Math.sqrt(sse / n), acc.get(3).value(), 1e-12 * Math.sqrt(sse / n), "rmse on " + d + ", seed " + seed);
        }
    }

    @Test
    void accuracyMatchesACountByHand() {
        for (Device d : Device.all()) {
            long seed = System.nanoTime();
            Random rnd = new Random(seed);
            int n = 101, c = 5;
            float[] logits = new float[n * c], labels = new float[n];
            long correct = 0;
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int k = 0; k < c; k++) {
                    logits[i * c + k] = (float) rnd.nextGaussian();
                    if (logits[i * c + k] > logits[i * c + best]) best = k;
                }
                labels[i] = rnd.nextInt(c);
                if (labels[i] == best) correct++;
            }
            Metric.Accumulator a = Metric.accuracy().accumulator();
            a.add(Tensor.of(d, java.util.Arrays.copyOfRange(logits, 0, 40 * c), 40, c), Tensor.of(d, java.util.Arrays.copyOfRange(labels, 0, 40), 40));
            a.add(Tensor.of(d, java.util.Arrays.copyOfRange(logits, 40 * c, n * c), n - 40, c),
                    Tensor.of(d, java.util.Arrays.copyOfRange(labels, 40, n), n - 40));
            assertEquals((double) correct / n, a.value(), 0.0, "accuracy on " + d + ", seed " + seed);
        }
    }

    @Test
    void defaultsFollowTheOutputShapeAndMisfitsAreNamed() {
        assertEquals(List.of("accuracy"), Metric.defaultsFor(new int[] {8, 10}).stream().map(Metric::name).toList());
        assertEquals(List.of("mse", "rmse", "mae", "r2"), Metric.defaultsFor(new int[] {8, 1}).stream().map(Metric::name).toList());
        assertEquals(List.of("mse", "rmse", "mae", "r2"), Metric.defaultsFor(new int[] {8}).stream().map(Metric::name).toList());
        assertTrue(Double.isNaN(Metric.mse().accumulator().value()), "no batch yet");
        var e = assertThrows(IllegalArgumentException.class,
                () -> Metric.accuracy().accumulator().add(Tensor.zeros(4, 1), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("(4, 1)") && e.getMessage().contains("accuracy"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Metric.mse().accumulator().add(Tensor.zeros(4, 3), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("(4, 3)") && e.getMessage().contains("mse"), e.getMessage());
        Metric.Accumulator constant = Metric.r2().accumulator();
        constant.add(Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {5, 5}, 2));
        assertTrue(Double.isNaN(constant.value()), "R² of constant targets is undefined");
    }
}
