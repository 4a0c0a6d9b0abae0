package dev.jgrad.tests.nn;

import dev.jgrad.engine.Tensor;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison the PyTorch golden tests share: same shape, max error relative to the largest |PyTorch| value. */
final class GoldenClose {
    private GoldenClose() {}

    static void assertClose(String what, Tensor want, Tensor got, double tol) {
        assertTrue(want != null && got != null, what + ": missing (want " + want + ", got " + got + ")");
        assertArrayEquals(want.shape(), got.shape(), what + ": shape " + Arrays.toString(got.shape()));
        float[] w = want.toArray(), h = got.toArray();
        double maxErr = 0, maxRef = 1e-30;
        for (int i = 0; i < w.length; i++) {
            maxErr = Math.max(maxErr, Math.abs((double) w[i] - h[i]));
            maxRef = Math.max(maxRef, Math.abs(w[i]));
        }
        assertTrue(maxErr / maxRef < tol, what + ": max error " + maxErr + " against max |PyTorch| " + maxRef);
    }
}
