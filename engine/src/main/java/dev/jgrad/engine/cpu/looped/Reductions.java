package dev.jgrad.engine.cpu.looped;

import dev.jgrad.engine.ReduceOp;

/** Reductions over the middle axis of a contiguous {@code (outer, r, inner)} view. */
final class Reductions {
    private Reductions() {}

    static void reduce(ReduceOp op, float[] x, float[] out, int outer, int r, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * r * inner + i;
                float acc = op == ReduceOp.SUM || op == ReduceOp.MEAN ? 0f : x[base];
                int best = 0;
                for (int j = 0; j < r; j++) {
                    float v = x[base + j * inner];
                    switch (op) {
                        case SUM, MEAN -> acc += v;
                        case MAX, ARGMAX -> {
                            if (v > acc || (Float.isNaN(v) && !Float.isNaN(acc))) {
                                acc = v;
                                best = j;
                            }
                        }
                    }
                }
                out[o * inner + i] = switch (op) {
                    case SUM, MAX -> acc;
                    case MEAN -> acc / r;
                    case ARGMAX -> best;
                };
            }
        }
    }

    static void variance(float[] x, float[] out, int outer, int r, int inner, int correction) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * r * inner + i;
                float mean = 0f;
                for (int j = 0; j < r; j++) mean += x[base + j * inner];
                mean /= r;
                float ss = 0f;
                for (int j = 0; j < r; j++) {
                    float d = x[base + j * inner] - mean;
                    ss += d * d;
                }
                out[o * inner + i] = ss / (r - correction);
            }
        }
    }

    static void scatterMiddle(float[] index, float[] g, float[] gx, int outer, int r, int inner) {
        java.util.Arrays.fill(gx, 0, outer * r * inner, 0f);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
                gx[(o * r + (int) index[o * inner + i]) * inner + i] = g[o * inner + i];
    }
}
