package dev.jgrad.engine.cpu.looped;

import dev.jgrad.engine.ConvNdGeometry;

/**
 * Grouped, dilated convolution in 1 to 3 spatial dims as plain nested loops: the readable
 * definition, one fixed-order float32 sum per output element. Each of the three passes owns what
 * it writes (an output, an input gradient, a weight gradient), so nothing is accumulated across
 * iterations of an outer loop and no scratch is needed.
 *
 * <p>The index arithmetic: output position {@code o} with tap {@code k} reads input position
 * {@code i = o * stride - padBegin + k * dilation}. The input gradient inverts it: for input
 * position {@code i} and tap {@code k}, {@code o = (i + padBegin - k * dilation) / stride} when
 * that division is exact and {@code o} lies in the output.
 */
final class ConvNd {
    private ConvNd() {}

    static void forward(float[] x, float[] w, float[] bias, float[] out, ConvNdGeometry g) {
        int outD = g.outD(), outH = g.outH(), outW = g.outW();
        int cinG = g.cInPerGroup(), coutG = g.cOutPerGroup();
        int plane = g.d() * g.h() * g.w(), taps = g.kd() * g.kh() * g.kw();
        int o = 0;
        for (int img = 0; img < g.n(); img++)
            for (int co = 0; co < g.cOut(); co++) {
                int ci0 = co / coutG * cinG;
                for (int oz = 0; oz < outD; oz++)
                    for (int oy = 0; oy < outH; oy++)
                        for (int ox = 0; ox < outW; ox++, o++) {
                            float sum = 0f;
                            for (int c = 0; c < cinG; c++) {
                                int xBase = (img * g.cIn() + ci0 + c) * plane, wBase = (co * cinG + c) * taps;
                                for (int kz = 0; kz < g.kd(); kz++) {
                                    int iz = oz * g.strideD() - g.padD0() + kz * g.dilD();
                                    if (iz < 0 || iz >= g.d()) continue;
                                    for (int ky = 0; ky < g.kh(); ky++) {
                                        int iy = oy * g.strideH() - g.padH0() + ky * g.dilH();
                                        if (iy < 0 || iy >= g.h()) continue;
                                        for (int kx = 0; kx < g.kw(); kx++) {
                                            int ix = ox * g.strideW() - g.padW0() + kx * g.dilW();
                                            if (ix < 0 || ix >= g.w()) continue;
                                            sum += x[xBase + (iz * g.h() + iy) * g.w() + ix]
                                                    * w[wBase + (kz * g.kh() + ky) * g.kw() + kx];
                                        }
                                    }
                                }
                            }
                            out[o] = bias == null ? sum : sum + bias[co];
                        }
            }
    }

    static void backwardInput(float[] gy, float[] w, float[] gx, ConvNdGeometry g) {
        int outD = g.outD(), outH = g.outH(), outW = g.outW(), outPlane = outD * outH * outW;
        int cinG = g.cInPerGroup(), coutG = g.cOutPerGroup(), taps = g.kd() * g.kh() * g.kw();
        int i = 0;
        for (int img = 0; img < g.n(); img++)
            for (int ci = 0; ci < g.cIn(); ci++) {
                int grp = ci / cinG, c = ci - grp * cinG;
                for (int iz = 0; iz < g.d(); iz++)
                    for (int iy = 0; iy < g.h(); iy++)
                        for (int ix = 0; ix < g.w(); ix++, i++) {
                            float sum = 0f;
                            for (int co = grp * coutG; co < (grp + 1) * coutG; co++) {
                                int gyBase = (img * g.cOut() + co) * outPlane, wBase = (co * cinG + c) * taps;
                                for (int kz = 0; kz < g.kd(); kz++) {
                                    int oz = tap(iz, g.padD0(), kz, g.dilD(), g.strideD(), outD);
                                    if (oz < 0) continue;
                                    for (int ky = 0; ky < g.kh(); ky++) {
                                        int oy = tap(iy, g.padH0(), ky, g.dilH(), g.strideH(), outH);
                                        if (oy < 0) continue;
                                        for (int kx = 0; kx < g.kw(); kx++) {
                                            int ox = tap(ix, g.padW0(), kx, g.dilW(), g.strideW(), outW);
                                            if (ox < 0) continue;
                                            sum += gy[gyBase + (oz * outH + oy) * outW + ox]
                                                    * w[wBase + (kz * g.kh() + ky) * g.kw() + kx];
                                        }
                                    }
                                }
                            }
                            gx[i] = sum;
                        }
            }
    }

    /** The output position whose tap {@code k} reads input position {@code i}, or -1 when there is none. */
    private static int tap(int i, int padBegin, int k, int dil, int stride, int outSize) {
        int t = i + padBegin - k * dil;
        if (t < 0 || t % stride != 0) return -1;
        int o = t / stride;
        return o < outSize ? o : -1;
    }

    static void backwardWeight(float[] x, float[] gy, float[] gw, float[] gBias, ConvNdGeometry g) {
        int outD = g.outD(), outH = g.outH(), outW = g.outW(), outPlane = outD * outH * outW;
        int cinG = g.cInPerGroup(), coutG = g.cOutPerGroup(), plane = g.d() * g.h() * g.w();
        int k = 0;
        for (int co = 0; co < g.cOut(); co++) {
            int ci0 = co / coutG * cinG;
            for (int c = 0; c < cinG; c++)
                for (int kz = 0; kz < g.kd(); kz++)
                    for (int ky = 0; ky < g.kh(); ky++)
                        for (int kx = 0; kx < g.kw(); kx++, k++) {
                            float sum = 0f;
                            for (int img = 0; img < g.n(); img++) {
                                int xBase = (img * g.cIn() + ci0 + c) * plane, gyBase = (img * g.cOut() + co) * outPlane;
                                for (int oz = 0; oz < outD; oz++) {
                                    int iz = oz * g.strideD() - g.padD0() + kz * g.dilD();
                                    if (iz < 0 || iz >= g.d()) continue;
                                    for (int oy = 0; oy < outH; oy++) {
                                        int iy = oy * g.strideH() - g.padH0() + ky * g.dilH();
                                        if (iy < 0 || iy >= g.h()) continue;
                                        for (int ox = 0; ox < outW; ox++) {
                                            int ix = ox * g.strideW() - g.padW0() + kx * g.dilW();
                                            if (ix < 0 || ix >= g.w()) continue;
                                            sum += gy[gyBase + (oz * outH + oy) * outW + ox]
                                                    * x[xBase + (iz * g.h() + iy) * g.w() + ix];
                                        }
                                    }
                                }
                            }
                            gw[k] = sum;
                        }
        }
        if (gBias != null)
            for (int co = 0; co < g.cOut(); co++) {
                float sum = 0f;
                for (int img = 0; img < g.n(); img++)
                    for (int s = 0; s < outPlane; s++) sum += gy[(img * g.cOut() + co) * outPlane + s];
                gBias[co] = sum;
            }
    }
}
