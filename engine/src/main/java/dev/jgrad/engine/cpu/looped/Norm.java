package dev.jgrad.engine.cpu.looped;

import dev.jgrad.engine.Philox;

/** Batch norm over {@code (n, c, hw)} per channel, and inverted dropout. */
final class Norm {
    private Norm() {}

    static void batchNorm(float[] x, float[] gamma, float[] beta, float[] runMean, float[] runVar,
                          float[] y, float[] saveMean, float[] saveInvStd,
                          int n, int c, int hw, float eps, float momentum, boolean training) {
        int m = n * hw;
        for (int ch = 0; ch < c; ch++) {
            float mean, invStd;
            if (training) {
                float sum = 0f;
                for (int i = 0; i < n; i++)
                    for (int s = 0; s < hw; s++) sum += x[(i * c + ch) * hw + s];
                mean = sum / m;
                float ss = 0f;
                for (int i = 0; i < n; i++)
                    for (int s = 0; s < hw; s++) {
                        float d = x[(i * c + ch) * hw + s] - mean;
                        ss += d * d;
                    }
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
            for (int i = 0; i < n; i++)
                for (int s = 0; s < hw; s++) {
                    int at = (i * c + ch) * hw + s;
                    y[at] = gamma[ch] * (x[at] - mean) * invStd + beta[ch];
                }
        }
    }

    static void batchNormBackward(float[] x, float[] gy, float[] gamma, float[] saveMean, float[] saveInvStd,
                                  float[] gx, float[] gGamma, float[] gBeta,
                                  int n, int c, int hw, boolean training) {
        int m = n * hw;
        for (int ch = 0; ch < c; ch++) {
            float mean = saveMean[ch], invStd = saveInvStd[ch];
            float sumGy = 0f, sumGyXhat = 0f;
            for (int i = 0; i < n; i++)
                for (int s = 0; s < hw; s++) {
                    int at = (i * c + ch) * hw + s;
                    sumGy += gy[at];
                    sumGyXhat += gy[at] * (x[at] - mean) * invStd;
                }
            gBeta[ch] = sumGy;
            gGamma[ch] = sumGyXhat;
            float k = gamma[ch] * invStd;
            for (int i = 0; i < n; i++)
                for (int s = 0; s < hw; s++) {
                    int at = (i * c + ch) * hw + s;
                    if (training) {
                        float xhat = (x[at] - mean) * invStd;
                        gx[at] = k * (gy[at] - sumGy / m - xhat * sumGyXhat / m);
                    } else {
                        gx[at] = k * gy[at];
                    }
                }
        }
    }

    static void dropout(float[] x, float[] y, float[] mask, int n, float p, long seed) {
        float keep = p >= 1f ? 0f : 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            mask[i] = Philox.uniform(seed, i) >= p ? keep : 0f;
            y[i] = x[i] * mask[i];
        }
    }
}
