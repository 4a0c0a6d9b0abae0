package dev.jgrad.engine.cpu.vectorized;

import dev.jgrad.engine.Philox;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch norm over {@code (n, c, hw)} with channels split across the cores (each channel is
 * {@code n} contiguous runs of {@code hw}), and inverted dropout with elements split across them.
 */
final class Norm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

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
            for (int ch = c0; ch < c1; ch++) {
                float mean = saveMean[ch], invStd = saveInvStd[ch];
                // One pass for both sums: sum(gy) and sum(gy * (x - mean)).
                FloatVector vg = FloatVector.zero(S), vgx = FloatVector.zero(S);
                float sg = 0f, sgx = 0f;
                for (int i = 0; i < n; i++) {
                    int at = (i * c + ch) * hw, j = 0;
                    for (int bound = S.loopBound(hw); j < bound; j += S.length()) {
                        FloatVector g = FloatVector.fromArray(S, gy, at + j);
                        vg = vg.add(g);
                        vgx = FloatVector.fromArray(S, x, at + j).sub(mean).fma(g, vgx);
                    }
                    for (; j < hw; j++) {
                        sg += gy[at + j];
                        sgx += gy[at + j] * (x[at + j] - mean);
                    }
                }
                float sumGy = sg + LaneMath.sumLanes(vg);
                float sumGyXhat = (sgx + LaneMath.sumLanes(vgx)) * invStd;
                gBeta[ch] = sumGy;
                gGamma[ch] = sumGyXhat;
                float k = gamma[ch] * invStd;
                // training: gx = k (gy - sumGy/m - xhat sumGyXhat/m), xhat = (x - mean) invStd
                float shift = training ? sumGy / m : 0f, slope = training ? invStd * sumGyXhat / m : 0f;
                for (int i = 0; i < n; i++) {
                    int at = (i * c + ch) * hw, j = 0;
                    for (int bound = S.loopBound(hw); j < bound; j += S.length()) {
                        FloatVector centered = FloatVector.fromArray(S, x, at + j).sub(mean);
                        FloatVector.fromArray(S, gy, at + j).sub(shift).sub(centered.mul(slope)).mul(k).intoArray(gx, at + j);
                    }
                    for (; j < hw; j++) gx[at + j] = k * (gy[at + j] - shift - (x[at + j] - mean) * slope);
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
