package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.MapOps.L;
import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The one loop machinery behind every reduction. A reduction folds a term of each element into
 * an accumulator; the op codes below choose the term and the fold. Two shapes of walk:
 * {@link #row} folds one contiguous run into a scalar; {@link #columns} folds {@code rows} runs
 * of {@code width} elements, {@code stride} apart, into {@code width} results, vectorized across
 * the width (each result folded in row order).
 *
 * <p>Every sum has one order, fixed by the length and the vector width alone, never by the
 * thread count or by how the JIT compiled the loop: a row is cut into {@link #BLOCK}-element
 * blocks from its start; within a block four vector accumulators take every fourth vector (the
 * exp-sum: two, every second), are added as {@code (a0 + a1) + (a2 + a3)}, their lanes summed in the tree of
 * {@link LaneMath#sumLanes}, and the scalar tail added left to right; the blocks' results are
 * added left to right. {@link #rowParallel} computes the same blocks on the pool and adds them
 * in the same order, so it returns {@link #row}'s bits at any thread count.
 */
final class ReduceDriver {
    /** Elements per block of a row; a multiple of {@code 4 L} for every vector width. */
    static final int BLOCK = 1 << 13;
    /** {@code sum(x)}. */
    static final int SUM = 0;
    /** {@code max(x)}, NaN-propagating. */
    static final int MAX = 1;
    /** {@code sum((x - c)^2)}. */
    static final int SUM_SQUARED_DEVIATION = 2;
    /** {@code sum(exp(x - c))} with {@code c} the max of {@code x} (every {@code x - c <= 0}). */
    static final int SUM_EXP = 3;
    /** {@code sum(x y)}. */
    static final int DOT = 4;
    /** {@code sum(y (x - c))}. */
    static final int DOT_CENTERED = 5;

    private ReduceDriver() {}

    private static FloatVector identity(int code) {
        return FloatVector.broadcast(S, code == MAX ? Float.NEGATIVE_INFINITY : 0f);
    }

    private static FloatVector term(int code, FloatVector x, FloatVector y, FloatVector c) {
        return switch (code) {
            case SUM, MAX -> x;
            case SUM_SQUARED_DEVIATION -> {
                FloatVector d = x.sub(c);
                yield d.mul(d);
            }
            case SUM_EXP -> throw new IllegalStateException("SUM_EXP has loops of its own");
            case DOT -> x.mul(y);
            case DOT_CENTERED -> x.sub(c).mul(y);
            default -> throw new IllegalStateException("reduce code " + code);
        };
    }

    private static float term(int code, float x, float y, float c) {
        return switch (code) {
            case SUM, MAX -> x;
            case SUM_SQUARED_DEVIATION -> (x - c) * (x - c);
            case SUM_EXP -> (float) Math.exp(x - c);
            case DOT -> x * y;
            case DOT_CENTERED -> (x - c) * y;
            default -> throw new IllegalStateException("reduce code " + code);
        };
    }

    private static FloatVector fold(int code, FloatVector acc, FloatVector t) {
        return code == MAX ? acc.max(t) : acc.add(t);
    }

    private static float fold(int code, float acc, float t) {
        return code == MAX ? Math.max(acc, t) : acc + t;
    }

    /**
     * Folds the lanes of partial accumulators with the op: sums in the fixed tree of
     * {@link LaneMath#sumLanes}; the max, which is the same in any order (NaN wins, +0 beats -0),
     * by the Vector API.
     */
    private static float lanes(int code, FloatVector acc) {
        return code == MAX ? acc.reduceLanes(VectorOperators.MAX) : LaneMath.sumLanes(acc);
    }

    /** The identity of the op's fold as a scalar. */
    static float start(int code) {
        return code == MAX ? Float.NEGATIVE_INFINITY : 0f;
    }

    /** Combines two partial results of the same op. */
    static float combine(int code, float p, float q) {
        return fold(code, p, q);
    }

    /** Reduction of {@code term(x[xo + i], y[yo + i], c)} over {@code i < len}, block by block. */
    static float row(int code, float[] x, int xo, float[] y, int yo, int len, float c) {
        if (len <= BLOCK) return block(code, x, xo, y, yo, len, c);
        float result = start(code);
        for (int from = 0; from < len; from += BLOCK)
            result = fold(code, result, block(code, x, xo + from, y, yo + from, Math.min(BLOCK, len - from), c));
        return result;
    }

    /** One block of {@link #row}: four vector accumulators, their lanes, then a scalar tail. */
    private static float block(int code, float[] x, int xo, float[] y, int yo, int len, float c) {
        if (code == SUM_EXP) return sumExpBlock(x, xo, len, c);
        if (y == null) {
            y = x;
            yo = xo;
        }
        int i = 0;
        float result = start(code);
        if (len >= L) {
            FloatVector cv = FloatVector.broadcast(S, c);
            FloatVector a0 = identity(code), a1 = a0, a2 = a0, a3 = a0;
            for (int upper = len - 4 * L; i <= upper; i += 4 * L) {
                a0 = fold(code, a0, term(code, FloatVector.fromArray(S, x, xo + i), load(code, y, yo + i), cv));
                a1 = fold(code, a1, term(code, FloatVector.fromArray(S, x, xo + i + L), load(code, y, yo + i + L), cv));
                a2 = fold(code, a2, term(code, FloatVector.fromArray(S, x, xo + i + 2 * L), load(code, y, yo + i + 2 * L), cv));
                a3 = fold(code, a3, term(code, FloatVector.fromArray(S, x, xo + i + 3 * L), load(code, y, yo + i + 3 * L), cv));
            }
            for (int upper = len - L; i <= upper; i += L)
                a0 = fold(code, a0, term(code, FloatVector.fromArray(S, x, xo + i), load(code, y, yo + i), cv));
            result = lanes(code, fold(code, fold(code, a0, a1), fold(code, a2, a3)));
        }
        for (; i < len; i++) result = fold(code, result, term(code, x[xo + i], y[yo + i], c));
        return result;
    }

    /**
     * {@link #block} for {@code SUM_EXP}: two vector accumulators (even and odd vectors, the last
     * odd one to the first), added, their lanes summed by {@link LaneMath#sumLanes}, then the
     * scalar tail. Its own loop, with two exp call sites: the exp body inlined four times over in
     * the generic loop exhausts C2's inlining budget, and a call that is not inlined boxes vectors.
     */
    private static float sumExpBlock(float[] x, int xo, int len, float c) {
        int i = 0;
        float result = 0f;
        if (len >= L) {
            FloatVector cv = FloatVector.broadcast(S, c);
            FloatVector a0 = FloatVector.zero(S), a1 = a0;
            for (int upper = len - 2 * L; i <= upper; i += 2 * L) {
                a0 = a0.add(LaneMath.expNonPositive(FloatVector.fromArray(S, x, xo + i).sub(cv)));
                a1 = a1.add(LaneMath.expNonPositive(FloatVector.fromArray(S, x, xo + i + L).sub(cv)));
            }
            if (i <= len - L) {
                a0 = a0.add(LaneMath.expNonPositive(FloatVector.fromArray(S, x, xo + i).sub(cv)));
                i += L;
            }
            result = LaneMath.sumLanes(a0.add(a1));
        }
        for (; i < len; i++) result += (float) Math.exp(x[xo + i] - c);
        return result;
    }

    /** {@link #row}, its blocks split across the cores when the run is long; the same bits at any thread count. */
    static float rowParallel(int code, float[] x, int xo, float[] y, int yo, int len, float c) {
        int blocks = (int) (((long) len + BLOCK - 1) / BLOCK);
        if (blocks <= 1 || Parallel.chunks(len, MapDriver.GRAIN) <= 1) return row(code, x, xo, y, yo, len, c);
        float[] partial = new float[blocks];
        Parallel.parallelFor(blocks, Math.max(1, MapDriver.GRAIN / BLOCK), (s, e) -> {
            for (int k = s; k < e; k++) {
                int from = k * BLOCK;
                partial[k] = block(code, x, xo + from, y, y == null ? 0 : yo + from, Math.min(BLOCK, len - from), c);
            }
        });
        float result = start(code);
        for (float p : partial) result = fold(code, result, p);
        return result;
    }

    /** The second operand; ops without one read {@code x} again (a cache hit) instead. */
    private static FloatVector load(int code, float[] y, int at) {
        return FloatVector.fromArray(S, y, at);
    }

    /**
     * {@code acc[ao + i] = fold over j < rows of term(x[xo + j stride + i], y[yo + j stride + i],
     * cs[co + i])} for {@code i < width}; {@code y} and {@code cs} may be null when the op does
     * not read them.
     */
    static void columns(int code, float[] x, int xo, float[] y, int yo, int rows, int stride,
                        float[] cs, int co, float[] acc, int ao, int width) {
        if (code == SUM_EXP) {
            sumExpColumns(x, xo, rows, stride, cs, co, acc, ao, width);
            return;
        }
        boolean shifted = code == SUM_SQUARED_DEVIATION || code == DOT_CENTERED;
        if (y == null) {
            y = x;
            yo = xo;
        }
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (int upper = width - 2 * L; i <= upper; i += 2 * L) {
            FloatVector c0 = shifted ? FloatVector.fromArray(S, cs, co + i) : zero;
            FloatVector c1 = shifted ? FloatVector.fromArray(S, cs, co + i + L) : zero;
            FloatVector a0 = identity(code), a1 = a0;
            for (int j = 0, at = i; j < rows; j++, at += stride) {
                a0 = fold(code, a0, term(code, FloatVector.fromArray(S, x, xo + at), load(code, y, yo + at), c0));
                a1 = fold(code, a1, term(code, FloatVector.fromArray(S, x, xo + at + L), load(code, y, yo + at + L), c1));
            }
            a0.intoArray(acc, ao + i);
            a1.intoArray(acc, ao + i + L);
        }
        for (int upper = width - L; i <= upper; i += L) {
            FloatVector c0 = shifted ? FloatVector.fromArray(S, cs, co + i) : zero;
            FloatVector a0 = identity(code);
            for (int j = 0, at = i; j < rows; j++, at += stride)
                a0 = fold(code, a0, term(code, FloatVector.fromArray(S, x, xo + at), load(code, y, yo + at), c0));
            a0.intoArray(acc, ao + i);
        }
        for (; i < width; i++) {
            float c = shifted ? cs[co + i] : 0f, r = start(code);
            for (int j = 0, at = i; j < rows; j++, at += stride)
                r = fold(code, r, term(code, x[xo + at], y[yo + at], c));
            acc[ao + i] = r;
        }
    }

    /** {@link #columns} for {@code SUM_EXP}: each result folded in row order, as there. */
    private static void sumExpColumns(float[] x, int xo, int rows, int stride, float[] cs, int co, float[] acc, int ao,
                                      int width) {
        int i = 0;
        for (int upper = width - L; i <= upper; i += L) {
            FloatVector c0 = FloatVector.fromArray(S, cs, co + i), a0 = FloatVector.zero(S);
            for (int j = 0, at = i; j < rows; j++, at += stride)
                a0 = a0.add(LaneMath.expNonPositive(FloatVector.fromArray(S, x, xo + at).sub(c0)));
            a0.intoArray(acc, ao + i);
        }
        for (; i < width; i++) {
            float c = cs[co + i], r = 0f;
            for (int j = 0, at = i; j < rows; j++, at += stride) r += (float) Math.exp(x[xo + at] - c);
            acc[ao + i] = r;
        }
    }
}
