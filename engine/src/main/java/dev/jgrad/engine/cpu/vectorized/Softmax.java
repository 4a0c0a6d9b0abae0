package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.MapOps.L;
import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import dev.jgrad.engine.cpu.CpuBackend;
import jdk.incubator.vector.FloatVector;

/**
 * Softmax, log-softmax and the fused softmax-cross-entropy on the two drivers: a
 * {@link ReduceDriver} pass for the max, one for the exp-sum (or the backward's dot product), then
 * one {@link MapDriver} pass whose per-row statistics are stride-0 operands (stride-1 per-column
 * arrays when the reduced axis is not innermost). Softmax over a contiguous last axis has its own
 * row loop ({@link #softmaxRow}) that computes each exp once.
 */
final class Softmax {
    private Softmax() {}

    static void forward(float[] x, float[] y, int outer, int r, int inner, boolean log) {
        int code = log ? MapOps.LOG_SOFTMAX : MapOps.SOFTMAX;
        if (inner == 1) {
            Parallel.parallelFor(outer, Math.max(1, MapDriver.GRAIN / Math.max(1, 4 * r)), (o0, o1) -> {
                float[] stat = new float[2];
                for (int o = o0; o < o1; o++) {
                    int at = o * r;
                    if (!log) {
                        softmaxRow(x, y, at, r);
                        continue;
                    }
                    stat[0] = ReduceDriver.row(ReduceDriver.MAX, x, at, null, 0, r, 0f);
                    float sum = ReduceDriver.row(ReduceDriver.SUM_EXP, x, at, null, 0, r, stat[0]);
                    stat[1] = log ? (float) Math.log(sum) : sum;
                    MapDriver.row(code, x, at, 1, stat, 0, 0, stat, 1, 0, y, at, r, 0f, 0f, 0f, 0f);
                }
            });
            return;
        }
        Reductions.slabs(outer, 4 * r, inner, (o, i0, i1) -> {
            int width = i1 - i0, base = o * r * inner + i0;
            float[] max = new float[width], sum = new float[width];
            ReduceDriver.columns(ReduceDriver.MAX, x, base, null, 0, r, inner, null, 0, max, 0, width);
            ReduceDriver.columns(ReduceDriver.SUM_EXP, x, base, null, 0, r, inner, max, 0, sum, 0, width);
            if (log) for (int i = 0; i < width; i++) sum[i] = (float) Math.log(sum[i]);
            for (int j = 0; j < r; j++)
                MapDriver.row(code, x, base + j * inner, 1, max, 0, 1, sum, 0, 1, y, base + j * inner, width,
                        0f, 0f, 0f, 0f);
        });
    }

    /**
     * Softmax of one contiguous row with one exp per element: the max, then {@code exp(x - max)}
     * written to {@code y} while it is summed, then {@code y} scaled by {@code 1 / sum} while the
     * row is still in cache.
     */
    private static void softmaxRow(float[] x, float[] y, int at, int r) {
        float max = ReduceDriver.row(ReduceDriver.MAX, x, at, null, 0, r, 0f);
        FloatVector m = FloatVector.broadcast(S, max), s0 = FloatVector.zero(S), s1 = s0;
        int end = at + r, i = at;
        for (; i + 2 * L <= end; i += 2 * L) {
            FloatVector e0 = LaneMath.expNonPositive(FloatVector.fromArray(S, x, i).sub(m));
            FloatVector e1 = LaneMath.expNonPositive(FloatVector.fromArray(S, x, i + L).sub(m));
            e0.intoArray(y, i);
            e1.intoArray(y, i + L);
            s0 = s0.add(e0);
            s1 = s1.add(e1);
        }
        float sum = LaneMath.sumLanes(s0.add(s1));
        for (; i < end; i++) sum += y[i] = (float) Math.exp(x[i] - max);
        FloatVector inv = FloatVector.broadcast(S, 1f / sum);
        for (i = at; i + L <= end; i += L) FloatVector.fromArray(S, y, i).mul(inv).intoArray(y, i);
        for (float v = 1f / sum; i < end; i++) y[i] *= v;
    }

