package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.MapOps.L;
import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import jdk.incubator.vector.FloatVector;

/**
 * Gather and scatter-add along the middle axis of {@code (outer, r, inner)}, on every core. When
 * the index repeats along {@code inner} (stride 0: {@code index_select}, embedding lookups,
 * padding), a gather moves whole rows ({@code System.arraycopy}) and a scatter-add adds whole rows
 * with vectors; otherwise element by element. Scatter-add splits the work over {@code (outer,
 * inner)} positions only, each summing its {@code j} in ascending order, so the bits do not depend
 * on the thread count.
 */
final class Indexing {
    private Indexing() {}

    /** Elements below which one thread does the whole op. */
    private static final int GRAIN = 1 << 15;

    private static int at(float v, int r) {
        return v >= 0f && v < r ? (int) v : -1;
    }

    static void gather(float[] x, float[] index, int io, int[] is, float[] out, int outer, int r, int inner, int rOut,
                       float fill) {
        int rows = outer * rOut;
        Parallel.parallelFor(rows, Math.max(1, GRAIN / inner), (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int o = row / rOut, j = row - o * rOut, base = io + o * is[0] + j * is[1], k = row * inner;
                if (is[2] == 0) {
                    int src = at(index[base], r);
                    if (src < 0) java.util.Arrays.fill(out, k, k + inner, fill);
                    else System.arraycopy(x, (o * r + src) * inner, out, k, inner);
                } else {
                    for (int i = 0; i < inner; i++) {
                        int src = at(index[base + i * is[2]], r);
                        out[k + i] = src < 0 ? fill : x[(o * r + src) * inner + i];
                    }
                }
            }
        });
    }

    static void scatterAdd(float[] index, int io, int[] is, float[] src, float[] out, int outer, int r, int inner, int rOut) {
        // Split over outer when it is wide enough, otherwise over column blocks of inner: either way
        // each output element belongs to one task, which adds its contributions in ascending j.
        int blocks = (inner + L - 1) / L;
        int tasks = outer >= Parallel.THREADS || blocks == 1 ? outer : outer * blocks;
        boolean byColumns = tasks != outer;
        long work = (long) outer * rOut * inner;
        Parallel.parallelFor(tasks, work <= GRAIN ? tasks : Math.max(1, (int) (tasks * (long) GRAIN / work)), (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int o = byColumns ? t / blocks : t;
                int c0 = byColumns ? (t - o * blocks) * L : 0, c1 = byColumns ? Math.min(inner, c0 + L) : inner;
                for (int d = 0; d < r; d++) java.util.Arrays.fill(out, (o * r + d) * inner + c0, (o * r + d) * inner + c1, 0f);
                for (int j = 0; j < rOut; j++) {
                    int base = io + o * is[0] + j * is[1], k = (o * rOut + j) * inner;
                    if (is[2] == 0) {
                        int dst = at(index[base], r);
                        if (dst >= 0) addRow(src, k + c0, out, (o * r + dst) * inner + c0, c1 - c0);
                    } else {
                        for (int i = c0; i < c1; i++) {
                            int dst = at(index[base + i * is[2]], r);
                            if (dst >= 0) out[(o * r + dst) * inner + i] += src[k + i];
                        }
                    }
                }
            }
        });
    }

    /** {@code out[oo + i] += src[so + i]} for {@code i < len}: one add per element, so vectors and the tail agree. */
    private static void addRow(float[] src, int so, float[] out, int oo, int len) {
        int i = 0;
        for (int upper = len - L; i <= upper; i += L)
            FloatVector.fromArray(S, out, oo + i).add(FloatVector.fromArray(S, src, so + i)).intoArray(out, oo + i);
        for (; i < len; i++) out[oo + i] += src[so + i];
    }
}
