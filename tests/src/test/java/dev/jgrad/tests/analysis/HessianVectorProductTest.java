package dev.jgrad.tests.analysis;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.analysis.ModelHessian;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.loss.Losses;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The finite-difference Hessian-vector product of a 4-5-3 tanh MLP with cross-entropy
 * (43 parameters, 2 batches of 12) against a dense Hessian from central differences of a float64
 * gradient written here by hand (forward and backward in double), so the reference error is about
 * 1e-9. The measured float32 HVP errors are printed; the tolerance is the one documented in
 * {@link ModelHessian}.
 */
class HessianVectorProductTest {
    static final int IN = 4, HID = 5, OUT = 3, N = 12, BATCHES = 2;

    /** Parameter order of Sequential(Linear(4,5), tanh, Linear(5,3)): W1 (5,4), b1 (5), W2 (3,5), b2 (3). */
    static double referenceLoss(double[] p, double[][] x, int[] labels, double[] grad) {
        int w1 = 0, b1 = HID * IN, w2 = b1 + HID, b2 = w2 + OUT * HID;
        if (grad != null) java.util.Arrays.fill(grad, 0);
        double total = 0;
        for (int s = 0; s < x.length; s++) {
            double[] h = new double[HID];
            for (int j = 0; j < HID; j++) {
                double z = p[b1 + j];
                for (int i = 0; i < IN; i++) z += p[w1 + j * IN + i] * x[s][i];
                h[j] = Math.tanh(z);
            }
            double[] logit = new double[OUT];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < OUT; k++) {
                double z = p[b2 + k];
                for (int j = 0; j < HID; j++) z += p[w2 + k * HID + j] * h[j];
                logit[k] = z;
                max = Math.max(max, z);
            }
            double sum = 0;
            for (int k = 0; k < OUT; k++) sum += Math.exp(logit[k] - max);
            double lse = max + Math.log(sum);
            total += lse - logit[labels[s]];
            if (grad == null) continue;
            double[] dz = new double[OUT];
            for (int k = 0; k < OUT; k++) dz[k] = (Math.exp(logit[k] - lse) - (k == labels[s] ? 1 : 0)) / x.length;
            double[] dh = new double[HID];
            for (int k = 0; k < OUT; k++) {
                grad[b2 + k] += dz[k];
                for (int j = 0; j < HID; j++) {
                    grad[w2 + k * HID + j] += dz[k] * h[j];
                    dh[j] += dz[k] * p[w2 + k * HID + j];
                }
            }
            for (int j = 0; j < HID; j++) {
                double da = dh[j] * (1 - h[j] * h[j]);
                grad[b1 + j] += da;
                for (int i = 0; i < IN; i++) grad[w1 + j * IN + i] += da * x[s][i];
            }
        }
        return total / x.length;
    }

    static double[][] referenceHessian(double[] p, double[][] x, int[] labels) {
        int n = p.length;
        double[][] h = new double[n][n];
        double step = 1e-5;
        double[] gp = new double[n], gm = new double[n];
        for (int j = 0; j < n; j++) {
            double[] q = p.clone();
            q[j] = p[j] + step;
            referenceLoss(q, x, labels, gp);
            q[j] = p[j] - step;
            referenceLoss(q, x, labels, gm);
            for (int i = 0; i < n; i++) h[i][j] = (gp[i] - gm[i]) / (2 * step);
        }
        for (int i = 0; i < n; i++)           // symmetrize: halves the finite-difference noise
            for (int j = 0; j < i; j++) h[i][j] = h[j][i] = 0.5 * (h[i][j] + h[j][i]);
        return h;
    }

    record Setup(Module model, List<Tensor[]> batches, double[][] x, int[] labels, double[] theta) {}

    static Setup setup(long seed) {
        Random r = new Random(seed);
        Module model = new Sequential(new Linear(IN, HID), Activation.tanh(), new Linear(HID, OUT));
        // deterministic weights from the seed (the layers' own init uses a global generator)
        List<dev.jgrad.nn.Parameter> ps = model.parameters();
        try (var noGrad = dev.jgrad.engine.autograd.GradMode.disable()) {
            for (var p : ps) {
                float[] v = new float[p.value().numel()];
                for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 0.7);
                p.value().copyFrom(Tensor.of(v, p.shape()));
            }
        }
        double[][] x = new double[N * BATCHES][IN];
        int[] labels = new int[N * BATCHES];
        List<Tensor[]> batches = new java.util.ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            float[] xs = new float[N * IN], ys = new float[N];
            for (int s = 0; s < N; s++) {
                for (int i = 0; i < IN; i++) xs[s * IN + i] = (float) (x[b * N + s][i] = (float) r.nextGaussian());
                labels[b * N + s] = r.nextInt(OUT);
                ys[s] = labels[b * N + s];
            }
            batches.add(new Tensor[] {Tensor.of(xs, N, IN), Tensor.of(ys, N)});
        }
        double[] theta = new double[(int) model.parameterCount()];
        int at = 0;
        for (var p : ps) for (float f : p.value().toArray()) theta[at++] = f;
        return new Setup(model, batches, x, labels, theta);
    }

    static double relErr(double[] a, double[] ref) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - ref[i]) * (a[i] - ref[i]);
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num / den);
    }

    static double[] matvec(double[][] h, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) for (int j = 0; j < v.length; j++) out[i] += h[i][j] * v[j];
        return out;
    }

    @Test
    void gradientMatchesTheFloat64Reference() {
        long seed = System.nanoTime();
        Setup s = setup(seed);
        double[] ref = new double[s.theta().length];
        double refLoss = referenceLoss(s.theta(), s.x(), s.labels(), ref);
        try (ModelHessian h = new ModelHessian(s.model(), s.batches(), (m, x, y) -> Losses.crossEntropy(m.forward(x), y),
                ModelHessian.DEFAULT_FD_SCALE)) {
            assertEquals(refLoss, h.loss(), 1e-5 * Math.max(1, refLoss), "seed " + seed);
            assertTrue(relErr(h.gradient(), ref) < 1e-5, "seed " + seed + ": gradient rel err " + relErr(h.gradient(), ref));
        }
    }

    @Test
    void hvpMatchesTheDenseFiniteDifferenceHessian() {
        long seed = System.nanoTime();
        Setup s = setup(seed);
        double[][] href = referenceHessian(s.theta(), s.x(), s.labels());
        Random r = new Random(seed + 1);
        double[] scales = {1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2};
        double[] worst = new double[scales.length];
        StringBuilder report = new StringBuilder("seed " + seed + ": HVP relative error (worst of 8 directions) by fdScale:");
        for (int k = 0; k < scales.length; k++) {
            try (ModelHessian h = new ModelHessian(s.model(), s.batches(),
                    (m, x, y) -> Losses.crossEntropy(m.forward(x), y), scales[k])) {
                Random dirs = new Random(seed + 2);
                for (int t = 0; t < 8; t++) {
                    double[] v = new double[s.theta().length];
                    for (int i = 0; i < v.length; i++) v[i] = dirs.nextGaussian();
                    worst[k] = Math.max(worst[k], relErr(h.apply(v), matvec(href, v)));
                }
            }
            report.append(String.format(Locale.ROOT, "  %.0e: %.2e", scales[k], worst[k]));
        }
        System.out.println(report);
        int def = 2;   // DEFAULT_FD_SCALE = 1e-3
        assertEquals(ModelHessian.DEFAULT_FD_SCALE, scales[def]);
        assertTrue(worst[def] < 5e-4, report.toString());
        // also along a coordinate-aligned and a tiny-norm direction: r scales with 1/||v||
        try (ModelHessian h = new ModelHessian(s.model(), s.batches(), (m, x, y) -> Losses.crossEntropy(m.forward(x), y),
                ModelHessian.DEFAULT_FD_SCALE)) {
            double[] e = new double[s.theta().length];
            e[r.nextInt(e.length)] = 1e-6;
            assertTrue(relErr(h.apply(e), matvec(href, e)) < 5e-4, report.toString());
        }
        // the model comes back untouched
        double[] after = new double[s.theta().length];
        int at = 0;
        for (var p : s.model().parameters()) for (float f : p.value().toArray()) after[at++] = f;
        assertArrayEquals(s.theta(), after, 0.0);
    }
}
