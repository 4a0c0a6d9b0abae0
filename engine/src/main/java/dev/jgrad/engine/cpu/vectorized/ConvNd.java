package dev.jgrad.engine.cpu.vectorized;

import dev.jgrad.engine.BinaryOp;
import dev.jgrad.engine.ConvNdGeometry;

import java.util.Arrays;

/**
 * Grouped, dilated, asymmetric-padded convolution in 1 to 3 spatial dims as im2col + {@link Gemm},
 * one image and one group at a time: the group's column matrix {@code (cIn/groups * kd*kh*kw,
 * outD*outH*outW)} is built in a per-thread scratch array, and one GEMM with the group's block of
 * the weight gives (or takes) that group's output channels.
 *
 * <ul>
 *   <li>forward: {@code out[g] = W[g] @ col[g]}, written straight into the output, plus the bias;</li>
 *   <li>input gradient: {@code col = W[g]^T @ gy[g]}, then col2im in a fixed order;</li>
 *   <li>weight gradient: {@code gy[g] @ col[g]^T} summed over images in chunks cut by size alone
 *       (at most {@link #MAX_PARTIALS}), the partial sums added in chunk order, so the bits are the
 *       same at any thread count.</li>
 * </ul>
 * Images are split across the cores. The index arithmetic is the looped kernel's: output position
 * {@code o} with tap {@code k} reads input position {@code o * stride - padBegin + k * dilation}.
 */
final class ConvNd {
    private static final ThreadLocal<float[]> COLUMNS = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> PRODUCTS = ThreadLocal.withInitial(() -> new float[0]);
    private static final int ADD = MapOps.binary(BinaryOp.ADD);
    private static final int MAX_PARTIALS = 16;

    private ConvNd() {}

    private static float[] scratch(ThreadLocal<float[]> holder, int size) {
        float[] s = holder.get();
        if (s.length < size) holder.set(s = new float[size]);
        return s;
    }

    /** Images per parallel chunk such that a chunk is worth a fork (about a million multiply-adds). */
    private static int grain(ConvNdGeometry g) {
        long flops = 2L * g.cOut() * g.patchSize() * g.outSpatial();
        return (int) Math.max(1, (1L << 20) / Math.max(1, flops));
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }

    /**
     * Writes the column matrix of group {@code grp} of image {@code img} into {@code col}: row
     * {@code (c, kz, ky, kx)} holds, for every output position, the input value that tap reads (0
     * in the padding).
     */
    static void im2col(float[] x, int img, int grp, float[] col, ConvNdGeometry g) {
        int outD = g.outD(), outH = g.outH(), outW = g.outW(), s = outD * outH * outW;
        int d = g.d(), h = g.h(), w = g.w(), plane = d * h * w, sw = g.strideW();
        int row = 0;
        for (int c = 0; c < g.cInPerGroup(); c++) {
            int xBase = (img * g.cIn() + grp * g.cInPerGroup() + c) * plane;
            for (int kz = 0; kz < g.kd(); kz++)
                for (int ky = 0; ky < g.kh(); ky++)
                    for (int kx = 0; kx < g.kw(); kx++, row++) {
                        int shiftW = kx * g.dilW() - g.padW0();
                        // output columns whose input column ox * sw + shiftW lies inside [0, w)
                        int ox0 = Math.min(outW, Math.max(0, ceilDiv(-shiftW, sw)));
                        int ox1 = Math.max(ox0, Math.min(outW, ceilDiv(w - shiftW, sw)));
                        int dst = row * s;
                        for (int oz = 0; oz < outD; oz++) {
                            int iz = oz * g.strideD() - g.padD0() + kz * g.dilD();
                            for (int oy = 0; oy < outH; oy++, dst += outW) {
                                int iy = oy * g.strideH() - g.padH0() + ky * g.dilH();
                                if (iz < 0 || iz >= d || iy < 0 || iy >= h) {
                                    Arrays.fill(col, dst, dst + outW, 0f);
                                    continue;
                                }
                                int src = xBase + (iz * h + iy) * w + shiftW;
                                for (int ox = 0; ox < ox0; ox++) col[dst + ox] = 0f;
                                if (sw == 1) for (int ox = ox0; ox < ox1; ox++) col[dst + ox] = x[src + ox];
                                else for (int ox = ox0; ox < ox1; ox++) col[dst + ox] = x[src + ox * sw];
                                for (int ox = ox1; ox < outW; ox++) col[dst + ox] = 0f;
                            }
                        }
                    }
        }
    }

    /** The adjoint of {@link #im2col}: zero-fills the group's input-gradient channels, then adds every column entry back, in row order. */
    static void col2im(float[] col, float[] gx, int img, int grp, ConvNdGeometry g) {
        int outD = g.outD(), outH = g.outH(), outW = g.outW(), s = outD * outH * outW;
        int d = g.d(), h = g.h(), w = g.w(), plane = d * h * w, sw = g.strideW();
        int first = (img * g.cIn() + grp * g.cInPerGroup()) * plane;
        Arrays.fill(gx, first, first + g.cInPerGroup() * plane, 0f);
        int row = 0;
        for (int c = 0; c < g.cInPerGroup(); c++) {
            int xBase = first + c * plane;
            for (int kz = 0; kz < g.kd(); kz++)
                for (int ky = 0; ky < g.kh(); ky++)
                    for (int kx = 0; kx < g.kw(); kx++, row++) {
                        int shiftW = kx * g.dilW() - g.padW0();
                        int ox0 = Math.min(outW, Math.max(0, ceilDiv(-shiftW, sw)));
                        int ox1 = Math.max(ox0, Math.min(outW, ceilDiv(w - shiftW, sw)));
                        int src = row * s;
                        for (int oz = 0; oz < outD; oz++) {
                            int iz = oz * g.strideD() - g.padD0() + kz * g.dilD();
                            for (int oy = 0; oy < outH; oy++, src += outW) {
                                int iy = oy * g.strideH() - g.padH0() + ky * g.dilH();
                                if (iz < 0 || iz >= d || iy < 0 || iy >= h || ox0 == ox1) continue;
                                int dst = xBase + (iz * h + iy) * w + shiftW;
                                if (sw == 1) {
                                    MapDriver.row(ADD, gx, dst + ox0, 1, col, src + ox0, 1, gx, dst + ox0, 1,
                                            gx, dst + ox0, ox1 - ox0, 0f, 0f, 0f, 0f);
                                } else {
                                    for (int ox = ox0; ox < ox1; ox++) gx[dst + ox * sw] += col[src + ox];
                                }
                            }
                        }
                    }
        }
    }

