package dev.jgrad.conformance;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Dropout has no deterministic float64 reference, so it is checked by its properties: every
 * output is 0 or {@code x/(1-p)}, the zero fraction is near p, the gradient is the same mask, a
 * seed gives the same mask on every device, and evaluation (or p = 0) is the identity.
 */
class DropoutTest {
    private static final int N = 20011;

    private static float[] randn(long seed, int n) {
        Generator g = new Generator(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = g.nextGaussian();
        return v;
    }

    @TestFactory
    Stream<DynamicTest> trainingMasksAndScales() {
        return Conformance.devices().stream().flatMap(d -> Stream.of(0.1f, 0.3f, 0.5f, 0.9f).map(p ->
                DynamicTest.dynamicTest("dropout[" + N + " p=" + p + "] on " + d, () -> checkTraining(d, p))));
    }

    private static void checkTraining(Device device, float p) {
        long seed = Seeds.forCase("dropout p=" + p);
        String where = "dropout p=" + p + " on " + device + ", seed " + Seeds.base()
                + " (rerun with -Djgrad.test.seed=" + Seeds.base() + ")";
        float[] xv = randn(seed, N), rv = randn(seed + 1, N);
        Tensor x = Tensor.of(device, xv, N).requiresGrad(true);
        Tensor y = x.dropout(p, true, new Generator(seed));
        y.mul(Tensor.of(device, rv, N)).sum().backward();
        float[] yv = y.toArray(), gv = x.grad().toArray();
        double scale = 1.0 / (1.0 - p);
        int zeros = 0;
        for (int i = 0; i < N; i++) {
            if (yv[i] == 0f) {
                zeros++;
                if (gv[i] != 0f) fail(where + ": element " + i + " dropped but its gradient is " + gv[i]);
            } else {
                if (Math.abs(yv[i] - xv[i] * scale) > 1e-6 * Math.abs(xv[i] * scale))
                    fail(where + ": element " + i + " is " + yv[i] + ", neither 0 nor x/(1-p) = " + xv[i] * scale);
                if (Math.abs(gv[i] - rv[i] * scale) > 1e-6 * Math.abs(rv[i] * scale))
                    fail(where + ": element " + i + " kept but its gradient is " + gv[i] + ", not R/(1-p) = " + rv[i] * scale);
            }
        }
        double fraction = (double) zeros / N, sigma = Math.sqrt(p * (1 - p) / N);
        assertTrue(Math.abs(fraction - p) < 5 * sigma,
                where + ": zero fraction " + fraction + " is more than 5 sigma (" + 5 * sigma + ") from p");
    }

    @Test
    void sameSeedSameMaskOnEveryDevice() {
        long seed = Seeds.forCase("dropout same mask");
        float[] xv = randn(seed, 1037);
        List<float[]> outs = new ArrayList<>();
        for (Device d : Conformance.devices()) outs.add(Tensor.of(d, xv, 1037).dropout(0.4f, true, new Generator(seed)).toArray());
        for (int i = 1; i < outs.size(); i++)
            assertArrayEquals(outs.get(0), outs.get(i), "dropout masks differ between " + Conformance.devices().get(0) + " and "
                    + Conformance.devices().get(i) + " for seed " + seed);
    }

    @TestFactory
    Stream<DynamicTest> identityWhenNotDropping() {
        return Conformance.devices().stream().map(d -> DynamicTest.dynamicTest("dropout identity (eval, p=0) on " + d, () -> {
            float[] xv = randn(Seeds.forCase("dropout identity"), 35);
            Tensor x = Tensor.of(d, xv, 5, 7).requiresGrad(true);
            assertArrayEquals(xv, x.dropout(0.5f, false, new Generator(1)).toArray(), "eval mode must be the identity");
            assertArrayEquals(xv, x.dropout(0f, true, new Generator(1)).toArray(), "p = 0 must be the identity");
            x.dropout(0.5f, false, new Generator(1)).sum().backward();
            float[] ones = new float[35];
            Arrays.fill(ones, 1f);
            assertArrayEquals(ones, x.grad().toArray(), "eval-mode dropout must pass the gradient through");
        }));
    }

    @TestFactory
    Stream<DynamicTest> stridedInput() {
        return Conformance.devices().stream().map(d -> DynamicTest.dynamicTest("dropout[7x9 transposed] on " + d, () -> {
            long seed = Seeds.forCase("dropout strided");
            Tensor base = Tensor.of(d, randn(seed, 63), 7, 9);
            Tensor view = base.transpose(0, 1);
            float[] viewValues = view.toArray(), y = view.dropout(0.5f, true, new Generator(seed)).toArray();
            assertEquals(63, y.length);
            for (int i = 0; i < y.length; i++)
                assertTrue(y[i] == 0f || y[i] == viewValues[i] * 2f,
                        "element " + i + " of a dropped-out transposed view is " + y[i] + ", input " + viewValues[i]);
            assertSame(d, view.dropout(0.5f, true, new Generator(seed)).device());
        }));
    }
}
