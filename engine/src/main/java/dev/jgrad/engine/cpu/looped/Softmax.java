package dev.jgrad.engine.cpu.looped;

import dev.jgrad.engine.cpu.CpuBackend;

/** Softmax, log-softmax and the fused softmax-cross-entropy, one row at a time. */
final class Softmax {
    private Softmax() {}

    static void forward(float[] x, float[] y, int outer, int r, int inner, boolean log) {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++) {
                int base = o * r * inner + i;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < r; j++) max = Math.max(max, x[base + j * inner]);
                float sum = 0f;
                for (int j = 0; j < r; j++) sum += (float) Math.exp(x[base + j * inner] - max);
                float logSum = (float) Math.log(sum);
                for (int j = 0; j < r; j++) {
                    float shifted = x[base + j * inner] - max;
                    y[base + j * inner] = log ? shifted - logSum : (float) Math.exp(shifted) / sum;
                }
            }
    }

    static void backward(float[] y, float[] gy, float[] gx, int outer, int r, int inner, boolean log) {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++) {
                int base = o * r * inner + i;
                float dot = 0f;
                for (int j = 0; j < r; j++) {
                    int at = base + j * inner;
                    dot += log ? gy[at] : gy[at] * y[at];
                }
                for (int j = 0; j < r; j++) {
                    int at = base + j * inner;
                    gx[at] = log ? gy[at] - (float) Math.exp(y[at]) * dot : y[at] * (gy[at] - dot);
                }
            }
    }

    /**
     * The loss is {@code (max - x[label]) + log(sum)}: {@code max - x[label]} is exact where the
     * logits are close, which {@code lse - x[label]} with a float32 {@code lse} is not.
     */
    static void crossEntropy(float[] logits, float[] labels, float[] loss, float[] lse, int n, int c) {
        float total = 0f;
        for (int row = 0; row < n; row++) {
            int label = CpuBackend.checkedLabel(labels[row], row, c);
            float max = rowMax(logits, row * c, c);
            float logSum = (float) Math.log(rowSumExp(logits, row * c, c, max));
            lse[row] = max + logSum;
            total += (max - logits[row * c + label]) + logSum;
        }
        loss[0] = total / n;
    }

    /**
     * Recomputes each row's max and sum of {@code exp(x - max)} rather than reading {@code lse}: a
     * float32 {@code lse = max + log(sum)} near 1e4 is off by up to half an ulp of 1e4 (5e-4), and
     * {@code exp(x - lse)} would carry that as a relative error; {@code exp(x - max) / sum} is
     * accurate to float32 rounding. The {@code lse} argument is not read.
     */
    static void crossEntropyBackward(float[] logits, float[] labels, float[] lse, float[] gLoss, float[] gx, int n, int c) {
        float scale = gLoss[0] / n;
        for (int row = 0; row < n; row++) {
            int label = CpuBackend.checkedLabel(labels[row], row, c);
            float max = rowMax(logits, row * c, c);
            float inv = 1f / rowSumExp(logits, row * c, c, max);
            for (int j = 0; j < c; j++) {
                float p = (float) Math.exp(logits[row * c + j] - max) * inv;
                gx[row * c + j] = (p - (j == label ? 1f : 0f)) * scale;
            }
        }
    }

    private static float rowMax(float[] x, int at, int c) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) max = Math.max(max, x[at + j]);
        return max;
    }

    private static float rowSumExp(float[] x, int at, int c, float max) {
        float sum = 0f;
        for (int j = 0; j < c; j++) sum += (float) Math.exp(x[at + j] - max);
        return sum;
    }
}
