package dev.jgrad.tests.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.loss.Losses;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The losses against float64 formulas (values and gradients), and the initializers' statistics. */
class LossAndInitTest {

    private static double[] d(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    @Test
    void mseAndL1MatchTheirFormulasAndGradients() {
        for (Device dev : Device.all()) {
            long seed = System.nanoTime();
            Generator gen = new Generator(seed);
            Tensor p = Tensor.randn(dev, gen, 7, 3).requiresGrad(true), t = Tensor.randn(dev, gen, 7, 3);
            double[] pv = d(p.toArray()), tv = d(t.toArray());
            double mse = 0, l1 = 0;
            for (int i = 0; i < pv.length; i++) {
                mse += (pv[i] - tv[i]) * (pv[i] - tv[i]);
                l1 += Math.abs(pv[i] - tv[i]);
            }
            Tensor lm = Losses.mse(p, t);
            assertEquals(mse / pv.length, lm.item(), 1e-5, "mse on " + dev + ", seed " + seed);
            lm.backward();
            float[] g = p.grad().toArray();
            for (int i = 0; i < pv.length; i++)
                assertEquals(2 * (pv[i] - tv[i]) / pv.length, g[i], 1e-6, "mse gradient on " + dev + ", seed " + seed);
            p.zeroGrad();
            Tensor ll = Losses.l1(p, t);
            assertEquals(l1 / pv.length, ll.item(), 1e-5, "l1 on " + dev);
            ll.backward();
            g = p.grad().toArray();
            for (int i = 0; i < pv.length; i++)
                assertEquals(Math.signum(pv[i] - tv[i]) / pv.length, g[i], 1e-6, "l1 gradient on " + dev);
        }
    }

    @Test
    void binaryCrossEntropyWithLogitsIsStable() {
        float[] logits = {-100f, -3f, -0.5f, 0f, 0.7f, 4f, 100f, 30f};
        float[] targets = {0f, 1f, 0.3f, 1f, 0f, 1f, 1f, 0f};
        double want = 0;
        for (int i = 0; i < logits.length; i++) {
            double x = logits[i], z = targets[i];
            // -[z log s(x) + (1 - z) log(1 - s(x))], written with log1p for large |x|
            double logS = x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
            double log1mS = x >= 0 ? -x - Math.log1p(Math.exp(-x)) : -Math.log1p(Math.exp(x));
            want += -(z * logS + (1 - z) * log1mS);
        }
        want /= logits.length;
        for (Device dev : Device.all()) {
            Tensor x = Tensor.of(dev, logits, logits.length).requiresGrad(true);
            Tensor loss = Losses.binaryCrossEntropyWithLogits(x, Tensor.of(dev, targets, targets.length));
            assertEquals(want, loss.item(), 1e-5 * Math.max(1, want), "bce on " + dev);
            loss.backward();
            float[] g = x.grad().toArray();
            for (int i = 0; i < logits.length; i++) {
                double s = 1 / (1 + Math.exp(-logits[i]));
                assertTrue(Float.isFinite(g[i]));
                assertEquals((s - targets[i]) / logits.length, g[i], 1e-6, "bce gradient " + i + " on " + dev);
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> Losses.binaryCrossEntropyWithLogits(Tensor.zeros(3), Tensor.zeros(4)));
    }

    private static double[] moments(Tensor t) {
        double s = 0, ss = 0;
        float[] v = t.toArray();
        for (float x : v) {
            s += x;
            ss += (double) x * x;
        }
        double mean = s / v.length;
        return new double[] {mean, Math.sqrt(ss / v.length - mean * mean), v.length};
    }

    @Test
    void initializersHaveTheirStatedStatistics() {
        Init.manualSeed(System.nanoTime());
        double[] n = moments(Init.normal(0.05f, 300, 400));
        assertEquals(0, n[0], 0.001);
        assertEquals(0.05, n[1], 0.001);
        // Xavier uniform: U(-b, b) with b = sqrt(6 / (fanIn + fanOut)), std b / sqrt(3).
        double b = Math.sqrt(6.0 / (300 + 400));
        double[] x = moments(Init.xavierUniform(300, 400, 400, 300));
        assertEquals(b / Math.sqrt(3), x[1], 0.01 * b);
        float[] xv = Init.xavierUniform(300, 400, 400, 300).toArray();
        for (float v : xv) assertTrue(Math.abs(v) <= b);
        // Kaiming normal: std sqrt(2 / fanIn).
        double[] k = moments(Init.kaimingNormal(500, 500, 256));
        assertEquals(Math.sqrt(2.0 / 500), k[1], 0.01 * Math.sqrt(2.0 / 500));
        assertEquals(0f, Init.zeros(5).sum().item());
        assertEquals(5f, Init.ones(5).sum().item());
    }
}
