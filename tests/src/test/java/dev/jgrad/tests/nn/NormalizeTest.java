package dev.jgrad.tests.nn;

import dev.jgrad.engine.Generator;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.Dataset;
import dev.jgrad.nn.data.Normalize;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** Per-channel normalization fitted on a training set, against float64 statistics. */
class NormalizeTest {
    private static final int C = 3, HW = 4 * 5;

    /** {@code n} examples {@code (3, 4, 5)}, channel c ~ N(offset_c, scale_c^2). */
    private static ArrayDataset images(int n, Generator gen) {
        float[] offset = {-2f, 0.5f, 7f}, scale = {0.1f, 3f, 1f};
        float[] x = new float[n * C * HW];
        for (int e = 0; e < n; e++)
            for (int c = 0; c < C; c++)
                for (int i = 0; i < HW; i++) x[(e * C + c) * HW + i] = offset[c] + scale[c] * gen.nextGaussian();
        return new ArrayDataset(x, new float[n], C, 4, 5);
    }

    /** Per-channel mean and population std of a whole dataset, in double. */
    private static double[][] stats(Dataset d) {
        int n = d.size();
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        float[] x = d.fetch(all).features();
        double[] mean = new double[C], std = new double[C];
        for (int c = 0; c < C; c++) {
            double s = 0;
            for (int e = 0; e < n; e++) for (int i = 0; i < HW; i++) s += x[(e * C + c) * HW + i];
            mean[c] = s / (n * HW);
            double q = 0;
            for (int e = 0; e < n; e++)
                for (int i = 0; i < HW; i++) q += Math.pow(x[(e * C + c) * HW + i] - mean[c], 2);
            std[c] = Math.sqrt(q / (n * HW));
        }
        return new double[][] {mean, std};
    }

    @Test
    void fitsOnTrainingDataAndAppliesTheSameTransformEverywhere() {
        long seed = System.nanoTime();
        Generator gen = new Generator(seed);
        ArrayDataset train = images(1500, gen), test = images(200, gen);   // 1500 > one internal chunk
        Normalize norm = Normalize.fit(train);
        double[][] ref = stats(train);
        for (int c = 0; c < C; c++) {
            assertEquals(ref[0][c], norm.mean()[c], 1e-5 * Math.max(1, Math.abs(ref[0][c])), "mean " + c + ", seed " + seed);
            assertEquals(ref[1][c], norm.std()[c], 1e-5 * ref[1][c], "std " + c + ", seed " + seed);
        }
        double[][] after = stats(norm.apply(train));
        for (int c = 0; c < C; c++) {
            assertEquals(0, after[0][c], 1e-4, "normalized training mean, channel " + c + ", seed " + seed);
            assertEquals(1, after[1][c], 1e-4, "normalized training std, channel " + c + ", seed " + seed);
        }
        // The test set is transformed with the training statistics, not its own.
        float[] raw = test.features();
        float[] normed = norm.apply(test).fetch(new int[] {0, 199}).features();
        for (int c = 0; c < C; c++) {
            int i = c * HW + 3;
            assertEquals((raw[i] - norm.mean()[c]) / norm.std()[c], normed[i], 1e-6f, "seed " + seed);
            int j = (199 * C + c) * HW + 7;
            assertEquals((raw[j] - norm.mean()[c]) / norm.std()[c], normed[C * HW + c * HW + 7], 1e-6f, "seed " + seed);
        }
        assertEquals(raw[0], test.features()[0], "applying does not modify the source data");
    }

    @Test
    void constantChannelsAreOnlyCenteredAndShapesMustMatch() {
        float[] x = {5, 1, 5, 3};   // 2 examples of (2,): channel 0 constant
        Normalize norm = Normalize.fit(new ArrayDataset(x, new float[2], 2));
        assertArrayEquals(new float[] {5, 2}, norm.mean());
        assertArrayEquals(new float[] {1, 1}, norm.std());
        float[] y = x.clone();
        norm.applyInPlace(y, 2);
        assertArrayEquals(new float[] {0, -1, 0, 1}, y);
        assertThrows(IllegalArgumentException.class, () -> norm.apply(new ArrayDataset(new float[3], new float[1], 3)));
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0}, new float[] {0}, 1));
        assertThrows(IllegalArgumentException.class, () -> Normalize.fit(new ArrayDataset(new float[0], new float[0], 2)));
    }
}
