package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.MapOps.L;
import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import dev.jgrad.engine.PoolGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Max- and average-pooling, planes {@code (n*c)} split across the cores. Each window's valid
 * rows and columns are clipped once instead of testing every tap against the padding; taps are
 * visited in the looped kernel's order so sums and first-maximum ties come out the same.
 */
final class Pooling {
    private Pooling() {}

    private static int grain(PoolGeometry g) {
        return Math.max(1, MapDriver.GRAIN / Math.max(1, g.h() * g.w()));
    }

    /**
     * The 2x2 window at stride 2 without padding (LeNet's and most CNNs' pooling): windows never
     * overlap or leave the image, so the forward gathers the four taps of L outputs at a time and
     * the backward writes each share four times, with no clipping and no inner loops (a third of
     * LeNet's training step went to the general loops before this).
     */
    private static boolean twoByTwo(PoolGeometry g) {
        return g.kh() == 2 && g.kw() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.padH() == 0 && g.padW() == 0;
    }

    /**
     * Where each output of a plane reads its window's top-left tap, for every output of the
     * plane in order ({@code outH * outW} of them), padded with zeros to whole vectors: the
     * gathers' index map, so that a vector covers L outputs even when an output row is shorter.
     */
    private static int[] topLeftTaps(PoolGeometry g) {
        int outH = g.outH(), outW = g.outW(), count = outH * outW;
        int[] tap = new int[(count + L - 1) / L * L];
        for (int k = 0; k < count; k++) tap[k] = 2 * (k / outW) * g.w() + 2 * (k % outW);
        return tap;
    }

    private static VectorMask<Float> beats(FloatVector v, FloatVector best) {
        return v.compare(VectorOperators.GT, best)
                .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
    }

