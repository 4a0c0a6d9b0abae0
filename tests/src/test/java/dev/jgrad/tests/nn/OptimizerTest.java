package dev.jgrad.tests.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Parameter;
import dev.jgrad.nn.optim.AdaGrad;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.AdamW;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.RMSProp;
import dev.jgrad.nn.optim.SGD;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each optimizer's fused step against the textbook formulas, written out here in double for a
 * few steps with changing gradients, on two parameter tensors of awkward sizes, on every device.
 * The loss is {@code sum(p * c_t)} so the gradient at step t is exactly {@code c_t}.
 */
class OptimizerTest {
    private static final int STEPS = 4;

    /** A textbook update of one coordinate: state in {@code s}, returns the new parameter. */
    interface Rule {
        double apply(double p, double g, double[] s, int t);
    }

    record Case(String name, Function<List<Parameter>, Optimizer> make, Rule rule) {}

    static List<Case> cases() {
        double lr = 0.1;
        return List.of(
                new Case("SGD", ps -> new SGD(ps, 0.1f), (p, g, s, t) -> p - lr * g),
                new Case("SGD momentum 0.9, weight decay 0.01", ps -> new SGD(ps, 0.1f, 0.9f, 0.01f), (p, g, s, t) -> {
                    double gg = g + 0.01 * p;
                    s[0] = 0.9 * s[0] + gg;
                    return p - lr * s[0];
                }),
                new Case("AdaGrad", ps -> new AdaGrad(ps, 0.1f), (p, g, s, t) -> {
                    s[0] += g * g;
                    return p - lr * g / (Math.sqrt(s[0]) + 1e-10);
                }),
                new Case("RMSProp alpha 0.9", ps -> new RMSProp(ps, 0.1f, 0.9f, 0f), (p, g, s, t) -> {
                    s[0] = 0.9 * s[0] + 0.1 * g * g;
                    return p - lr * g / (Math.sqrt(s[0]) + 1e-8);
                }),
                new Case("Adam", ps -> new Adam(ps, 0.1f), (p, g, s, t) -> {
                    s[0] = 0.9 * s[0] + 0.1 * g;
                    s[1] = 0.999 * s[1] + 0.001 * g * g;
                    double mHat = s[0] / (1 - Math.pow(0.9, t)), vHat = s[1] / (1 - Math.pow(0.999, t));
                    return p - lr * mHat / (Math.sqrt(vHat) + 1e-8);
                }),
                new Case("Adam L2 0.05", ps -> new Adam(ps, 0.1f, 0.9f, 0.999f, 1e-8f, 0.05f, false), (p, g, s, t) -> {
                    double gg = g + 0.05 * p;
                    s[0] = 0.9 * s[0] + 0.1 * gg;
                    s[1] = 0.999 * s[1] + 0.001 * gg * gg;
                    double mHat = s[0] / (1 - Math.pow(0.9, t)), vHat = s[1] / (1 - Math.pow(0.999, t));
                    return p - lr * mHat / (Math.sqrt(vHat) + 1e-8);
                }),
                new Case("AdamW 0.05", ps -> new AdamW(ps, 0.1f, 0.05f), (p, g, s, t) -> {
                    double q = p - lr * 0.05 * p;
                    s[0] = 0.9 * s[0] + 0.1 * g;
                    s[1] = 0.999 * s[1] + 0.001 * g * g;
                    double mHat = s[0] / (1 - Math.pow(0.9, t)), vHat = s[1] / (1 - Math.pow(0.999, t));
                    return q - lr * mHat / (Math.sqrt(vHat) + 1e-8);
                }));
    }

