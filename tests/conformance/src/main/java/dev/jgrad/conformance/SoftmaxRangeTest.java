package dev.jgrad.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Softmax element by element over the whole range of {@code exp}: the conformance suite's
 * relative L2 norm is dominated by the largest probabilities, so a kernel whose exp is wrong for
 * very negative arguments (or off by a few ulp everywhere) could pass it. Here every probability
 * above 1e-36 must be within 2e-6 of the float64 value relatively (plus the rounding of the
 * float32 difference {@code x - max} itself), smaller ones within 1e-36, on
 * rows whose logits fall from the max down to 100 below it (past exp's float underflow near
 * -87), in odd lengths that leave vector tails.
 */
class SoftmaxRangeTest {

    private static double[] reference(float[] x, int row, int n) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, x[row * n + i]);
        double[] p = new double[n];
        for (int i = 0; i < n; i++) sum += p[i] = Math.exp(x[row * n + i] - max);
        for (int i = 0; i < n; i++) p[i] /= sum;
        return p;
    }

    @TestFactory
    Stream<DynamicTest> everyProbabilityMatchesFloat64() {
        return Conformance.devices().stream().flatMap(d -> Stream.of(1, 7, 33, 1031, 4099).map(n -> DynamicTest.dynamicTest(
                "softmax of " + n + " logits spanning 100 on " + d + " (seed " + Seeds.base() + ")", () -> {
                    SplittableRandom rnd = new SplittableRandom(Seeds.forCase("softmax range " + n));
                    int rows = 3;
                    float[] x = new float[rows * n];
                    for (int i = 0; i < x.length; i++) x[i] = (float) (5 - 100 * rnd.nextDouble());
                    float[] got = Tensor.of(d, x, rows, n).softmax(1).toArray();
                    for (int row = 0; row < rows; row++) {
                        double[] want = reference(x, row, n);
                        float max = Float.NEGATIVE_INFINITY;
                        for (int i = 0; i < n; i++) max = Math.max(max, x[row * n + i]);
                        for (int i = 0; i < n; i++) {
                            float g = got[row * n + i];
                            double w = want[i], err = Math.abs(g - w);
                            // float32's x - max is off by up to half an ulp of |x - max|, which exp
                            // turns into that relative error
                            double t = Math.abs((double) x[row * n + i] - max);
                            boolean ok = w > 1e-36 ? err <= (2e-6 + 0x1p-24 * t) * w : err <= 1e-36;
                            assertTrue(ok && g >= 0, "row " + row + " element " + i + ": logit " + x[row * n + i]
                                    + " gives " + g + ", float64 says " + w);
                        }
                    }
                })));
    }

    @TestFactory
    Stream<DynamicTest> infinitiesAndNaN() {
        return Conformance.devices().stream().map(d -> DynamicTest.dynamicTest("softmax with -inf and NaN logits on " + d, () -> {
            float ninf = Float.NEGATIVE_INFINITY;
            // row 0: -inf logits get probability 0; row 1: a NaN poisons its row only
            float[] x = new float[40];
            for (int i = 0; i < 20; i++) x[i] = i % 3 == 0 ? ninf : 0f;
            x[25] = Float.NaN;
            float[] got = Tensor.of(d, x, 2, 20).softmax(1).toArray();
            for (int i = 0; i < 20; i++) assertEquals(i % 3 == 0 ? 0f : 1f / 13, got[i], 1e-7f, "element " + i);
            for (int i = 20; i < 40; i++) assertTrue(Float.isNaN(got[i]), "element " + i + " of the NaN row: " + got[i]);
        }));
    }
}
