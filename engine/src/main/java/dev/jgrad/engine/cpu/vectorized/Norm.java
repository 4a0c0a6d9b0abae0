package dev.jgrad.engine.cpu.vectorized;

import dev.jgrad.engine.BinaryOp;
import dev.jgrad.engine.Philox;

/**
 * Batch norm over {@code (n, c, hw)} with channels split across the cores (each channel is
 * {@code n} contiguous runs of {@code hw}), and inverted dropout with elements split across them.
 */
final class Norm {
    private static final int MUL = MapOps.binary(BinaryOp.MUL);

    private Norm() {}

    private static float channelSum(int code, float[] x, float[] y, int n, int c, int hw, int ch, float shift) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            int at = (i * c + ch) * hw;
            sum += ReduceDriver.row(code, x, at, y, at, hw, shift);
        }
        return sum;
    }

    private static int grain(int n, int hw) {
        return Math.max(1, MapDriver.GRAIN / Math.max(1, 4 * n * hw));
    }

    static void batchNorm(float[] x, float[] gamma, float[] beta, float[] runMean, float[] runVar,
                          float[] y, float[] saveMean, float[] saveInvStd,
                          int n, int c, int hw, float eps, float momentum, boolean training) {
        int m = n * hw;
        Parallel.parallelFor(c, grain(n, hw), (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                float mean, invStd;
                if (training) {
                    mean = channelSum(ReduceDriver.SUM, x, null, n, c, hw, ch, 0f) / m;
                    float ss = channelSum(ReduceDriver.SUM_SQUARED_DEVIATION, x, null, n, c, hw, ch, mean);
                    float biasedVar = ss / m;
                    invStd = (float) (1.0 / Math.sqrt(biasedVar + eps));
                    runMean[ch] = (1 - momentum) * runMean[ch] + momentum * mean;
                    runVar[ch] = (1 - momentum) * runVar[ch] + momentum * ss / (m - 1);
                } else {
                    mean = runMean[ch];
                    invStd = (float) (1.0 / Math.sqrt(runVar[ch] + eps));
                }
                saveMean[ch] = mean;
                saveInvStd[ch] = invStd;
                for (int i = 0; i < n; i++) {
                    int at = (i * c + ch) * hw;
                    MapDriver.row(MapOps.NORMALIZE, x, at, 1, x, at, 1, x, at, 1, y, at, hw,
                            mean, invStd, gamma[ch], beta[ch]);
                }
            }
        });
    }

    static void batchNormBackward(float[] x, float[] gy, float[] gamma, float[] saveMean, float[] saveInvStd,
                                  float[] gx, float[] gGamma, float[] gBeta,
                                  int n, int c, int hw, boolean training) {
        int m = n * hw;
        Parallel.parallelFor(c, grain(n, hw), (c0, c1) -> {
            float[] k = new float[1];
            for (int ch = c0; ch < c1; ch++) {
                float mean = saveMean[ch], invStd = saveInvStd[ch];
                float sumGy = channelSum(ReduceDriver.SUM, gy, null, n, c, hw, ch, 0f);
                float sumGyXhat = channelSum(ReduceDriver.DOT_CENTERED, x, gy, n, c, hw, ch, mean) * invStd;
                gBeta[ch] = sumGy;
                gGamma[ch] = sumGyXhat;
                k[0] = gamma[ch] * invStd;
                for (int i = 0; i < n; i++) {
                    int at = (i * c + ch) * hw;
                    if (training) {
                        MapDriver.row(MapOps.NORMALIZE_BACKWARD, x, at, 1, gy, at, 1, gy, at, 1, gx, at, hw,
                                sumGy / m, mean, k[0], invStd * (sumGyXhat / m));
                    } else {
                        MapDriver.row(MUL, gy, at, 1, k, 0, 0, k, 0, 0, gx, at, hw, 0f, 0f, 0f, 0f);
                    }
                }
            }
        });
    }

    static void dropout(float[] x, float[] y, float[] mask, int n, float p, long seed) {
        float keep = p >= 1f ? 0f : 1f / (1f - p);
        Parallel.parallelFor(n, 1 << 13, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                mask[i] = Philox.uniform(seed, i) >= p ? keep : 0f;
                y[i] = x[i] * mask[i];
            }
        });
    }
}
