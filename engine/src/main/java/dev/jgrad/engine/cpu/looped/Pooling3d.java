package dev.jgrad.engine.cpu.looped;

import dev.jgrad.engine.AdaptivePoolGeometry;
import dev.jgrad.engine.Pool3dGeometry;
import java.util.Arrays;

/**
 * Max-, average- and adaptive pooling over {@code (n, c, d, h, w)}, one window at a time, taps in
 * order {@code (kz, ky, kx)}. The backward passes scatter each output's gradient in output order.
 */
final class Pooling3d {
    private Pooling3d() {}

    /** The first maximum wins; a NaN beats every number, the first NaN the later ones. */
    private static boolean beats(float v, float best, boolean none) {
        return none || v > best || (Float.isNaN(v) && !Float.isNaN(best));
    }

    static void maxForward(float[] x, float[] out, float[] argmax, Pool3dGeometry g) {
        int od = g.outD(), oh = g.outH(), ow = g.outW(), d = g.d(), h = g.h(), w = g.w();
        int o = 0;
        for (int plane = 0; plane < g.n() * g.c(); plane++) {
            int xOff = plane * g.planeIn();
            for (int z = 0; z < od; z++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++, o++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int bestIdx = -1;
                        for (int kz = 0; kz < g.kd(); kz++) {
                            int iz = z * g.strideD() - g.padD() + kz * g.dilationD();
                            if (iz < 0 || iz >= d) continue;
                            for (int ky = 0; ky < g.kh(); ky++) {
                                int iy = y * g.strideH() - g.padH() + ky * g.dilationH();
                                if (iy < 0 || iy >= h) continue;
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int ix = xx * g.strideW() - g.padW() + kx * g.dilationW();
                                    if (ix < 0 || ix >= w) continue;
                                    int idx = (iz * h + iy) * w + ix;
                                    float v = x[xOff + idx];
                                    if (beats(v, best, bestIdx < 0)) {
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

    /** The backward of max- and adaptive max-pooling: each output's gradient goes to its argmax. */
    static void maxBackward(float[] gy, float[] argmax, float[] gx, int planes, int planeOut, int planeIn) {
        Arrays.fill(gx, 0, planes * planeIn, 0f);
        for (int plane = 0; plane < planes; plane++)
            for (int o = 0; o < planeOut; o++)
                gx[plane * planeIn + (int) argmax[plane * planeOut + o]] += gy[plane * planeOut + o];
    }

    static void avgForward(float[] x, float[] out, Pool3dGeometry g) {
        int od = g.outD(), oh = g.outH(), ow = g.outW(), d = g.d(), h = g.h(), w = g.w();
        int o = 0;
        for (int plane = 0; plane < g.n() * g.c(); plane++) {
            int xOff = plane * g.planeIn();
            for (int z = 0; z < od; z++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++, o++) {
                        float sum = 0f;
                        for (int kz = 0; kz < g.kd(); kz++) {
                            int iz = z * g.strideD() - g.padD() + kz;
                            if (iz < 0 || iz >= d) continue;
                            for (int ky = 0; ky < g.kh(); ky++) {
                                int iy = y * g.strideH() - g.padH() + ky;
                                if (iy < 0 || iy >= h) continue;
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int ix = xx * g.strideW() - g.padW() + kx;
                                    if (ix >= 0 && ix < w) sum += x[xOff + (iz * h + iy) * w + ix];
                                }
                            }
                        }
                        out[o] = sum / g.divisor(z, y, xx);
                    }
        }
    }

    static void avgBackward(float[] gy, float[] gx, Pool3dGeometry g) {
        int od = g.outD(), oh = g.outH(), ow = g.outW(), d = g.d(), h = g.h(), w = g.w();
        Arrays.fill(gx, 0, g.n() * g.c() * g.planeIn(), 0f);
        int o = 0;
        for (int plane = 0; plane < g.n() * g.c(); plane++) {
            int xOff = plane * g.planeIn();
            for (int z = 0; z < od; z++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++, o++) {
                        float share = gy[o] / g.divisor(z, y, xx);
                        for (int kz = 0; kz < g.kd(); kz++) {
                            int iz = z * g.strideD() - g.padD() + kz;
                            if (iz < 0 || iz >= d) continue;
                            for (int ky = 0; ky < g.kh(); ky++) {
                                int iy = y * g.strideH() - g.padH() + ky;
                                if (iy < 0 || iy >= h) continue;
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int ix = xx * g.strideW() - g.padW() + kx;
                                    if (ix >= 0 && ix < w) gx[xOff + (iz * h + iy) * w + ix] += share;
                                }
                            }
                        }
                    }
        }
    }

    static void adaptiveAvgForward(float[] x, float[] out, AdaptivePoolGeometry g) {
        int d = g.d(), h = g.h(), w = g.w();
        int o = 0;
        for (int plane = 0; plane < g.n() * g.c(); plane++) {
            int xOff = plane * g.planeIn();
            for (int z = 0; z < g.outD(); z++) {
                int z0 = AdaptivePoolGeometry.start(z, d, g.outD()), z1 = AdaptivePoolGeometry.end(z, d, g.outD());
                for (int y = 0; y < g.outH(); y++) {
                    int y0 = AdaptivePoolGeometry.start(y, h, g.outH()), y1 = AdaptivePoolGeometry.end(y, h, g.outH());
                    for (int xx = 0; xx < g.outW(); xx++, o++) {
                        int x0 = AdaptivePoolGeometry.start(xx, w, g.outW()), x1 = AdaptivePoolGeometry.end(xx, w, g.outW());
                        float sum = 0f;
                        for (int iz = z0; iz < z1; iz++)
                            for (int iy = y0; iy < y1; iy++)
                                for (int ix = x0; ix < x1; ix++) sum += x[xOff + (iz * h + iy) * w + ix];
                        out[o] = sum / ((z1 - z0) * (y1 - y0) * (x1 - x0));
                    }
                }
            }
        }
    }

    static void adaptiveAvgBackward(float[] gy, float[] gx, AdaptivePoolGeometry g) {
        int d = g.d(), h = g.h(), w = g.w();
        Arrays.fill(gx, 0, g.n() * g.c() * g.planeIn(), 0f);
        int o = 0;
        for (int plane = 0; plane < g.n() * g.c(); plane++) {
            int xOff = plane * g.planeIn();
            for (int z = 0; z < g.outD(); z++) {
                int z0 = AdaptivePoolGeometry.start(z, d, g.outD()), z1 = AdaptivePoolGeometry.end(z, d, g.outD());
                for (int y = 0; y < g.outH(); y++) {
                    int y0 = AdaptivePoolGeometry.start(y, h, g.outH()), y1 = AdaptivePoolGeometry.end(y, h, g.outH());
                    for (int xx = 0; xx < g.outW(); xx++, o++) {
                        int x0 = AdaptivePoolGeometry.start(xx, w, g.outW()), x1 = AdaptivePoolGeometry.end(xx, w, g.outW());
                        float share = gy[o] / ((z1 - z0) * (y1 - y0) * (x1 - x0));
                        for (int iz = z0; iz < z1; iz++)
                            for (int iy = y0; iy < y1; iy++)
                                for (int ix = x0; ix < x1; ix++) gx[xOff + (iz * h + iy) * w + ix] += share;
                    }
                }
            }
        }
    }

    static void adaptiveMaxForward(float[] x, float[] out, float[] argmax, AdaptivePoolGeometry g) {
        int d = g.d(), h = g.h(), w = g.w();
        int o = 0;
        for (int plane = 0; plane < g.n() * g.c(); plane++) {
            int xOff = plane * g.planeIn();
            for (int z = 0; z < g.outD(); z++) {
                int z0 = AdaptivePoolGeometry.start(z, d, g.outD()), z1 = AdaptivePoolGeometry.end(z, d, g.outD());
                for (int y = 0; y < g.outH(); y++) {
                    int y0 = AdaptivePoolGeometry.start(y, h, g.outH()), y1 = AdaptivePoolGeometry.end(y, h, g.outH());
                    for (int xx = 0; xx < g.outW(); xx++, o++) {
                        int x0 = AdaptivePoolGeometry.start(xx, w, g.outW()), x1 = AdaptivePoolGeometry.end(xx, w, g.outW());
                        float best = Float.NEGATIVE_INFINITY;
                        int bestIdx = -1;
                        for (int iz = z0; iz < z1; iz++)
                            for (int iy = y0; iy < y1; iy++)
                                for (int ix = x0; ix < x1; ix++) {
                                    int idx = (iz * h + iy) * w + ix;
                                    float v = x[xOff + idx];
                                    if (beats(v, best, bestIdx < 0)) {
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
}
