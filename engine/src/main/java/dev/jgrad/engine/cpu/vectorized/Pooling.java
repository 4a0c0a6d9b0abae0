package dev.jgrad.engine.cpu.vectorized;

import dev.jgrad.engine.PoolGeometry;
import java.util.Arrays;

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

    static void maxForward(float[] x, float[] out, float[] argmax, PoolGeometry g) {
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
