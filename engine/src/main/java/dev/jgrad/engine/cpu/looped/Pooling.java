package dev.jgrad.engine.cpu.looped;

import dev.jgrad.engine.PoolGeometry;

/** Max- and average-pooling, one window at a time. */
final class Pooling {
    private Pooling() {}

    static void maxForward(float[] x, float[] out, float[] argmax, PoolGeometry g) {
        int outH = g.outH(), outW = g.outW();
        for (int plane = 0; plane < g.n() * g.c(); plane++) {
            int xOff = plane * g.h() * g.w();
            for (int oy = 0; oy < outH; oy++)
                for (int ox = 0; ox < outW; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int bestIdx = -1;
                    for (int ky = 0; ky < g.kh(); ky++)
                        for (int kx = 0; kx < g.kw(); kx++) {
                            int iy = oy * g.strideH() - g.padH() + ky;
                            int ix = ox * g.strideW() - g.padW() + kx;
                            if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                            float v = x[xOff + iy * g.w() + ix];
                            if (bestIdx < 0 || v > best || (Float.isNaN(v) && !Float.isNaN(best))) {
                                best = v;
                                bestIdx = iy * g.w() + ix;
                            }
                        }
                    int o = (plane * outH + oy) * outW + ox;
                    out[o] = best;
                    argmax[o] = bestIdx;
                }
        }
    }

    static void maxBackward(float[] gy, float[] argmax, float[] gx, PoolGeometry g) {
        int planeOut = g.outH() * g.outW(), planeIn = g.h() * g.w();
        java.util.Arrays.fill(gx, 0, g.n() * g.c() * planeIn, 0f);
        for (int plane = 0; plane < g.n() * g.c(); plane++)
            for (int o = 0; o < planeOut; o++)
                gx[plane * planeIn + (int) argmax[plane * planeOut + o]] += gy[plane * planeOut + o];
    }

    static void avgForward(float[] x, float[] out, PoolGeometry g) {
        int outH = g.outH(), outW = g.outW();
        float scale = 1f / (g.kh() * g.kw());
        for (int plane = 0; plane < g.n() * g.c(); plane++) {
            int xOff = plane * g.h() * g.w();
            for (int oy = 0; oy < outH; oy++)
                for (int ox = 0; ox < outW; ox++) {
                    float sum = 0f;
                    for (int ky = 0; ky < g.kh(); ky++)
                        for (int kx = 0; kx < g.kw(); kx++) {
                            int iy = oy * g.strideH() - g.padH() + ky;
                            int ix = ox * g.strideW() - g.padW() + kx;
                            if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) sum += x[xOff + iy * g.w() + ix];
                        }
                    out[(plane * outH + oy) * outW + ox] = sum * scale;
                }
        }
    }

    static void avgBackward(float[] gy, float[] gx, PoolGeometry g) {
        int outH = g.outH(), outW = g.outW(), planeIn = g.h() * g.w();
        float scale = 1f / (g.kh() * g.kw());
        java.util.Arrays.fill(gx, 0, g.n() * g.c() * planeIn, 0f);
        for (int plane = 0; plane < g.n() * g.c(); plane++)
            for (int oy = 0; oy < outH; oy++)
                for (int ox = 0; ox < outW; ox++) {
                    float share = gy[(plane * outH + oy) * outW + ox] * scale;
                    for (int ky = 0; ky < g.kh(); ky++)
                        for (int kx = 0; kx < g.kw(); kx++) {
                            int iy = oy * g.strideH() - g.padH() + ky;
                            int ix = ox * g.strideW() - g.padW() + kx;
                            if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) gx[plane * planeIn + iy * g.w() + ix] += share;
                        }
                }
    }
}