    static void forward(float[] x, float[] w, float[] bias, float[] out, ConvNdGeometry g) {
        g.requireColumnsFit("convNd on cpu-vectorized", 1);
        int s = g.outSpatial(), patch = g.patchSize(), coutG = g.cOutPerGroup(), groups = g.groups();
        if (s == 0) return;
        Parallel.parallelFor(g.n(), grain(g), (i0, i1) -> {
            float[] col = scratch(COLUMNS, patch * s);
            for (int img = i0; img < i1; img++)
                for (int grp = 0; grp < groups; grp++) {
                    im2col(x, img, grp, col, g);
                    int outOff = (img * g.cOut() + grp * coutG) * s;
                    // (coutG, patch) @ (patch, s) into the group's output channels
                    Gemm.gemm(w, grp * coutG * patch, col, 0, out, outOff, coutG, s, patch, false, false);
                    if (bias != null)
                        for (int co = 0; co < coutG; co++) {
                            int at = outOff + co * s;
                            MapDriver.row(ADD, out, at, 1, bias, grp * coutG + co, 0, out, at, 1, out, at, s, 0f, 0f, 0f, 0f);
                        }
                }
        });
    }

    static void backwardInput(float[] gy, float[] w, float[] gx, ConvNdGeometry g) {
        g.requireColumnsFit("convNd backward (input) on cpu-vectorized", 1);
        int s = g.outSpatial(), patch = g.patchSize(), coutG = g.cOutPerGroup(), groups = g.groups();
        if (s == 0) {
            Arrays.fill(gx, 0, (int) g.inputElements(), 0f);
            return;
        }
        Parallel.parallelFor(g.n(), grain(g), (i0, i1) -> {
            float[] col = scratch(COLUMNS, patch * s);
            for (int img = i0; img < i1; img++)
                for (int grp = 0; grp < groups; grp++) {
                    // (patch, coutG) @ (coutG, s): the group's weight transposed times its output gradient
                    Gemm.gemm(w, grp * coutG * patch, gy, (img * g.cOut() + grp * coutG) * s, col, 0, patch, s, coutG, true, false);
                    col2im(col, gx, img, grp, g);
                }
        });
    }

    static void backwardWeight(float[] x, float[] gy, float[] gw, float[] gBias, ConvNdGeometry g) {
        int wSize = (int) g.weightElements();
        if (g.n() == 0 || g.outSpatial() == 0) {
            Arrays.fill(gw, 0, wSize, 0f);
            if (gBias != null) Arrays.fill(gBias, 0, g.cOut(), 0f);
            return;
        }
        g.requireColumnsFit("convNd backward (weight) on cpu-vectorized", 1);
        int s = g.outSpatial(), patch = g.patchSize(), coutG = g.cOutPerGroup(), groups = g.groups();
        int chunks = Parallel.fixedChunks(g.n(), grain(g), MAX_PARTIALS);
        float[][] partials = new float[chunks][];
        Parallel.forChunks(chunks, Math.min(chunks, Parallel.THREADS), (c0, c1) -> {
            float[] col = scratch(COLUMNS, patch * s), product = scratch(PRODUCTS, coutG * patch);
            for (int chunk = c0; chunk < c1; chunk++) {
                int i0 = (int) ((long) g.n() * chunk / chunks), i1 = (int) ((long) g.n() * (chunk + 1) / chunks);
                float[] sum = chunk == 0 ? gw : new float[wSize];
                Arrays.fill(sum, 0, wSize, 0f);
                for (int img = i0; img < i1; img++)
                    for (int grp = 0; grp < groups; grp++) {
                        im2col(x, img, grp, col, g);
                        // (coutG, s) @ (s, patch): the group's output gradient times col^T
                        Gemm.gemm(gy, (img * g.cOut() + grp * coutG) * s, col, 0, product, 0, coutG, patch, s, false, true);
                        int at = grp * coutG * patch;
                        MapDriver.row(ADD, sum, at, 1, product, 0, 1, sum, at, 1, sum, at, coutG * patch, 0f, 0f, 0f, 0f);
                    }
                partials[chunk] = sum;
            }
        });
        for (int chunk = 1; chunk < chunks; chunk++)
            MapDriver.row(ADD, gw, 0, 1, partials[chunk], 0, 1, gw, 0, 1, gw, 0, wSize, 0f, 0f, 0f, 0f);
        if (gBias != null) {
            for (int co = 0; co < g.cOut(); co++) {
                float b = 0f;
                for (int img = 0; img < g.n(); img++)
                    b += ReduceDriver.row(ReduceDriver.SUM, gy, (img * g.cOut() + co) * s, null, 0, s, 0f);
                gBias[co] = b;
            }
        }
    }
}
