package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.MapOps.L;
import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import dev.jgrad.engine.ReduceOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Reductions over the middle axis of a contiguous {@code (outer, r, inner)} view, on
 * {@link ReduceDriver}: with {@code inner == 1} each output folds one contiguous row, otherwise a
 * slab of {@code r} rows of {@code inner} elements folds into {@code inner} outputs.
 */
final class Reductions {
    private Reductions() {}

    /** Runs {@code body(o, i0, i1)} over every output slab, split across the cores. */
    @FunctionalInterface
    interface Slab {
        void run(int o, int i0, int i1);
    }

    /** Splits the {@code (outer, inner)} outputs, each folding {@code r} elements, over the pool. */
    static void slabs(int outer, int r, int inner, Slab body) {
        long work = (long) outer * r * inner;
        int grain = (int) Math.max(1, MapDriver.GRAIN / Math.max(1L, work / Math.max(1, outer)));
        if (outer >= Parallel.THREADS || Parallel.chunks((int) Math.min(work, Integer.MAX_VALUE), MapDriver.GRAIN) <= 1) {
            Parallel.parallelFor(outer, grain, (o0, o1) -> {
                for (int o = o0; o < o1; o++) body.run(o, 0, inner);
            });
            return;
        }
        // Few outer slabs: split the inner axis in vector-aligned column ranges instead.
        int blocks = (inner + L - 1) / L;
        for (int o = 0; o < outer; o++) {
            int slab = o;
            Parallel.parallelFor(blocks, 1, (b0, b1) -> body.run(slab, b0 * L, Math.min(inner, b1 * L)));
        }
    }

    static void reduce(ReduceOp op, float[] x, float[] out, int outer, int r, int inner) {
        if (inner == 1) {
            if (outer == 1) {
                out[0] = rowResult(op, x, 0, r, true);
                return;
            }
            Parallel.parallelFor(outer, Math.max(1, MapDriver.GRAIN / Math.max(1, r)), (o0, o1) -> {
                for (int o = o0; o < o1; o++) out[o] = rowResult(op, x, o * r, r, false);
            });
            return;
        }
        slabs(outer, r, inner, (o, i0, i1) -> {
            int xo = o * r * inner + i0, oo = o * inner + i0, width = i1 - i0;
            switch (op) {
                case SUM -> ReduceDriver.columns(ReduceDriver.SUM, x, xo, null, 0, r, inner, null, 0, out, oo, width);
                case MEAN -> {
                    ReduceDriver.columns(ReduceDriver.SUM, x, xo, null, 0, r, inner, null, 0, out, oo, width);
                    for (int i = 0; i < width; i++) out[oo + i] /= r;
                }
                case MAX, ARGMAX -> columnsArgmax(x, xo, r, inner, out, oo, width, op == ReduceOp.ARGMAX);
            }
        });
    }

    private static float rowResult(ReduceOp op, float[] x, int xo, int r, boolean parallel) {
        return switch (op) {
            case SUM -> sum(x, xo, r, parallel);
            case MEAN -> sum(x, xo, r, parallel) / r;
            case MAX -> max(x, xo, r, parallel);
            case ARGMAX -> firstIndexOf(x, xo, r, max(x, xo, r, parallel));
        };
    }

    private static float sum(float[] x, int xo, int r, boolean parallel) {
        return parallel ? ReduceDriver.rowParallel(ReduceDriver.SUM, x, xo, null, 0, r, 0f)
                : ReduceDriver.row(ReduceDriver.SUM, x, xo, null, 0, r, 0f);
    }

    private static float max(float[] x, int xo, int r, boolean parallel) {
        return parallel ? ReduceDriver.rowParallel(ReduceDriver.MAX, x, xo, null, 0, r, 0f)
                : ReduceDriver.row(ReduceDriver.MAX, x, xo, null, 0, r, 0f);
    }

