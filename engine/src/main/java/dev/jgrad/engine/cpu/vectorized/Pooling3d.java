package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.MapOps.L;
import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import dev.jgrad.engine.AdaptivePoolGeometry;
import dev.jgrad.engine.Pool3dGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Max-, average- and adaptive pooling over {@code (n, c, d, h, w)}, planes {@code (n*c)} split
 * across the cores. A 2-D pooling without the new options (no dilation, floor mode, padding
 * counted) goes to {@link Pooling}'s 2-D kernels and their SIMD 2x2 paths. Elsewhere each
 * window's valid taps are clipped once per dimension (dilation included) instead of testing every
 * tap; taps are visited in the looped kernel's order, so sums and first-maximum ties come out the
 * same. With stride and dilation 1 along the width, the forward passes take L neighbouring
 * outputs of a row at a time wherever their windows lie inside the row (each tap is then one
 * contiguous vector load, added or compared in the same order as the scalar loop, so the bits do
 * not change); the rest of the row, other strides and the backward passes run scalar loops.
 */
final class Pooling3d {
    private Pooling3d() {}

    private static int grain(int planeIn) {
        return Math.max(1, MapDriver.GRAIN / Math.max(1, planeIn));
    }

    /** First valid tap of a window starting at {@code start}: the smallest t with start + t dil >= 0. */
    private static int firstTap(int start, int dil) {
        return start >= 0 ? 0 : (-start + dil - 1) / dil;
    }

    /** One past the last valid tap: taps t < k with start + t dil < size. */
    private static int endTap(int start, int dil, int k, int size) {
        return start >= size ? 0 : Math.min(k, (size - 1 - start) / dil + 1);
    }

    private static final float[] IOTA = new float[L];

    static {
        for (int i = 0; i < L; i++) IOTA[i] = i;
    }

    /** Whether a row's outputs can be taken L at a time: stride and dilation 1 along the width. */
    private static boolean rowVectors(Pool3dGeometry g) {
        return g.strideW() == 1 && g.dilationW() == 1;
    }

    /** First output of a row whose window lies inside the row: {@code ox - padW >= 0}. */
    private static int interiorStart(Pool3dGeometry g) {
        return Math.min(g.padW(), g.outW());
    }

    /** One past the last output whose window lies inside the row: {@code ox - padW + kw <= w}. */
    private static int interiorEnd(Pool3dGeometry g) {
        return Math.max(interiorStart(g), Math.min(g.outW(), g.w() - g.kw() + g.padW() + 1));
    }

    /**
     * L outputs {@code ox .. ox + L - 1} of one output row, their windows inside the row: the first
     * maximum over the clipped depth and height taps and every width tap, as the scalar loop finds it.
     */
    private static void maxVector(float[] x, float[] out, float[] argmax, Pool3dGeometry g, int xOff, int o, int ox,
                                  int sz, int kz0, int kz1, int sy, int ky0, int ky1) {
        int h = g.h(), w = g.w(), sx = ox - g.padW();
        FloatVector iota = FloatVector.fromArray(S, IOTA, 0), best = null, at = null;
        for (int kz = kz0; kz < kz1; kz++) {
            int iz = sz + kz * g.dilationD();
            for (int ky = ky0; ky < ky1; ky++) {
                int row = (iz * h + sy + ky * g.dilationH()) * w + sx;
                for (int kx = 0; kx < g.kw(); kx++) {
                    FloatVector v = FloatVector.fromArray(S, x, xOff + row + kx);
                    FloatVector idx = iota.add(row + kx);
                    if (best == null) {
                        best = v;
                        at = idx;
                        continue;
                    }
                    VectorMask<Float> beats = v.compare(VectorOperators.GT, best)
                            .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
                    best = best.blend(v, beats);
                    at = at.blend(idx, beats);
                }
            }
        }
        best.intoArray(out, o);
        at.intoArray(argmax, o);
    }

    /** L outputs of one row, their windows inside the row: sums in the scalar loop's order, one division. */
    private static void avgVector(float[] x, float[] out, Pool3dGeometry g, int xOff, int o, int ox, int sz, int kz0,
                                  int kz1, int sy, int ky0, int ky1, int divisor) {
        int h = g.h(), w = g.w(), sx = ox - g.padW();
        FloatVector sum = FloatVector.zero(S);
        for (int kz = kz0; kz < kz1; kz++)
            for (int ky = ky0; ky < ky1; ky++) {
                int row = xOff + ((sz + kz) * h + sy + ky) * w + sx;
                for (int kx = 0; kx < g.kw(); kx++) sum = sum.add(FloatVector.fromArray(S, x, row + kx));
            }
        sum.div((float) divisor).intoArray(out, o);
    }

