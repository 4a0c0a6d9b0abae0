package dev.jgrad.engine.cpu.vectorized;

import dev.jgrad.engine.BinaryOp;
import dev.jgrad.engine.ConvGeometry;
import java.util.Arrays;

/**
 * Convolution. Stride-1 layers whose padded rows are not mostly padding go to
 * {@link ShiftedConv}, which reads the input in place instead of copying it into a column matrix.
 * Everything else is im2col + {@link Gemm}, over blocks of images: the column matrices of a
 * block's images sit side by side in one {@code (cIn*kh*kw, images*outH*outW)} matrix, so that one
 * GEMM per block has a long inner or outer dimension even when a layer's own are small (LeNet's
 * layer 2 is a 16 x 150 x 100 product per image: per-image GEMMs ran at 30 GFLOP/s). Blocks are
 * split across the cores. A 1x1, stride-1, unpadded convolution uses each image itself as its
 * matrix.
 */
final class Conv {
    private static final ThreadLocal<float[]> COLUMNS = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> PRODUCTS = ThreadLocal.withInitial(() -> new float[0]);
    private static final int ADD = MapOps.binary(BinaryOp.ADD);
    /** A block's column matrix holds about this many floats (1 MB): it stays in cache for its GEMM. */
    private static final int BLOCK_FLOATS = 1 << 18;
    /**
     * Most partial weight gradients a backward pass keeps (images are cut into this many chunks
     * at most, by size alone, and the partials added in chunk order): the same bits at any
     * thread count, and all the parallelism a machine of up to this many cores can use.
     */
    private static final int MAX_PARTIALS = 16;

    private Conv() {}

    private static float[] scratch(ThreadLocal<float[]> holder, int size) {
        float[] s = holder.get();
        if (s.length < size) holder.set(s = new float[size]);
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

    /** Images per block. */
    private static int block(ConvGeometry g) {
        long perImage = (long) g.patchSize() * g.outH() * g.outW();
        return (int) Math.max(1, Math.min(g.n(), BLOCK_FLOATS / Math.max(1, perImage)));
    }

    /**
     * Writes one image's column matrix into {@code col}: row {@code r} (a (ci, ky, kx) tap) starts
     * at {@code colOff + r * ld}, one entry per output pixel.
     */
    static void im2col(float[] x, int xOff, float[] col, int colOff, int ld, ConvGeometry g) {
        int outH = g.outH(), outW = g.outW(), h = g.h(), w = g.w(), sw = g.strideW();
        for (int ci = 0; ci < g.cIn(); ci++)
            for (int ky = 0; ky < g.kh(); ky++)
                for (int kx = 0; kx < g.kw(); kx++) {
                    int row = (ci * g.kh() + ky) * g.kw() + kx;
                    // Output columns whose input column ix = ox*sw - padW + kx lies inside [0, w).
                    int ox0 = Math.min(outW, Math.max(0, ceilDiv(g.padW() - kx, sw)));
                    int ox1 = Math.max(ox0, Math.min(outW, ceilDiv(w + g.padW() - kx, sw)));
                    for (int oy = 0; oy < outH; oy++) {
                        int iy = oy * g.strideH() - g.padH() + ky, dst = colOff + row * ld + oy * outW;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(col, dst, dst + outW, 0f);
                            continue;
                        }
                        int src = xOff + (ci * h + iy) * w - g.padW() + kx;
                        // plain loops: the runs are an output row long (10 to 28 floats in LeNet),
                        // too short for System.arraycopy and Arrays.fill calls to pay off
                        for (int ox = 0; ox < ox0; ox++) col[dst + ox] = 0f;
                        if (sw == 1) for (int ox = ox0; ox < ox1; ox++) col[dst + ox] = x[src + ox];
                        else for (int ox = ox0; ox < ox1; ox++) col[dst + ox] = x[src + ox * sw];
                        for (int ox = ox1; ox < outW; ox++) col[dst + ox] = 0f;
                    }
                }
    }

    /** The adjoint of {@link #im2col} (same layout): zero-fills the image, then adds every column entry back. */
    static void col2im(float[] col, int colOff, int ld, float[] gx, int gxOff, ConvGeometry g) {
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
                        int dst = gxOff + (ci * h + iy) * w - g.padW() + kx, src = colOff + row * ld + oy * outW;
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

    /**
     * Runs {@code body(first image, image count)} over blocks of images, blocks split across the
     * cores; a block is a single image for pointwise convolutions (their matrices are the images).
     */
    private static void overBlocks(ConvGeometry g, BlockBody body) {
        int per = pointwise(g) ? 1 : block(g), blocks = ceilDiv(g.n(), per);
        Parallel.parallelFor(blocks, Math.max(1, grain(g) / per), (b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int img0 = blk * per;
                body.run(img0, Math.min(per, g.n() - img0));
            }
        });
    }

    @FunctionalInterface
    private interface BlockBody {
        void run(int firstImage, int images);
    }

    /** Copies the output gradient of {@code count} images, {@code (count, cOut, spatial)}, to {@code (cOut, count*spatial)}. */
    private static void gatherByChannel(float[] gy, int img0, int count, float[] dst, ConvGeometry g) {
        int spatial = g.outH() * g.outW(), ld = count * spatial;
        for (int b = 0; b < count; b++)
            for (int co = 0; co < g.cOut(); co++)
                System.arraycopy(gy, ((img0 + b) * g.cOut() + co) * spatial, dst, co * ld + b * spatial, spatial);
    }

