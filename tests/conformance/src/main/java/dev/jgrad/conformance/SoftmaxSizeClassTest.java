package dev.jgrad.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Softmax, log-softmax (forward and backward) and cross-entropy (forward and backward) against
 * float64 at every boundary of the row kernels' size classes: the CUDA backend runs rows of up to
 * 1024 with a warp per row and K elements per lane (K in 1, 2, 4, ..., 32, r <= 32 K), float4 where
 * r % 4 == 0, and longer rows with a block per row. The lengths sit on each side of every 32 K and
 * of 1024, with r % 4 both 0 and not; the row counts are not multiples of the 4 or 8 rows per block.
 */
class SoftmaxSizeClassTest {

    /** Each side of 32 K for K = 1 .. 32, and of the warp/block switch at 1024. */
    static final int[] LENGTHS = {1, 2, 3, 4, 31, 32, 33, 36, 63, 64, 65, 127, 128, 129, 132, 255, 256, 257, 511, 512,
            513, 1020, 1023, 1024, 1025, 1028, 2049};

    /** Not multiples of the rows per block (4 or 8): a partial last block. */
    static final int[] ROWS = {1, 5, 13};

    record Case(int rows, int r) {
        @Override
        public String toString() {
            return "(" + rows + ", " + r + ")";
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (int r : LENGTHS) for (int rows : ROWS) cases.add(new Case(rows, r));
        return cases;
    }

    static float[] random(SplittableRandom rnd, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (scale * (2 * rnd.nextDouble() - 1));
        return v;
    }

    /** Row-wise float64 softmax of x (rows, r). */
    static double[] softmax64(float[] x, int rows, int r) {
        double[] p = new double[rows * r];
        for (int row = 0; row < rows; row++) {
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < r; j++) m = Math.max(m, x[row * r + j]);
            for (int j = 0; j < r; j++) s += p[row * r + j] = Math.exp(x[row * r + j] - m);
            for (int j = 0; j < r; j++) p[row * r + j] /= s;
        }
        return p;
    }

    /** |got - want| <= 1e-5 |want| + 1e-6 max |want| over the row, element by element. */
    static void check(String what, float[] got, double[] want, int rows, int r) {
        check(what, got, want, null, rows, r);
    }

    /**
     * As {@link #check(String, float[], double[], int, int)}, plus 1e-6 mag[i]: the size of the
     * terms whose difference element i is (a gradient like p (w - sum(w p)) or p - 1 cancels, and
     * float32 rounds the terms, not the difference).
     */
    static void check(String what, float[] got, double[] want, double[] mag, int rows, int r) {
        for (int row = 0; row < rows; row++) {
            double scale = 0;
            for (int j = 0; j < r; j++) scale = Math.max(scale, Math.abs(want[row * r + j]));
            for (int j = 0; j < r; j++) {
                int i = row * r + j;
                double err = Math.abs(got[i] - want[i]), m = mag == null ? 0 : mag[i];
                assertTrue(err <= 1e-5 * Math.abs(want[i]) + 1e-6 * (scale + m) + 1e-30,
                        what + ": row " + row + " element " + j + " is " + got[i] + ", float64 says " + want[i]);
            }
        }
    }

    static Stream<DynamicTest> over(String what, CaseBody body) {
        return Conformance.devices().stream().flatMap(d -> cases().stream().map(c -> DynamicTest.dynamicTest(
                what + " " + c + " on " + d + " (seed " + Seeds.base() + ")",
                () -> body.run(d, c, new SplittableRandom(Seeds.forCase(what + " " + c))))));
    }

    interface CaseBody {
        void run(Device d, Case c, SplittableRandom rnd) throws Exception;
    }

    @TestFactory
    Stream<DynamicTest> softmaxForwardAndBackward() {
        return over("softmax", (d, c, rnd) -> {
            int rows = c.rows(), r = c.r();
            float[] x = random(rnd, rows * r, 6), w = random(rnd, rows * r, 1);
            Tensor xt = Tensor.of(d, x, rows, r).requiresGrad(true);
            Tensor y = xt.softmax(1);
            y.mul(Tensor.of(d, w, rows, r)).sum().backward();
            double[] p = softmax64(x, rows, r);
            check("softmax", y.toArray(), p, rows, r);
            // d/dx sum(w p) = p (w - sum(w p))
            double[] gx = new double[rows * r], mag = new double[rows * r];
            for (int row = 0; row < rows; row++) {
                double dot = 0;
                for (int j = 0; j < r; j++) dot += w[row * r + j] * p[row * r + j];
                for (int j = 0; j < r; j++) {
                    gx[row * r + j] = p[row * r + j] * (w[row * r + j] - dot);
                    mag[row * r + j] = p[row * r + j] * (Math.abs(w[row * r + j]) + Math.abs(dot));
                }
            }
            check("softmax backward", xt.grad().toArray(), gx, mag, rows, r);
        });
    }

    @TestFactory
    Stream<DynamicTest> logSoftmaxForwardAndBackward() {
        return over("logSoftmax", (d, c, rnd) -> {
            int rows = c.rows(), r = c.r();
            float[] x = random(rnd, rows * r, 6), w = random(rnd, rows * r, 1);
            Tensor xt = Tensor.of(d, x, rows, r).requiresGrad(true);
            Tensor y = xt.logSoftmax(1);
            y.mul(Tensor.of(d, w, rows, r)).sum().backward();
            double[] p = softmax64(x, rows, r), logp = new double[rows * r], gx = new double[rows * r],
                    mag = new double[rows * r];
            for (int i = 0; i < logp.length; i++) logp[i] = Math.log(p[i]);
            check("logSoftmax", y.toArray(), logp, rows, r);
            // d/dx sum(w log p) = w - p sum(w)
            for (int row = 0; row < rows; row++) {
                double sw = 0;
                for (int j = 0; j < r; j++) sw += w[row * r + j];
                for (int j = 0; j < r; j++) {
                    gx[row * r + j] = w[row * r + j] - p[row * r + j] * sw;
                    mag[row * r + j] = Math.abs(w[row * r + j]) + p[row * r + j] * Math.abs(sw);
                }
            }
            check("logSoftmax backward", xt.grad().toArray(), gx, mag, rows, r);
        });
    }

    @TestFactory
    Stream<DynamicTest> crossEntropyForwardAndBackward() {
        return over("crossEntropy", (d, c, rnd) -> {
            int n = c.rows(), k = c.r();
            float[] x = random(rnd, n * k, 6), labels = new float[n];
            for (int i = 0; i < n; i++) labels[i] = rnd.nextInt(k);
            labels[n - 1] = k - 1;  // the last element of the last row
            Tensor xt = Tensor.of(d, x, n, k).requiresGrad(true);
            Tensor loss = xt.crossEntropy(Tensor.of(d, labels, n));
            loss.backward();
            double[] p = softmax64(x, n, k), gx = new double[n * k], mag = new double[n * k];
            double want = 0;
            for (int row = 0; row < n; row++) {
                int label = (int) labels[row];
                want -= Math.log(p[row * k + label]) / n;
                for (int j = 0; j < k; j++) {
                    gx[row * k + j] = (p[row * k + j] - (j == label ? 1 : 0)) / n;
                    mag[row * k + j] = (p[row * k + j] + (j == label ? 1 : 0)) / n;
                }
            }
            float got = loss.item();
            assertTrue(Math.abs(got - want) <= 1e-5 * Math.abs(want) + 1e-6,
                    "crossEntropy " + c + " is " + got + ", float64 says " + want);
            check("crossEntropy backward", xt.grad().toArray(), gx, mag, n, k);
        });
    }
}
