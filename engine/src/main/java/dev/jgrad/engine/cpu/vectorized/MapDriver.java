package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.MapOps.L;
import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The one loop machinery behind every elementwise map: a contiguous fast path, a scalar tail,
 * and a strided path that collapses mergeable dimensions and vectorizes the innermost axis when
 * every operand walks it contiguously (stride 1) or repeats one element (stride 0). Ops plug in
 * as {@link MapOps} codes; tails and parallel splitting live only here.
 *
 * <p>Every op gives the same bits in every compiled form of the loop: exp (and so sigmoid and the
 * softmax maps) and tanh are {@link LaneMath}'s, written out lane-wise; log and pow, for which the
 * Vector API would be {@code Math} per lane until C2 swaps in a vector math library that rounds
 * differently, run {@link MapOps#scalarOnly scalar} through {@code Math}, whose intrinsics
 * HotSpot keeps the same in the interpreter and compiled code.
 */
final class MapDriver {
    /** Elements below which a map stays on the calling thread. */
    static final int GRAIN = 1 << 16;

    private MapDriver() {}

    /** {@code out[i] = op(x[i], y[i], z[i])} for {@code i < n}, all contiguous from 0. */
    static void contiguous(int code, float[] x, float[] y, float[] z, float[] out, int n, float a, float b, float c, float d) {
        if (n <= 0) return;
        int chunks = Parallel.chunks(n, GRAIN);
        if (chunks <= 1) {
            row(code, x, 0, 1, y, 0, 1, z, 0, 1, out, 0, n, a, b, c, d);
            return;
        }
        int blocks = (n + L - 1) / L;
        Parallel.forChunks(blocks, chunks, (s, e) -> {
            int from = s * L, to = Math.min(n, e * L);
            row(code, x, from, 1, y, from, 1, z, from, 1, out, from, to - from, a, b, c, d);
        });
    }

    /**
     * One run of {@code len} outputs: {@code out[oo + i] = op(x[xo + i xs], y[yo + i ys],
     * z[zo + i zs])}. Vectorized when every stride is 0 or 1, scalar otherwise.
     */
    static void row(int code, float[] x, int xo, int xs, float[] y, int yo, int ys, float[] z, int zo, int zs,
                    float[] out, int oo, int len, float a, float b, float c, float d) {
        int i = 0;
        boolean vector = (xs | ys | zs) >>> 1 == 0 && len >= L && !MapOps.scalarOnly(code, a);
        if (vector && MapOps.usesExp(code)) {
            i = expRow(code, x, xo, xs, y, yo, ys, z, zo, zs, out, oo, len, a);
        } else if (vector) {
            FloatVector xb = FloatVector.broadcast(S, x[xo]);
            FloatVector yb = FloatVector.broadcast(S, y[yo]);
            FloatVector zb = FloatVector.broadcast(S, z[zo]);
            for (int upper = len - L; i <= upper; i += L) {
                FloatVector xv = xs == 0 ? xb : FloatVector.fromArray(S, x, xo + i);
                FloatVector yv = ys == 0 ? yb : FloatVector.fromArray(S, y, yo + i);
                FloatVector zv = zs == 0 ? zb : FloatVector.fromArray(S, z, zo + i);
                // The op bodies are switched here, inside the loop's own method: called out of it,
                // a body compiled on its own would box every vector it returns.
                FloatVector r;
                if (code < MapOps.DERIVATIVE) {
                    r = switch (MapOps.UNARIES[code]) {
                        case NEG -> xv.neg();
                        case EXP, SIGMOID, TANH -> throw new IllegalStateException("exp map code " + code);
                        case LOG -> throw new IllegalStateException("scalar-only map code " + code);
                        case SQRT -> xv.sqrt();
                        case ABS -> xv.abs();
                        case RELU -> xv.blend(0f, xv.compare(VectorOperators.LE, 0f));   // NaN stays
                        case POW -> xv.mul(xv);   // a == 2; other exponents are scalar-only
                        case CLAMP -> xv.max(a).min(b);
                        case LEAKY_RELU -> xv.blend(xv.mul(a), xv.compare(VectorOperators.LE, 0f));   // NaN * a stays NaN
                        case GELU, ELU, SOFTPLUS, ERF -> throw new IllegalStateException("scalar-only map code " + code);
                        case SILU -> throw new IllegalStateException("exp map code " + code);
                };
                } else if (code < MapOps.BINARY) {
                    FloatVector one = FloatVector.broadcast(S, 1f);
                    r = zv.mul(switch (MapOps.UNARIES[code - MapOps.DERIVATIVE]) {
                        case NEG -> one.neg();
                        case EXP -> yv;
                        case LOG -> one.div(xv);
                        case SQRT -> FloatVector.broadcast(S, 0.5f).div(yv);
                        case ABS -> FloatVector.zero(S).blend(one, xv.compare(VectorOperators.GT, 0f))
                                .blend(one.neg(), xv.compare(VectorOperators.LT, 0f));   // 0 at NaN and +-0
                        case RELU -> one.blend(0f, xv.compare(VectorOperators.LE, 0f));   // NaN passes
                        case SIGMOID -> yv.mul(one.sub(yv));
                        case TANH -> one.sub(yv.mul(yv));
                        case POW -> throw new IllegalStateException("scalar-only map code " + code);
                        case CLAMP -> FloatVector.zero(S).blend(one, xv.compare(VectorOperators.GE, a).and(xv.compare(VectorOperators.LE, b)));
                        case LEAKY_RELU -> one.blend(a, xv.compare(VectorOperators.GT, 0f).not());   // the slope at 0 and NaN
                        case GELU, SILU, ELU, SOFTPLUS, ERF -> throw new IllegalStateException("scalar-only map code " + code);
                });
                } else if (code < MapOps.WHERE) {
                    FloatVector zero = FloatVector.zero(S);
                    r = switch (MapOps.BINARIES[code - MapOps.BINARY]) {
                        case ADD -> xv.add(yv);
                        case SUB -> xv.sub(yv);
                        case MUL -> xv.mul(yv);
                        case DIV -> xv.div(yv);
                        case POW -> throw new IllegalStateException("scalar-only map code " + code);
                        case MAX -> xv.max(yv);
                        case MIN -> xv.min(yv);
                        case EQ -> zero.blend(1f, xv.compare(VectorOperators.EQ, yv));
                        case NE -> zero.blend(1f, xv.compare(VectorOperators.NE, yv));
                        case LT -> zero.blend(1f, xv.compare(VectorOperators.LT, yv));
                        case LE -> zero.blend(1f, xv.compare(VectorOperators.LE, yv));
                        case GT -> zero.blend(1f, xv.compare(VectorOperators.GT, yv));
                        case GE -> zero.blend(1f, xv.compare(VectorOperators.GE, yv));
                };
                } else {
                    r = switch (code) {
                        case MapOps.WHERE -> zv.blend(yv, xv.compare(VectorOperators.NE, 0f));
                        case MapOps.LOG_SOFTMAX -> xv.sub(yv).sub(zv);
                        case MapOps.SOFTMAX_BACKWARD -> xv.mul(yv.sub(zv));
                        case MapOps.NORMALIZE -> xv.sub(a).mul(c).mul(b).add(d);
                        case MapOps.NORMALIZE_BACKWARD -> yv.sub(a).sub(xv.sub(b).mul(d)).mul(c);
                        default -> throw new IllegalStateException("map code " + code);
                };
                }
                r.intoArray(out, oo + i);
            }
        }
        for (; i < len; i++)
            out[oo + i] = MapOps.scalar(code, x[xo + i * xs], y[yo + i * ys], z[zo + i * zs], a, b, c, d);
    }

    /**
     * The vector part of {@link #row} for the ops built on {@link LaneMath#exp}, in a loop of its
     * own: inlined into the one big switch, the exp bodies exhaust C2's inlining budget and the
     * other ops' vectors get boxed. Returns how many elements it did (whole vectors only).
     */
    private static int expRow(int code, float[] x, int xo, int xs, float[] y, int yo, int ys, float[] z, int zo, int zs,
                              float[] out, int oo, int len, float a) {
        FloatVector xb = FloatVector.broadcast(S, x[xo]);
        FloatVector yb = FloatVector.broadcast(S, y[yo]);
        FloatVector zb = FloatVector.broadcast(S, z[zo]);
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int upper = len - L; i <= upper; i += L) {
            FloatVector xv = xs == 0 ? xb : FloatVector.fromArray(S, x, xo + i);
            FloatVector yv = ys == 0 ? yb : FloatVector.fromArray(S, y, yo + i);
            FloatVector zv = zs == 0 ? zb : FloatVector.fromArray(S, z, zo + i);
            FloatVector r = switch (code) {
                case MapOps.SOFTMAX -> LaneMath.exp(xv.sub(yv)).div(zv);
                case MapOps.LOG_SOFTMAX_BACKWARD -> yv.sub(LaneMath.exp(xv).mul(zv));
                case MapOps.EXP_SCALE -> LaneMath.exp(xv.sub(yv)).div(zv).mul(a);
                default -> switch (MapOps.UNARIES[code]) {
                    case EXP -> LaneMath.exp(xv);
                    case SIGMOID -> one.div(one.add(LaneMath.exp(xv.neg())));
                    case TANH -> LaneMath.tanh(xv);
                    case SILU -> xv.div(one.add(LaneMath.exp(xv.neg())));
                    default -> throw new IllegalStateException("map code " + code);
                };
            };
            r.intoArray(out, oo + i);
        }
        return i;
    }

    /**
     * {@code out[idx] = op(x[idx], y[idx], z[idx])} over every index of {@code shape} with
     * {@code out} contiguous; operand {@code k} is {@code arrays[k]} seen from {@code offsets[k]}
     * with {@code strides[k]}. Operands beyond the op's arity repeat the first one.
     */
    static void strided(int code, float[][] arrays, int[] offsets, int[][] strides, float[] out, int[] shape,
                        float a, float b) {
        int arity = MapOps.arity(code);
        float[][] arr = new float[4][];
        int[][] st = new int[4][];
        int[] base = new int[4];
        for (int k = 0; k < 3; k++) {
            int from = Math.min(k, arity - 1);
            arr[k] = arrays[from];
            base[k] = offsets[from];
            st[k] = k < arity ? strides[k] : new int[shape.length];
        }
        arr[3] = out;
        st[3] = dev.jgrad.engine.Shapes.contiguousStrides(shape);
        Collapsed col = Collapsed.of(shape, st);
        if (col == null) return;
        int len = col.inner();
        int[] is = col.innerStrides();
        if (col.rows() == 1) {
            // One long run (a contiguous or a scalar-broadcast operation): split the run itself.
            int blocks = (len + L - 1) / L;
            Parallel.parallelFor(blocks, GRAIN / L, (s, e) -> {
                int from = s * L, to = Math.min(len, e * L);
                row(code, arr[0], base[0] + from * is[0], is[0], arr[1], base[1] + from * is[1], is[1],
                        arr[2], base[2] + from * is[2], is[2], arr[3], base[3] + from, to - from, a, b, 0f, 0f);
            });
            return;
        }
        Parallel.parallelFor(col.rows(), Math.max(1, GRAIN / len), (r0, r1) -> {
            Collapsed.Cursor at = col.cursor(r0, base);
            int[] off = at.offset;
            for (int r = r0; r < r1; r++, at.next())
                row(code, arr[0], off[0], is[0], arr[1], off[1], is[1], arr[2], off[2], is[2],
                        arr[3], off[3], len, a, b, 0f, 0f);
        });
    }

    /**
     * {@code d[dOff + idx . dStrides] = s[sOff + idx . sStrides]} over {@code shape}; rows
     * contiguous in both become {@code System.arraycopy}.
     */
    static void copy(float[] s, int sOff, int[] sStrides, float[] d, int dOff, int[] dStrides, int[] shape) {
        Collapsed c = Collapsed.of(shape, new int[][] {sStrides, dStrides});
        if (c == null) return;
        int len = c.inner();
        int ss = c.innerStrides()[0], ds = c.innerStrides()[1];
        int[] base = {sOff, dOff};
        Parallel.parallelFor(c.rows(), Math.max(1, GRAIN / len), (r0, r1) -> {
            Collapsed.Cursor at = c.cursor(r0, base);
            int[] off = at.offset;
            for (int r = r0; r < r1; r++, at.next()) {
                if (ss == 1 && ds == 1) {
                    System.arraycopy(s, off[0], d, off[1], len);
                } else {
                    for (int i = 0, si = off[0], di = off[1]; i < len; i++, si += ss, di += ds) d[di] = s[si];
                }
            }
        });
    }
}