    static void backward(float[] y, float[] gy, float[] gx, int outer, int r, int inner, boolean log) {
        int code = log ? MapOps.LOG_SOFTMAX_BACKWARD : MapOps.SOFTMAX_BACKWARD;
        if (inner == 1) {
            Parallel.parallelFor(outer, Math.max(1, MapDriver.GRAIN / Math.max(1, 4 * r)), (o0, o1) -> {
                float[] dot = new float[1];
                for (int o = o0; o < o1; o++) {
                    int at = o * r;
                    dot[0] = log ? ReduceDriver.row(ReduceDriver.SUM, gy, at, null, 0, r, 0f)
                            : ReduceDriver.row(ReduceDriver.DOT, gy, at, y, at, r, 0f);
                    MapDriver.row(code, y, at, 1, gy, at, 1, dot, 0, 0, gx, at, r, 0f, 0f, 0f, 0f);
                }
            });
            return;
        }
        Reductions.slabs(outer, 4 * r, inner, (o, i0, i1) -> {
            int width = i1 - i0, base = o * r * inner + i0;
            float[] dot = new float[width];
            if (log) ReduceDriver.columns(ReduceDriver.SUM, gy, base, null, 0, r, inner, null, 0, dot, 0, width);
            else ReduceDriver.columns(ReduceDriver.DOT, gy, base, y, base, r, inner, null, 0, dot, 0, width);
            for (int j = 0; j < r; j++) {
                int at = base + j * inner;
                MapDriver.row(code, y, at, 1, gy, at, 1, dot, 0, 1, gx, at, width, 0f, 0f, 0f, 0f);
            }
        });
    }

    /** The loss is {@code (max - x[label]) + log(sum)}, exact in {@code max - x[label]} (see the looped kernel). */
    static void crossEntropy(float[] logits, float[] labels, float[] loss, float[] lse, int n, int c) {
        int[] label = checkedLabels(labels, n, c);
        float[] rowLoss = new float[n];
        Parallel.parallelFor(n, Math.max(1, MapDriver.GRAIN / Math.max(1, 2 * c)), (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                float max = ReduceDriver.row(ReduceDriver.MAX, logits, row * c, null, 0, c, 0f);
                float sum = ReduceDriver.row(ReduceDriver.SUM_EXP, logits, row * c, null, 0, c, max);
                float logSum = (float) Math.log(sum);
                lse[row] = max + logSum;
                rowLoss[row] = (max - logits[row * c + label[row]]) + logSum;
            }
        });
        float total = 0f;
        for (int row = 0; row < n; row++) total += rowLoss[row];
        loss[0] = total / n;
    }

    /**
     * Recomputes each row's max and exp-sum instead of reading the float32 {@code lse} (whose
     * rounding near logits of 1e4 would reach the gradient, see the looped kernel); {@code lse} is
     * not read. {@code gx = exp(x - max) / sum * scale}, then the label's element minus the scale.
     */
    static void crossEntropyBackward(float[] logits, float[] labels, float[] lse, float[] gLoss, float[] gx,
                                     int n, int c) {
        int[] label = checkedLabels(labels, n, c);
        float scale = gLoss[0] / n;
        Parallel.parallelFor(n, Math.max(1, MapDriver.GRAIN / Math.max(1, 2 * c)), (r0, r1) -> {
            float[] stat = new float[2];
            for (int row = r0; row < r1; row++) {
                int at = row * c;
                stat[0] = ReduceDriver.row(ReduceDriver.MAX, logits, at, null, 0, c, 0f);
                stat[1] = ReduceDriver.row(ReduceDriver.SUM_EXP, logits, at, null, 0, c, stat[0]);
                MapDriver.row(MapOps.EXP_SCALE, logits, at, 1, stat, 0, 0, stat, 1, 0, gx, at, c, scale, 0f, 0f, 0f);
                float p = (float) Math.exp(logits[at + label[row]] - stat[0]) / stat[1];
                gx[at + label[row]] = (p - 1f) * scale;
            }
        });
    }

    /** Every row's class index, checked on the caller's thread so a bad label throws as-is. */
    private static int[] checkedLabels(float[] labels, int n, int c) {
        int[] k = new int[n];
        for (int row = 0; row < n; row++) k[row] = CpuBackend.checkedLabel(labels[row], row, c);
        return k;
    }
}