    @TestFactory
    Stream<DynamicTest> fusedStepMatchesTextbook() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device device : Device.all())
            for (Case c : cases())
                tests.add(DynamicTest.dynamicTest(c.name() + " on " + device, () -> check(c, device)));
        return tests.stream();
    }

    private static void check(Case c, Device device) {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        int[] sizes = {1, 37};
        List<Parameter> params = new ArrayList<>();
        double[][] want = new double[sizes.length][];
        double[][][] state = new double[sizes.length][][];
        for (int k = 0; k < sizes.length; k++) {
            float[] init = new float[sizes[k]];
            want[k] = new double[sizes[k]];
            state[k] = new double[sizes[k]][2];
            for (int i = 0; i < init.length; i++) want[k][i] = init[i] = (float) rnd.nextGaussian();
            params.add(new Parameter(Tensor.of(device, init, sizes[k])));
        }
        Optimizer opt = c.make().apply(params);
        for (int t = 1; t <= STEPS; t++) {
            Tensor loss = null;
            float[][] grads = new float[sizes.length][];
            for (int k = 0; k < sizes.length; k++) {
                grads[k] = new float[sizes[k]];
                for (int i = 0; i < sizes[k]; i++) grads[k][i] = (float) rnd.nextGaussian();
                Tensor term = params.get(k).value().mul(Tensor.of(device, grads[k], sizes[k])).sum();
                loss = loss == null ? term : loss.add(term);
            }
            opt.zeroGrad();
            loss.backward();
            opt.step();
            for (int k = 0; k < sizes.length; k++)
                for (int i = 0; i < sizes[k]; i++) want[k][i] = c.rule().apply(want[k][i], grads[k][i], state[k][i], t);
        }
        for (int k = 0; k < sizes.length; k++) {
            float[] got = params.get(k).value().toArray();
            for (int i = 0; i < sizes[k]; i++)
                assertEquals(want[k][i], got[i], 1e-5 * Math.max(1, Math.abs(want[k][i])),
                        c.name() + " on " + device + ": parameter " + k + "[" + i + "] after " + STEPS + " steps (seed " + seed + ")");
        }
    }

    @Test
    void firstStepsByHand() {
        // SGD: 1 - 0.1 * 0.5 = 0.95. Adam's first step moves by lr * g / |g| = lr (bias correction).
        Parameter p = new Parameter(Tensor.of(new float[] {1f, -2f}, 2));
        Tensor c = Tensor.of(new float[] {0.5f, -0.25f}, 2);
        SGD sgd = new SGD(List.of(p), 0.1f);
        p.value().mul(c).sum().backward();
        sgd.step();
        assertEquals(0.95f, p.value().get(0), 1e-7);
        assertEquals(-1.975f, p.value().get(1), 1e-7);

        Parameter q = new Parameter(Tensor.of(new float[] {1f, -2f}, 2));
        Adam adam = new Adam(List.of(q), 0.1f);
        q.value().mul(c).sum().backward();
        adam.step();
        assertEquals(0.9f, q.value().get(0), 1e-6);
        assertEquals(-1.9f, q.value().get(1), 1e-6);
    }

    @Test
    void clippingScalesByGlobalNorm() {
        // Gradients (3, 4) have norm 5; clipped to 1 they become (0.6, 0.8).
        Parameter p = new Parameter(Tensor.of(new float[] {0f, 0f}, 2));
        SGD sgd = new SGD(List.of(p), 1f);
        sgd.clipGradNorm(1f);
        p.value().mul(Tensor.of(new float[] {3f, 4f}, 2)).sum().backward();
        sgd.step();
        assertEquals(5f, sgd.lastGradNorm(), 1e-5);
        assertEquals(-0.6f, p.value().get(0), 1e-5);
        assertEquals(-0.8f, p.value().get(1), 1e-5);
    }

    @Test
    void badHyperparametersAreRejected() {
        List<Parameter> ps = List.of(new Parameter(Tensor.zeros(2)));
        assertThrows(IllegalArgumentException.class, () -> new SGD(ps, -1f));
        assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1f, 1.5f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 0.1f, 1f, 0.999f, 1e-8f, 0f, false));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), 0.1f));
    }
}
