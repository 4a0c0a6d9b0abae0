package dev.jgrad.engine.cpu.vectorized;

import dev.jgrad.engine.BinaryOp;
import dev.jgrad.engine.ConvGeometry;
import java.util.Arrays;

/**
 * Convolution as im2col + {@link Gemm}, images split across the cores (a single image lets the
 * GEMM split instead). The column matrix of one image is {@code (cIn*kh*kw, outH*outW)}; a 1x1,
 * stride-1, unpadded convolution uses the image itself as that matrix.
 */
final class Conv {
    private static final ThreadLocal<float[]> COLUMNS = ThreadLocal.withInitial(() -> new float[0]);
    private static final int ADD = MapOps.binary(BinaryOp.ADD);

    private Conv() {}

    private static float[] scratch(int size) {
        float[] s = COLUMNS.get();
        if (s.length < size) COLUMNS.set(s = new float[size]);
        return s;
    }

    private static boolean pointwise(ConvGeometry g) {
        return g.kh() == 1 && g.kw() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 0 && g.padW() == 0;
    }

    /** Images per chunk such that one chunk is worth a fork. */
    private static int grain(ConvGeometry g) {
        long flops = 2L * g.cOut() * g.patchSize() * g.outH() * g.outW();
        return (int) Math.max(1, (1L << 20) / Math.max(1, flops));
    }