    static void maxForward(float[] x, float[] out, float[] argmax, Pool3dGeometry g) {
        if (g.isPlain2d()) {
            Pooling.maxForward(x, out, argmax, g.as2d());
            return;
        }
        int od = g.outD(), oh = g.outH(), ow = g.outW(), d = g.d(), h = g.h(), w = g.w(), planeOut = g.planeOut();
        boolean vectors = rowVectors(g);
        int vx0 = interiorStart(g), vx1 = interiorEnd(g);
        Parallel.parallelFor(g.n() * g.c(), grain(g.planeIn()), (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xOff = plane * g.planeIn(), o = plane * planeOut;
                for (int z = 0; z < od; z++) {
                    int sz = z * g.strideD() - g.padD(), kz0 = firstTap(sz, g.dilationD()), kz1 = endTap(sz, g.dilationD(), g.kd(), d);
                    for (int y = 0; y < oh; y++) {
                        int sy = y * g.strideH() - g.padH(), ky0 = firstTap(sy, g.dilationH()), ky1 = endTap(sy, g.dilationH(), g.kh(), h);
                        for (int xx = 0; xx < ow; xx++, o++) {
                            if (vectors && xx >= vx0 && xx + L <= vx1) {
                                maxVector(x, out, argmax, g, xOff, o, xx, sz, kz0, kz1, sy, ky0, ky1);
                                xx += L - 1;
                                o += L - 1;
                                continue;
                            }
                            int sx = xx * g.strideW() - g.padW(), kx0 = firstTap(sx, g.dilationW()), kx1 = endTap(sx, g.dilationW(), g.kw(), w);
                            float best = Float.NEGATIVE_INFINITY;
                            int bestIdx = -1;
                            for (int kz = kz0; kz < kz1; kz++) {
                                int iz = sz + kz * g.dilationD();
                                for (int ky = ky0; ky < ky1; ky++) {
                                    int row = (iz * h + sy + ky * g.dilationH()) * w + sx;
                                    for (int kx = kx0; kx < kx1; kx++) {
                                        int idx = row + kx * g.dilationW();
                                        float v = x[xOff + idx];
                                        if (bestIdx < 0 || v > best || (Float.isNaN(v) && !Float.isNaN(best))) {
                                            best = v;
                                            bestIdx = idx;
                                        }
                                    }
                                }
                            }
                            out[o] = best;
                            argmax[o] = bestIdx;
                        }
                    }
                }
            }
        });
    }

    /** The backward of max- and adaptive max-pooling: each output's gradient goes to its argmax. */
    static void maxBackward(float[] gy, float[] argmax, float[] gx, int planes, int planeOut, int planeIn) {
        Parallel.parallelFor(planes, grain(planeIn), (p0, p1) -> {
            Arrays.fill(gx, p0 * planeIn, p1 * planeIn, 0f);
            for (int plane = p0; plane < p1; plane++)
                for (int o = 0, at = plane * planeOut; o < planeOut; o++, at++)
                    gx[plane * planeIn + (int) argmax[at]] += gy[at];
        });
    }

    static void avgForward(float[] x, float[] out, Pool3dGeometry g) {
        if (g.isPlain2d()) {
            Pooling.avgForward(x, out, g.as2d());
            return;
        }
        int od = g.outD(), oh = g.outH(), ow = g.outW(), d = g.d(), h = g.h(), w = g.w(), planeOut = g.planeOut();
        boolean vectors = rowVectors(g);
        int vx0 = interiorStart(g), vx1 = interiorEnd(g);
        Parallel.parallelFor(g.n() * g.c(), grain(g.planeIn()), (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xOff = plane * g.planeIn(), o = plane * planeOut;
                for (int z = 0; z < od; z++) {
                    int sz = z * g.strideD() - g.padD(), kz0 = firstTap(sz, 1), kz1 = endTap(sz, 1, g.kd(), d);
                    for (int y = 0; y < oh; y++) {
                        int sy = y * g.strideH() - g.padH(), ky0 = firstTap(sy, 1), ky1 = endTap(sy, 1, g.kh(), h);
                        for (int xx = 0; xx < ow; xx++, o++) {
                            // inside the row, every output of the run has the same divisor
                            if (vectors && xx >= vx0 && xx + L <= vx1) {
                                avgVector(x, out, g, xOff, o, xx, sz, kz0, kz1, sy, ky0, ky1, g.divisor(z, y, xx));
                                xx += L - 1;
                                o += L - 1;
                                continue;
                            }
                            int sx = xx * g.strideW() - g.padW(), kx0 = firstTap(sx, 1), kx1 = endTap(sx, 1, g.kw(), w);
                            float sum = 0f;
                            for (int kz = kz0; kz < kz1; kz++)
                                for (int ky = ky0; ky < ky1; ky++) {
                                    int row = xOff + ((sz + kz) * h + sy + ky) * w + sx;
                                    for (int kx = kx0; kx < kx1; kx++) sum += x[row + kx];
                                }
                            out[o] = sum / g.divisor(z, y, xx);
                        }
                    }
                }
            }
        });
    }

    static void avgBackward(float[] gy, float[] gx, Pool3dGeometry g) {
        if (g.isPlain2d()) {
            Pooling.avgBackward(gy, gx, g.as2d());
            return;
        }
        int od = g.outD(), oh = g.outH(), ow = g.outW(), d = g.d(), h = g.h(), w = g.w(), planeOut = g.planeOut();
        int planeIn = g.planeIn();
        Parallel.parallelFor(g.n() * g.c(), grain(planeIn), (p0, p1) -> {
            Arrays.fill(gx, p0 * planeIn, p1 * planeIn, 0f);
            for (int plane = p0; plane < p1; plane++) {
                int xOff = plane * planeIn, o = plane * planeOut;
                for (int z = 0; z < od; z++) {
                    int sz = z * g.strideD() - g.padD(), kz0 = firstTap(sz, 1), kz1 = endTap(sz, 1, g.kd(), d);
                    for (int y = 0; y < oh; y++) {
                        int sy = y * g.strideH() - g.padH(), ky0 = firstTap(sy, 1), ky1 = endTap(sy, 1, g.kh(), h);
                        for (int xx = 0; xx < ow; xx++, o++) {
                            int sx = xx * g.strideW() - g.padW(), kx0 = firstTap(sx, 1), kx1 = endTap(sx, 1, g.kw(), w);
                            float share = gy[o] / g.divisor(z, y, xx);
                            for (int kz = kz0; kz < kz1; kz++)
                                for (int ky = ky0; ky < ky1; ky++) {
                                    int row = xOff + ((sz + kz) * h + sy + ky) * w + sx;
                                    for (int kx = kx0; kx < kx1; kx++) gx[row + kx] += share;
                                }
                        }
                    }
                }
            }
        });
    }

    /** Adaptive average (or, with {@code argmax} non-null, max) pooling of the planes. */
    static void adaptiveForward(float[] x, float[] out, float[] argmax, AdaptivePoolGeometry g) {
        int d = g.d(), h = g.h(), w = g.w(), planeOut = g.planeOut(), planeIn = g.planeIn();
        Parallel.parallelFor(g.n() * g.c(), grain(planeIn), (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xOff = plane * planeIn, o = plane * planeOut;
                for (int z = 0; z < g.outD(); z++) {
                    int z0 = AdaptivePoolGeometry.start(z, d, g.outD()), z1 = AdaptivePoolGeometry.end(z, d, g.outD());
                    for (int y = 0; y < g.outH(); y++) {
                        int y0 = AdaptivePoolGeometry.start(y, h, g.outH()), y1 = AdaptivePoolGeometry.end(y, h, g.outH());
                        for (int xx = 0; xx < g.outW(); xx++, o++) {
                            int x0 = AdaptivePoolGeometry.start(xx, w, g.outW()), x1 = AdaptivePoolGeometry.end(xx, w, g.outW());
                            if (argmax == null) {
                                float sum = 0f;
                                for (int iz = z0; iz < z1; iz++)
                                    for (int iy = y0; iy < y1; iy++) {
                                        int row = xOff + (iz * h + iy) * w;
                                        for (int ix = x0; ix < x1; ix++) sum += x[row + ix];
                                    }
                                out[o] = sum / ((z1 - z0) * (y1 - y0) * (x1 - x0));
                            } else {
                                float best = Float.NEGATIVE_INFINITY;
                                int bestIdx = -1;
                                for (int iz = z0; iz < z1; iz++)
                                    for (int iy = y0; iy < y1; iy++)
                                        for (int ix = x0, idx = (iz * h + iy) * w + x0; ix < x1; ix++, idx++) {
                                            float v = x[xOff + idx];
                                            if (bestIdx < 0 || v > best || (Float.isNaN(v) && !Float.isNaN(best))) {
                                                best = v;
                                                bestIdx = idx;
                                            }
                                        }
                                out[o] = best;
                                argmax[o] = bestIdx;
                            }
                        }
                    }
                }
            }
        });
    }

    static void adaptiveAvgBackward(float[] gy, float[] gx, AdaptivePoolGeometry g) {
        int d = g.d(), h = g.h(), w = g.w(), planeOut = g.planeOut(), planeIn = g.planeIn();
        Parallel.parallelFor(g.n() * g.c(), grain(planeIn), (p0, p1) -> {
            Arrays.fill(gx, p0 * planeIn, p1 * planeIn, 0f);
            for (int plane = p0; plane < p1; plane++) {
                int xOff = plane * planeIn, o = plane * planeOut;
                for (int z = 0; z < g.outD(); z++) {
                    int z0 = AdaptivePoolGeometry.start(z, d, g.outD()), z1 = AdaptivePoolGeometry.end(z, d, g.outD());
                    for (int y = 0; y < g.outH(); y++) {
                        int y0 = AdaptivePoolGeometry.start(y, h, g.outH()), y1 = AdaptivePoolGeometry.end(y, h, g.outH());
                        for (int xx = 0; xx < g.outW(); xx++, o++) {
                            int x0 = AdaptivePoolGeometry.start(xx, w, g.outW()), x1 = AdaptivePoolGeometry.end(xx, w, g.outW());
                            float share = gy[o] / ((z1 - z0) * (y1 - y0) * (x1 - x0));
                            for (int iz = z0; iz < z1; iz++)
                                for (int iy = y0; iy < y1; iy++) {
                                    int row = xOff + (iz * h + iy) * w;
                                    for (int ix = x0; ix < x1; ix++) gx[row + ix] += share;
                                }
                        }
                    }
                }
            }
        });
    }
}