    static void forward(float[] x, float[] w, float[] bias, float[] out, ConvGeometry g) {
        if (ShiftedConv.applies(g)) {
            ShiftedConv.forward(x, w, bias, out, g);
            return;
        }
        if (!pointwise(g)) g.requireColumnsFit("conv2d on cpu-vectorized", 1);
        int spatial = g.outH() * g.outW(), patch = g.patchSize(), imageIn = g.cIn() * g.h() * g.w();
        overBlocks(g, (img0, count) -> {
            int ld = count * spatial;
            float[] col = x;
            int colOff = img0 * imageIn;
            if (!pointwise(g)) {
                col = scratch(COLUMNS, patch * ld);
                colOff = 0;
                for (int b = 0; b < count; b++) im2col(x, (img0 + b) * imageIn, col, b * spatial, ld, g);
            }
            // (cOut, patch) @ (patch, count*spatial), laid out (cOut, count, spatial)
            float[] product = scratch(PRODUCTS, g.cOut() * ld);
            Gemm.gemm(w, 0, col, colOff, product, 0, g.cOut(), ld, patch, false, false);
            for (int b = 0; b < count; b++)
                for (int co = 0; co < g.cOut(); co++) {
                    int src = co * ld + b * spatial, dst = ((img0 + b) * g.cOut() + co) * spatial;
                    if (bias == null) System.arraycopy(product, src, out, dst, spatial);
                    else MapDriver.row(ADD, product, src, 1, bias, co, 0, product, src, 1, out, dst, spatial, 0f, 0f, 0f, 0f);
                }
        });
    }

    static void backwardInput(float[] gy, float[] w, float[] gx, ConvGeometry g) {
        if (ShiftedConv.appliesToInputGradient(g)) {
            ShiftedConv.backwardInput(gy, w, gx, g);
            return;
        }
        if (!pointwise(g)) g.requireColumnsFit("conv2d backward (input) on cpu-vectorized", 1);
        int spatial = g.outH() * g.outW(), patch = g.patchSize(), imageIn = g.cIn() * g.h() * g.w();
        overBlocks(g, (img0, count) -> {
            if (pointwise(g)) {
                // (cIn, cOut) @ (cOut, spatial): W^T times this image's output gradient, straight into gx
                Gemm.gemm(w, 0, gy, img0 * g.cOut() * spatial, gx, img0 * imageIn, patch, spatial, g.cOut(), true, false);
                return;
            }
            int ld = count * spatial;
            float[] gyBlock = scratch(PRODUCTS, g.cOut() * ld), col = scratch(COLUMNS, patch * ld);
            gatherByChannel(gy, img0, count, gyBlock, g);
            // (patch, cOut) @ (cOut, count*spatial)
            Gemm.gemm(w, 0, gyBlock, 0, col, 0, patch, ld, g.cOut(), true, false);
            for (int b = 0; b < count; b++) col2im(col, b * spatial, ld, gx, (img0 + b) * imageIn, g);
        });
    }

    static void backwardWeight(float[] x, float[] gy, float[] gw, float[] gBias, ConvGeometry g) {
        if (ShiftedConv.applies(g)) ShiftedConv.backwardWeight(x, gy, gw, g);
        else im2colWeightGradient(x, gy, gw, g);
        if (gBias != null) biasGradient(gy, gBias, g);
    }

    private static void im2colWeightGradient(float[] x, float[] gy, float[] gw, ConvGeometry g) {
        if (!pointwise(g)) g.requireColumnsFit("conv2d backward (weight) on cpu-vectorized", 1);
        int spatial = g.outH() * g.outW(), patch = g.patchSize(), imageIn = g.cIn() * g.h() * g.w();
        int wSize = g.cOut() * patch, per = pointwise(g) ? 1 : block(g);
        int chunks = Parallel.fixedChunks(g.n(), grain(g), MAX_PARTIALS);
        float[][] partials = new float[chunks][];
        Parallel.forChunks(chunks, Math.min(chunks, Parallel.THREADS), (c0, c1) -> {
            for (int chunk = c0; chunk < c1; chunk++) {
                int i0 = (int) ((long) g.n() * chunk / chunks), i1 = (int) ((long) g.n() * (chunk + 1) / chunks);
                float[] sum = chunk == 0 ? gw : new float[wSize];
                float[] product = new float[wSize];
                Arrays.fill(sum, 0, wSize, 0f);
                for (int img0 = i0; img0 < i1; img0 += per) {
                    int count = Math.min(per, i1 - img0), ld = count * spatial;
                    float[] col = x, gyBlock = gy;
                    int colOff = img0 * imageIn, gyOff = img0 * g.cOut() * spatial;
                    if (!pointwise(g)) {
                        col = scratch(COLUMNS, patch * ld);
                        gyBlock = scratch(PRODUCTS, g.cOut() * ld);
                        colOff = gyOff = 0;
                        for (int b = 0; b < count; b++) im2col(x, (img0 + b) * imageIn, col, b * spatial, ld, g);
                        gatherByChannel(gy, img0, count, gyBlock, g);
                    }
                    // (cOut, count*spatial) @ (count*spatial, patch): the block's output gradient times col^T
                    Gemm.gemm(gyBlock, gyOff, col, colOff, product, 0, g.cOut(), patch, ld, false, true);
                    MapDriver.row(ADD, sum, 0, 1, product, 0, 1, sum, 0, 1, sum, 0, wSize, 0f, 0f, 0f, 0f);
                }
                partials[chunk] = sum;
            }
        });
        for (int chunk = 1; chunk < chunks; chunk++)
            MapDriver.row(ADD, gw, 0, 1, partials[chunk], 0, 1, gw, 0, 1, gw, 0, wSize, 0f, 0f, 0f, 0f);
    }

    private static void biasGradient(float[] gy, float[] gBias, ConvGeometry g) {
        int spatial = g.outH() * g.outW();
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