    static void im2col(float[] x, int xOff, float[] col, ConvGeometry g) {
        int outH = g.outH(), outW = g.outW(), h = g.h(), w = g.w(), sw = g.strideW();
        for (int ci = 0; ci < g.cIn(); ci++)
            for (int ky = 0; ky < g.kh(); ky++)
                for (int kx = 0; kx < g.kw(); kx++) {
                    int row = (ci * g.kh() + ky) * g.kw() + kx;
                    // Output columns whose input column ix = ox*sw - padW + kx lies inside [0, w).
                    int ox0 = Math.min(outW, Math.max(0, ceilDiv(g.padW() - kx, sw)));
                    int ox1 = Math.max(ox0, Math.min(outW, ceilDiv(w + g.padW() - kx, sw)));
                    for (int oy = 0; oy < outH; oy++) {
                        int iy = oy * g.strideH() - g.padH() + ky, dst = (row * outH + oy) * outW;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(col, dst, dst + outW, 0f);
                            continue;
                        }
                        int src = xOff + (ci * h + iy) * w - g.padW() + kx;
                        Arrays.fill(col, dst, dst + ox0, 0f);
                        if (sw == 1) System.arraycopy(x, src + ox0, col, dst + ox0, ox1 - ox0);
                        else for (int ox = ox0; ox < ox1; ox++) col[dst + ox] = x[src + ox * sw];
                        Arrays.fill(col, dst + ox1, dst + outW, 0f);
                    }
                }
    }

    /** The adjoint of {@link #im2col}: zero-fills the image, then adds every column entry back. */
    static void col2im(float[] col, float[] gx, int gxOff, ConvGeometry g) {
        int outH = g.outH(), outW = g.outW(), h = g.h(), w = g.w(), sw = g.strideW();
        Arrays.fill(gx, gxOff, gxOff + g.cIn() * h * w, 0f);
        for (int ci = 0; ci < g.cIn(); ci++)
            for (int ky = 0; ky < g.kh(); ky++)
                for (int kx = 0; kx < g.kw(); kx++) {
                    int row = (ci * g.kh() + ky) * g.kw() + kx;
                    int ox0 = Math.min(outW, Math.max(0, ceilDiv(g.padW() - kx, sw)));
                    int ox1 = Math.max(ox0, Math.min(outW, ceilDiv(w + g.padW() - kx, sw)));
                    for (int oy = 0; oy < outH; oy++) {
                        int iy = oy * g.strideH() - g.padH() + ky;
                        if (iy < 0 || iy >= h) continue;
                        int dst = gxOff + (ci * h + iy) * w - g.padW() + kx, src = (row * outH + oy) * outW;
                        if (sw == 1) {
                            MapDriver.row(ADD, gx, dst + ox0, 1, col, src + ox0, 1, gx, dst + ox0, 1,
                                    gx, dst + ox0, ox1 - ox0, 0f, 0f, 0f, 0f);
                        } else {
                            for (int ox = ox0; ox < ox1; ox++) gx[dst + ox * sw] += col[src + ox];
                        }
                    }
                }
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }

    static void forward(float[] x, float[] w, float[] bias, float[] out, ConvGeometry g) {
        int spatial = g.outH() * g.outW(), patch = g.patchSize(), imageIn = g.cIn() * g.h() * g.w();
        Parallel.parallelFor(g.n(), grain(g), (i0, i1) -> {
            float[] col = pointwise(g) ? x : scratch(patch * spatial);
            for (int img = i0; img < i1; img++) {
                int colOff = 0;
                if (pointwise(g)) colOff = img * imageIn;
                else im2col(x, img * imageIn, col, g);
                int outOff = img * g.cOut() * spatial;
                // (cOut, patch) @ (patch, spatial)
                Gemm.gemm(w, 0, col, colOff, out, outOff, g.cOut(), spatial, patch, false, false);
                if (bias != null)
                    for (int co = 0; co < g.cOut(); co++) {
                        int at = outOff + co * spatial;
                        MapDriver.row(ADD, out, at, 1, bias, co, 0, out, at, 1, out, at, spatial, 0f, 0f, 0f, 0f);
                    }
            }
        });
    }

    static void backwardInput(float[] gy, float[] w, float[] gx, ConvGeometry g) {
        int spatial = g.outH() * g.outW(), patch = g.patchSize(), imageIn = g.cIn() * g.h() * g.w();
        Parallel.parallelFor(g.n(), grain(g), (i0, i1) -> {
            float[] col = pointwise(g) ? null : scratch(patch * spatial);
            for (int img = i0; img < i1; img++) {
                // (patch, cOut) @ (cOut, spatial): W^T times this image's output gradient
                if (pointwise(g)) {
                    Gemm.gemm(w, 0, gy, img * g.cOut() * spatial, gx, img * imageIn, patch, spatial, g.cOut(), true, false);
                } else {
                    Gemm.gemm(w, 0, gy, img * g.cOut() * spatial, col, 0, patch, spatial, g.cOut(), true, false);
                    col2im(col, gx, img * imageIn, g);
                }
            }
        });
    }

    static void backwardWeight(float[] x, float[] gy, float[] gw, float[] gBias, ConvGeometry g) {
        int spatial = g.outH() * g.outW(), patch = g.patchSize(), imageIn = g.cIn() * g.h() * g.w();
        int wSize = g.cOut() * patch;
        int chunks = Parallel.chunks(g.n(), grain(g));
        float[][] partials = new float[chunks][];
        Parallel.forChunks(chunks, chunks, (c0, c1) -> {
            for (int chunk = c0; chunk < c1; chunk++) {
                int i0 = (int) ((long) g.n() * chunk / chunks), i1 = (int) ((long) g.n() * (chunk + 1) / chunks);
                float[] sum = chunk == 0 ? gw : new float[wSize];
                float[] product = new float[wSize];
                float[] col = pointwise(g) ? x : scratch(patch * spatial);
                Arrays.fill(sum, 0, wSize, 0f);
                for (int img = i0; img < i1; img++) {
                    int colOff = 0;
                    if (pointwise(g)) colOff = img * imageIn;
                    else im2col(x, img * imageIn, col, g);
                    // (cOut, spatial) @ (spatial, patch): this image's output gradient times col^T
                    Gemm.gemm(gy, img * g.cOut() * spatial, col, colOff, product, 0, g.cOut(), patch, spatial, false, true);
                    MapDriver.row(ADD, sum, 0, 1, product, 0, 1, sum, 0, 1, sum, 0, wSize, 0f, 0f, 0f, 0f);
                }
                partials[chunk] = sum;
            }
        });
        for (int chunk = 1; chunk < chunks; chunk++)
            MapDriver.row(ADD, gw, 0, 1, partials[chunk], 0, 1, gw, 0, 1, gw, 0, wSize, 0f, 0f, 0f, 0f);
        if (gBias != null) {
            Parallel.parallelFor(g.cOut(), Math.max(1, MapDriver.GRAIN / Math.max(1, g.n() * spatial)), (o0, o1) -> {
                for (int co = o0; co < o1; co++) {
                    float sum = 0f;
                    for (int img = 0; img < g.n(); img++)
                        sum += ReduceDriver.row(ReduceDriver.SUM, gy, (img * g.cOut() + co) * spatial, null, 0, spatial, 0f);
                    gBias[co] = sum;
                }
            });
        }
    }
}
