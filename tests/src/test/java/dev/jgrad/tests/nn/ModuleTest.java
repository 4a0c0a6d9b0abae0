package dev.jgrad.tests.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.BatchNorm2d;
import dev.jgrad.nn.layers.Conv2d;
import dev.jgrad.nn.layers.Dropout;
import dev.jgrad.nn.layers.Flatten;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.train.EarlyStopping;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Modules: names, modes, batch norm's two regimes, dropout's statistics, early stopping. */
class ModuleTest {

    @Test
    void stateDictUsesPyTorchNames() {
        Module m = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), Activation.relu(), new Flatten(), new Linear(8, 3));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "4.weight", "4.bias"), List.copyOf(m.stateDict().keySet()));
        assertEquals(2 * 9 + 2 + 2 + 2 + 8 * 3 + 3, m.parameterCount());
    }

    @Test
    void everyModelMapsImagesToTenLogits() {
        Tensor x = Tensor.rand(new Generator(1), 3, 1, 28, 28);
        for (String name : Models.NAMES) {
            Module m = Models.byName(name);
            m.eval();
            assertArrayEquals(new int[] {3, 10}, m.forward(x).shape(), name);
        }
        assertThrows(IllegalArgumentException.class, () -> Models.byName("resnet"));
    }

    @Test
    void batchNormUsesBatchStatisticsInTrainingAndRunningStatisticsInEval() {
        long seed = System.nanoTime();
        Generator gen = new Generator(seed);
        int n = 6, c = 3, h = 2, w = 5;
        float[] data = Tensor.randn(gen, n, c, h, w).mul(2f).add(0.5f).toArray();
        BatchNorm2d bn = new BatchNorm2d(c);
        float[] y = bn.forward(Tensor.of(data, n, c, h, w)).toArray();
        int m = n * h * w;
        for (int ch = 0; ch < c; ch++) {
            double mean = 0, var = 0, ymean = 0, yvar = 0;
            for (int i = 0; i < n; i++)
                for (int s = 0; s < h * w; s++) mean += data[(i * c + ch) * h * w + s];
            mean /= m;
            for (int i = 0; i < n; i++)
                for (int s = 0; s < h * w; s++) {
                    double d = data[(i * c + ch) * h * w + s] - mean;
                    var += d * d;
                    ymean += y[(i * c + ch) * h * w + s];
                }
            ymean /= m;
            for (int i = 0; i < n; i++)
                for (int s = 0; s < h * w; s++) yvar += Math.pow(y[(i * c + ch) * h * w + s] - ymean, 2);
            // Training output: zero mean, unit (biased) variance per channel.
            assertEquals(0, ymean, 1e-5, "seed " + seed);
            assertEquals(1, yvar / m, 1e-3, "seed " + seed);
            // Running statistics: momentum 0.1 from (0, 1), unbiased variance.
            assertEquals(0.1 * mean, bn.runningMean().get(ch), 1e-5, "seed " + seed);
            assertEquals(0.9 + 0.1 * var / (m - 1), bn.runningVar().get(ch), 1e-4, "seed " + seed);
        }
        bn.eval();
        float[] rm = bn.runningMean().toArray(), rv = bn.runningVar().toArray();
        float[] ye = bn.forward(Tensor.of(data, n, c, h, w)).toArray();
        for (int i = 0; i < data.length; i++) {
            int ch = (i / (h * w)) % c;
            assertEquals((data[i] - rm[ch]) / Math.sqrt(rv[ch] + 1e-5), ye[i], 1e-4, "eval element " + i + ", seed " + seed);
        }
        assertArrayEquals(rm, bn.runningMean().toArray(), "eval must not update running statistics");
    }

    @Test
    void dropoutZeroesAboutPAndScalesTheRest() {
        for (Device device : Device.all()) {
            Dropout d = new Dropout(0.3f);
            Tensor x = Tensor.ones(device, 200_000);
            float[] y = d.forward(x).toArray();
            int zeros = 0;
            double sum = 0;
            for (float v : y) {
                if (v == 0f) zeros++;
                else assertEquals(1f / 0.7f, v, 1e-6, "kept elements are scaled by 1/(1-p) on " + device);
                sum += v;
            }
            // Binomial(200000, 0.3): standard deviation of the fraction is about 0.001.
            assertEquals(0.3, zeros / 200_000.0, 0.006, "fraction dropped on " + device);
            assertEquals(1.0, sum / y.length, 0.01, "expectation is preserved on " + device);
            d.eval();
            assertArrayEquals(x.toArray(), d.forward(x).toArray(), "eval is the identity on " + device);
        }
    }

    @Test
    void earlyStoppingRestoresTheBestWeights() {
        Init.manualSeed(3);
        Linear model = new Linear(4, 2);
        EarlyStopping stop = new EarlyStopping(2, 0.0);
        double[] valLosses = {1.0, 0.5, 0.6, 0.7, 0.4};
        float[] best = null;
        boolean stopped = false;
        for (int epoch = 1; epoch <= valLosses.length && !stopped; epoch++) {
            try (var noGrad = GradMode.disable()) {
                model.weight.value().copyFrom(Tensor.full((float) epoch, 2, 4));
            }
            if (epoch == 2) best = model.weight.value().toArray();
            stopped = stop.update(epoch, valLosses[epoch - 1], model);
            if (epoch < 4) assertFalse(stopped, "epoch " + epoch);
        }
        assertTrue(stopped, "two epochs without improvement after epoch 2 must stop at epoch 4");
        assertEquals(2, stop.bestEpoch());
        stop.restoreBest(model);
        assertArrayEquals(best, model.weight.value().toArray());
    }

    @Test
    void loadStateDictRejectsMismatchesAndChangesNothing() {
        Linear model = new Linear(3, 2);
        float[] before = model.weight.value().toArray();
        Map<String, Tensor> bad = Map.of("weight", Tensor.zeros(2, 4), "bias", Tensor.zeros(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(bad));
        assertTrue(e.getMessage().contains("weight has shape (2, 4), the model needs (2, 3)"), e.getMessage());
        assertArrayEquals(before, model.weight.value().toArray());
        Map<String, Tensor> missing = Map.of("weight", Tensor.zeros(2, 3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(missing)).getMessage()
                .contains("missing entry bias"));
        assertArrayEquals(before, model.weight.value().toArray());
    }
}