    /**
     * Index of the first element equal to {@code value} (or the first NaN when it is NaN): with
     * {@code value} the row's NaN-propagating max this is the looped kernel's first maximum.
     */
    static int firstIndexOf(float[] x, int xo, int len, float value) {
        boolean nan = Float.isNaN(value);
        int i = 0;
        for (int upper = len - L; i <= upper; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            VectorMask<Float> hit = nan ? v.test(VectorOperators.IS_NAN) : v.compare(VectorOperators.EQ, value);
            if (hit.anyTrue()) return i + hit.firstTrue();
        }
        for (; i < len; i++) {
            float v = x[xo + i];
            if (nan ? Float.isNaN(v) : v == value) return i;
        }
        return 0;
    }

    /**
     * Max (or argmax) over {@code rows} runs of {@code width} columns with the looped update rule
     * per column: take a value when it is greater, or NaN over a number; so ties keep the first.
     */
    private static void columnsArgmax(float[] x, int xo, int rows, int stride, float[] out, int oo, int width,
                                      boolean argmax) {
        int i = 0;
        for (int upper = width - L; i <= upper; i += L) {
            FloatVector best = FloatVector.fromArray(S, x, xo + i);
            FloatVector index = FloatVector.zero(S);
            for (int j = 1, at = xo + i + stride; j < rows; j++, at += stride) {
                FloatVector v = FloatVector.fromArray(S, x, at);
                VectorMask<Float> take = v.compare(VectorOperators.GT, best)
                        .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
                best = best.blend(v, take);
                index = index.blend(j, take);
            }
            (argmax ? index : best).intoArray(out, oo + i);
        }
        for (; i < width; i++) {
            float best = x[xo + i];
            int index = 0;
            for (int j = 1, at = xo + i + stride; j < rows; j++, at += stride) {
                float v = x[at];
                if (v > best || (Float.isNaN(v) && !Float.isNaN(best))) {
                    best = v;
                    index = j;
                }
            }
            out[oo + i] = argmax ? index : best;
        }
    }

    static void variance(float[] x, float[] out, int outer, int r, int inner, int correction) {
        if (inner == 1) {
            Parallel.parallelFor(outer, Math.max(1, MapDriver.GRAIN / Math.max(1, r)), (o0, o1) -> {
                for (int o = o0; o < o1; o++) {
                    boolean alone = outer == 1;
                    float mean = sum(x, o * r, r, alone) / r;
                    float ss = alone
                            ? ReduceDriver.rowParallel(ReduceDriver.SUM_SQUARED_DEVIATION, x, o * r, null, 0, r, mean)
                            : ReduceDriver.row(ReduceDriver.SUM_SQUARED_DEVIATION, x, o * r, null, 0, r, mean);
                    out[o] = ss / (r - correction);
                }
            });
            return;
        }
        slabs(outer, r, inner, (o, i0, i1) -> {
            int xo = o * r * inner + i0, oo = o * inner + i0, width = i1 - i0;
            float[] mean = new float[width];
            ReduceDriver.columns(ReduceDriver.SUM, x, xo, null, 0, r, inner, null, 0, mean, 0, width);
            for (int i = 0; i < width; i++) mean[i] /= r;
            ReduceDriver.columns(ReduceDriver.SUM_SQUARED_DEVIATION, x, xo, null, 0, r, inner, mean, 0, out, oo, width);
            for (int i = 0; i < width; i++) out[oo + i] /= (r - correction);
        });
    }

    static void scatterMiddle(float[] index, float[] g, float[] gx, int outer, int r, int inner) {
        // One pass per block of rows: zero the block, then drop in its inner values. It is a memset
        // in all but name, bound by memory bandwidth, so it splits across cores only when huge.
        int block = r * inner;
        Parallel.parallelFor(outer, Math.max(1, (1 << 22) / Math.max(1, block)), (o0, o1) -> {
            java.util.Arrays.fill(gx, o0 * block, o1 * block, 0f);
            for (int o = o0; o < o1; o++)
                for (int i = 0; i < inner; i++)
                    gx[(o * r + (int) index[o * inner + i]) * inner + i] = g[o * inner + i];
        });
    }
}