    private static void maxForward2x2(float[] x, float[] out, float[] argmax, PoolGeometry g) {
        int count = g.outH() * g.outW(), w = g.w(), planeIn = g.h() * w;
        int[] tap = topLeftTaps(g);
        float[] tapIndex = new float[tap.length];
        for (int k = 0; k < tap.length; k++) tapIndex[k] = tap[k];
        FloatVector one = FloatVector.broadcast(S, 1f), down = FloatVector.broadcast(S, w);
        Parallel.parallelFor(g.n() * g.c(), grain(g), (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xOff = plane * planeIn, o = plane * count;
                for (int k = 0; k < count; k += L) {
                    // taps in the looped kernel's order: top-left, top-right, bottom-left, bottom-right
                    FloatVector m = FloatVector.fromArray(S, x, xOff, tap, k);
                    FloatVector best = FloatVector.fromArray(S, tapIndex, k), at = best;
                    FloatVector v = FloatVector.fromArray(S, x, xOff + 1, tap, k);
                    VectorMask<Float> t = beats(v, m);
                    m = m.blend(v, t);
                    best = best.blend(at.add(one), t);
                    v = FloatVector.fromArray(S, x, xOff + w, tap, k);
                    t = beats(v, m);
                    m = m.blend(v, t);
                    best = best.blend(at.add(down), t);
                    v = FloatVector.fromArray(S, x, xOff + w + 1, tap, k);
                    t = beats(v, m);
                    m = m.blend(v, t);
                    best = best.blend(at.add(down).add(one), t);
                    if (k + L <= count) {
                        m.intoArray(out, o + k);
                        best.intoArray(argmax, o + k);
                    } else {
                        VectorMask<Float> tail = S.indexInRange(k, count);
                        m.intoArray(out, o + k, tail);
                        best.intoArray(argmax, o + k, tail);
                    }
                }
            }
        });
    }

    private static void avgForward2x2(float[] x, float[] out, PoolGeometry g) {
        int count = g.outH() * g.outW(), w = g.w(), planeIn = g.h() * w;
        int[] tap = topLeftTaps(g);
        Parallel.parallelFor(g.n() * g.c(), grain(g), (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xOff = plane * planeIn, o = plane * count;
                for (int k = 0; k < count; k += L) {
                    FloatVector sum = FloatVector.fromArray(S, x, xOff, tap, k)
                            .add(FloatVector.fromArray(S, x, xOff + 1, tap, k))
                            .add(FloatVector.fromArray(S, x, xOff + w, tap, k))
                            .add(FloatVector.fromArray(S, x, xOff + w + 1, tap, k))
                            .mul(0.25f);
                    if (k + L <= count) sum.intoArray(out, o + k);
                    else sum.intoArray(out, o + k, S.indexInRange(k, count));
                }
            }
        });
    }

    private static void avgBackward2x2(float[] gy, float[] gx, PoolGeometry g) {
        int outH = g.outH(), outW = g.outW(), h = g.h(), w = g.w(), planeIn = h * w;
        Parallel.parallelFor(g.n() * g.c(), grain(g), (p0, p1) -> {
            // an odd last row or column lies in no window
            if (h % 2 != 0 || w % 2 != 0) Arrays.fill(gx, p0 * planeIn, p1 * planeIn, 0f);
            for (int plane = p0; plane < p1; plane++) {
                int o = plane * outH * outW;
                for (int oy = 0; oy < outH; oy++) {
                    int r0 = plane * planeIn + 2 * oy * w, r1 = r0 + w;
                    for (int ox = 0; ox < outW; ox++, o++) {
                        float share = gy[o] * 0.25f;
                        gx[r0 + 2 * ox] = share;
                        gx[r0 + 2 * ox + 1] = share;
                        gx[r1 + 2 * ox] = share;
                        gx[r1 + 2 * ox + 1] = share;
                    }
                }
            }
        });
    }

    static void maxForward(float[] x, float[] out, float[] argmax, PoolGeometry g) {
        if (twoByTwo(g)) {
            maxForward2x2(x, out, argmax, g);
            return;
        }
        int outH = g.outH(), outW = g.outW(), h = g.h(), w = g.w();
        Parallel.parallelFor(g.n() * g.c(), grain(g), (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xOff = plane * h * w;
                for (int oy = 0; oy < outH; oy++) {
                    int y0 = oy * g.strideH() - g.padH(), ky0 = Math.max(0, -y0), ky1 = Math.min(g.kh(), h - y0);
                    for (int ox = 0; ox < outW; ox++) {
                        int x0 = ox * g.strideW() - g.padW(), kx0 = Math.max(0, -x0), kx1 = Math.min(g.kw(), w - x0);
                        int bestIdx = (y0 + ky0) * w + x0 + kx0;
                        float best = x[xOff + bestIdx];
                        for (int ky = ky0; ky < ky1; ky++) {
                            int rowIdx = (y0 + ky) * w + x0;
                            for (int kx = ky == ky0 ? kx0 + 1 : kx0; kx < kx1; kx++) {
                                float v = x[xOff + rowIdx + kx];
                                if (v > best || (Float.isNaN(v) && !Float.isNaN(best))) {
                                    best = v;
                                    bestIdx = rowIdx + kx;
                                }
                            }
                        }
                        int o = (plane * outH + oy) * outW + ox;
                        out[o] = best;
                        argmax[o] = bestIdx;
                    }
                }
            }
        });
    }

    static void maxBackward(float[] gy, float[] argmax, float[] gx, PoolGeometry g) {
        int planeOut = g.outH() * g.outW(), planeIn = g.h() * g.w();
        Parallel.parallelFor(g.n() * g.c(), grain(g), (p0, p1) -> {
            Arrays.fill(gx, p0 * planeIn, p1 * planeIn, 0f);
            for (int plane = p0; plane < p1; plane++)
                for (int o = 0, at = plane * planeOut; o < planeOut; o++, at++)
                    gx[plane * planeIn + (int) argmax[at]] += gy[at];
        });
    }

    static void avgForward(float[] x, float[] out, PoolGeometry g) {
        if (twoByTwo(g)) {
            avgForward2x2(x, out, g);
            return;
        }
        int outH = g.outH(), outW = g.outW(), h = g.h(), w = g.w();
        float scale = 1f / (g.kh() * g.kw());
        Parallel.parallelFor(g.n() * g.c(), grain(g), (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xOff = plane * h * w;
                for (int oy = 0; oy < outH; oy++) {
                    int y0 = oy * g.strideH() - g.padH(), ky0 = Math.max(0, -y0), ky1 = Math.min(g.kh(), h - y0);
                    for (int ox = 0; ox < outW; ox++) {
                        int x0 = ox * g.strideW() - g.padW(), kx0 = Math.max(0, -x0), kx1 = Math.min(g.kw(), w - x0);
                        float sum = 0f;
                        for (int ky = ky0; ky < ky1; ky++) {
                            int row = xOff + (y0 + ky) * w + x0;
                            for (int kx = kx0; kx < kx1; kx++) sum += x[row + kx];
                        }
                        out[(plane * outH + oy) * outW + ox] = sum * scale;
                    }
                }
            }
        });
    }

    static void avgBackward(float[] gy, float[] gx, PoolGeometry g) {
        if (twoByTwo(g)) {
            avgBackward2x2(gy, gx, g);
            return;
        }
        int outH = g.outH(), outW = g.outW(), h = g.h(), w = g.w(), planeIn = h * w;
        float scale = 1f / (g.kh() * g.kw());
        Parallel.parallelFor(g.n() * g.c(), grain(g), (p0, p1) -> {
            Arrays.fill(gx, p0 * planeIn, p1 * planeIn, 0f);
            for (int plane = p0; plane < p1; plane++)
                for (int oy = 0; oy < outH; oy++) {
                    int y0 = oy * g.strideH() - g.padH(), ky0 = Math.max(0, -y0), ky1 = Math.min(g.kh(), h - y0);
                    for (int ox = 0; ox < outW; ox++) {
                        int x0 = ox * g.strideW() - g.padW(), kx0 = Math.max(0, -x0), kx1 = Math.min(g.kw(), w - x0);
                        float share = gy[(plane * outH + oy) * outW + ox] * scale;
                        for (int ky = ky0; ky < ky1; ky++) {
                            int row = plane * planeIn + (y0 + ky) * w + x0;
                            for (int kx = kx0; kx < kx1; kx++) gx[row + kx] += share;
                        }
                    }
                }
        });
    }
}
