package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.MapOps.L;
import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import dev.jgrad.engine.ConvGeometry;
import dev.jgrad.engine.Shapes;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Stride-1 convolution without im2col. Copy an image into a zero-padded buffer {@code P} of
 * {@code cIn} planes, each {@code hp x wp} ({@code hp = h + 2 padH}, {@code wp = w + 2 padW}), and
 * compute the output over the padded width: output pixel {@code j = oy*wp + ox} of channel
 * {@code co} is {@code sum over taps t = (ci, ky, kx) of W[co, t] * P[j + shift(t)]}, with
 * {@code shift(t) = ci*hp*wp + ky*wp + kx}. Each tap's inputs are one contiguous run of {@code P},
 * so the im2col matrix's row {@code t} is {@code P} itself read from {@code shift(t)}: the kernel
 * loads it in place instead of copying it. The price is the {@code wp - outW} columns per output
 * row that land past the row's end; they are computed and dropped. LeNet's layers spend 12% and
 * 29% of their FLOPs there; im2col, which this replaces, took 60% of their time.
 *
 * <p>The input gradient of a stride-1 convolution is itself such a convolution (of the output
 * gradient, padded by {@code k - 1 - pad}, with the weight flipped and its channels swapped), and
 * the weight gradient is a product of the output gradient with the same shifted rows.
 */
final class ShiftedConv {
    /** Output channels of a register tile. */
    private static final int MR = 8;
    /** Output pixels of a register tile: three vectors. */
    private static final int NC = 3 * L;

    private static final ThreadLocal<float[]> PADDED = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TILE_ROWS = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> GRADIENTS = ThreadLocal.withInitial(() -> new float[0]);
    /** Channels and taps of a weight-gradient register tile. */
    private static final int GR = 4;
    /** A weight-gradient block's padded images and output gradients hold about this many floats (512 KB). */
    private static final int BLOCK_FLOATS = 1 << 17;
    /**
     * Most partial weight gradients a backward pass keeps (images are cut into this many chunks
     * at most, by size alone, and the partials added in chunk order): the same bits at any
     * thread count, and all the parallelism a machine of up to this many cores can use.
     */
    private static final int MAX_PARTIALS = 16;

    private ShiftedConv() {}

    /**
     * Whether this path computes {@code g}: stride 1, at most half of the padded width wasted,
     * and a tap count whose shifted rows for one tile stay in the L2 cache.
     */
    static boolean applies(ConvGeometry g) {
        int wp = g.w() + 2 * g.padW();
        return g.strideH() == 1 && g.strideW() == 1 && 2 * g.outW() >= wp && g.patchSize() <= 2048
                && !(g.kh() == 1 && g.kw() == 1 && g.padH() == 0 && g.padW() == 0)
                // its padded copy of an image must fit an int-indexed array (else im2col, which checks its own)
                && (long) g.cIn() * (g.h() + 2L * g.padH()) * (g.w() + 2L * g.padW()) + g.kw() + NC <= Shapes.MAX_ELEMENTS;
    }

    /** Whether the input gradient can be computed as a stride-1 convolution here. */
    static boolean appliesToInputGradient(ConvGeometry g) {
        return applies(g) && g.padH() < g.kh() && g.padW() < g.kw() && applies(inputGradientGeometry(g));
    }

    private static ConvGeometry inputGradientGeometry(ConvGeometry g) {
        return new ConvGeometry(g.n(), g.cOut(), g.outH(), g.outW(), g.cIn(), g.kh(), g.kw(), 1, 1,
                g.kh() - 1 - g.padH(), g.kw() - 1 - g.padW());
    }

    private static float[] scratch(ThreadLocal<float[]> holder, int size) {
        float[] s = holder.get();
        if (s.length < size) holder.set(s = new float[size]);
        return s;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Pixels computed per image and channel: the output rows over the padded width, rounded up to whole vectors. */
    private static int computed(ConvGeometry g, int multiple) {
        int wp = g.w() + 2 * g.padW();
        return ceilDiv(g.outH() * wp, multiple) * multiple;
    }

    /** Floats of one padded image, with room after it for the reads of the last (partly dropped) tile. */
    private static int paddedSize(ConvGeometry g) {
        int hp = g.h() + 2 * g.padH(), wp = g.w() + 2 * g.padW();
        return g.cIn() * hp * wp + g.kw() + NC;
    }

    /** Copies image {@code x[xOff ...]} into {@code p[pOff ...]}, zero-padded (see {@link #paddedSize}). */
    private static void pad(float[] x, int xOff, float[] p, int pOff, ConvGeometry g) {
        int h = g.h(), w = g.w(), hp = h + 2 * g.padH(), wp = w + 2 * g.padW();
        Arrays.fill(p, pOff, pOff + paddedSize(g), 0f);
        for (int ci = 0; ci < g.cIn(); ci++)
            for (int y = 0; y < h; y++)
                System.arraycopy(x, xOff + (ci * h + y) * w, p, pOff + (ci * hp + y + g.padH()) * wp + g.padW(), w);
    }

    /** {@code shift(t)} of every tap, in the weight's (ci, ky, kx) order. */
    private static int[] shifts(ConvGeometry g) {
        int hp = g.h() + 2 * g.padH(), wp = g.w() + 2 * g.padW();
        int[] shift = new int[g.patchSize()];
        for (int ci = 0, t = 0; ci < g.cIn(); ci++)
            for (int ky = 0; ky < g.kh(); ky++)
                for (int kx = 0; kx < g.kw(); kx++) shift[t++] = (ci * hp + ky) * wp + kx;
        return shift;
    }

    /**
     * The weight {@code (cOut, taps)} packed for the kernel: block {@code b} of {@link #MR}
     * channels at {@code b * taps * MR}, tap-major ({@code [t * MR + r]}), missing channels zero.
     */
    private static float[] packWeight(float[] w, int cOut, int taps) {
        int blocks = ceilDiv(cOut, MR);
        float[] packed = new float[blocks * taps * MR];
        for (int co = 0; co < cOut; co++) {
            int base = (co / MR) * taps * MR + co % MR;
            for (int t = 0; t < taps; t++) packed[base + t * MR] = w[co * taps + t];
        }
        return packed;
    }

    static void forward(float[] x, float[] w, float[] bias, float[] out, ConvGeometry g) {
        int taps = g.patchSize(), cOut = g.cOut(), outH = g.outH(), outW = g.outW();
        int wp = g.w() + 2 * g.padW(), imageIn = g.cIn() * g.h() * g.w(), spatial = outH * outW;
        int cols = computed(g, NC);
        // MR-channel tiles while at least half a tile's channels remain; the last 1 to 3
        // channels (an RGB input's gradient, say) one at a time rather than mostly zeros
        int blocks = cOut / MR + (cOut % MR >= MR / 2 ? 1 : 0), single = Math.min(cOut, blocks * MR);
        float[] packed = packWeight(w, cOut, taps);
        int[] shift = shifts(g);
        long flopsPerImage = 2L * cOut * taps * cols;
        Parallel.parallelFor(g.n(), (int) Math.max(1, (1L << 20) / flopsPerImage), (i0, i1) -> {
            float[] p = scratch(PADDED, paddedSize(g)), rows = scratch(TILE_ROWS, MR * cols);
            for (int img = i0; img < i1; img++) {
                pad(x, img * imageIn, p, 0, g);
                for (int b = 0; b < blocks; b++) {
                    for (int j = 0; j < cols; j += NC) tile(p, j, shift, packed, b * taps * MR, taps, rows, j, cols);
                    for (int r = 0, co = b * MR; r < MR && co < cOut; r++, co++)
                        keep(rows, r * cols, out, (img * cOut + co) * spatial, bias == null ? 0f : bias[co], g);
                }
                for (int co = single; co < cOut; co++) {
                    for (int j = 0; j < cols; j += NC) row(p, j, shift, w, co * taps, taps, rows, j);
                    keep(rows, 0, out, (img * cOut + co) * spatial, bias == null ? 0f : bias[co], g);
                }
            }
        });
    }

    /** Copies the valid {@code outW} columns of each output row of one channel, adding the bias. */
    private static void keep(float[] rows, int src, float[] out, int dst, float bias, ConvGeometry g) {
        int outH = g.outH(), outW = g.outW(), wp = g.w() + 2 * g.padW();
        for (int oy = 0; oy < outH; oy++, src += wp, dst += outW)
            for (int ox = 0; ox < outW; ox++) out[dst + ox] = rows[src + ox] + bias;
    }

    /** {@code rows[j0 ...]} = NC pixels from {@code j0} of the one channel whose weights start at {@code w[wOff]}. */
    private static void row(float[] p, int j0, int[] shift, float[] w, int wOff, int taps, float[] rows, int r0) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0;
        for (int t = 0; t < taps; t++) {
            int src = j0 + shift[t];
            FloatVector a = FloatVector.broadcast(S, w[wOff + t]);
            c0 = a.fma(FloatVector.fromArray(S, p, src), c0);
            c1 = a.fma(FloatVector.fromArray(S, p, src + L), c1);
            c2 = a.fma(FloatVector.fromArray(S, p, src + 2 * L), c2);
        }
        c0.intoArray(rows, r0);
        c1.intoArray(rows, r0 + L);
        c2.intoArray(rows, r0 + 2 * L);
    }

    /**
     * {@code rows[r * ld + j0 ...]} = one MR x NC tile: for each of its MR channels, NC pixels
     * from {@code j0}, summed over the taps.
     */
    private static void tile(float[] p, int j0, int[] shift, float[] wk, int wOff, int taps,
                             float[] rows, int r0, int ld) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c10 = z, c11 = z, c12 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c30 = z, c31 = z, c32 = z;
        FloatVector c40 = z, c41 = z, c42 = z, c50 = z, c51 = z, c52 = z;
        FloatVector c60 = z, c61 = z, c62 = z, c70 = z, c71 = z, c72 = z;
        for (int t = 0, wo = wOff; t < taps; t++, wo += MR) {
            int src = j0 + shift[t];
            FloatVector x0 = FloatVector.fromArray(S, p, src);
            FloatVector x1 = FloatVector.fromArray(S, p, src + L);
            FloatVector x2 = FloatVector.fromArray(S, p, src + 2 * L);
            FloatVector a = FloatVector.broadcast(S, wk[wo]);
            c00 = a.fma(x0, c00);
            c01 = a.fma(x1, c01);
            c02 = a.fma(x2, c02);
            a = FloatVector.broadcast(S, wk[wo + 1]);
            c10 = a.fma(x0, c10);
            c11 = a.fma(x1, c11);
            c12 = a.fma(x2, c12);
            a = FloatVector.broadcast(S, wk[wo + 2]);
            c20 = a.fma(x0, c20);
            c21 = a.fma(x1, c21);
            c22 = a.fma(x2, c22);
            a = FloatVector.broadcast(S, wk[wo + 3]);
            c30 = a.fma(x0, c30);
            c31 = a.fma(x1, c31);
            c32 = a.fma(x2, c32);
            a = FloatVector.broadcast(S, wk[wo + 4]);
            c40 = a.fma(x0, c40);
            c41 = a.fma(x1, c41);
            c42 = a.fma(x2, c42);
            a = FloatVector.broadcast(S, wk[wo + 5]);
            c50 = a.fma(x0, c50);
            c51 = a.fma(x1, c51);
            c52 = a.fma(x2, c52);
            a = FloatVector.broadcast(S, wk[wo + 6]);
            c60 = a.fma(x0, c60);
            c61 = a.fma(x1, c61);
            c62 = a.fma(x2, c62);
            a = FloatVector.broadcast(S, wk[wo + 7]);
            c70 = a.fma(x0, c70);
            c71 = a.fma(x1, c71);
            c72 = a.fma(x2, c72);
        }
        // written out row by row: a helper taking vectors would box them when it is not inlined
        c00.intoArray(rows, r0);
        c01.intoArray(rows, r0 + L);
        c02.intoArray(rows, r0 + 2 * L);
        c10.intoArray(rows, r0 + ld);
        c11.intoArray(rows, r0 + ld + L);
        c12.intoArray(rows, r0 + ld + 2 * L);
        c20.intoArray(rows, r0 + 2 * ld);
        c21.intoArray(rows, r0 + 2 * ld + L);
        c22.intoArray(rows, r0 + 2 * ld + 2 * L);
        c30.intoArray(rows, r0 + 3 * ld);
        c31.intoArray(rows, r0 + 3 * ld + L);
        c32.intoArray(rows, r0 + 3 * ld + 2 * L);
        c40.intoArray(rows, r0 + 4 * ld);
        c41.intoArray(rows, r0 + 4 * ld + L);
        c42.intoArray(rows, r0 + 4 * ld + 2 * L);
        c50.intoArray(rows, r0 + 5 * ld);
        c51.intoArray(rows, r0 + 5 * ld + L);
        c52.intoArray(rows, r0 + 5 * ld + 2 * L);
        c60.intoArray(rows, r0 + 6 * ld);
        c61.intoArray(rows, r0 + 6 * ld + L);
        c62.intoArray(rows, r0 + 6 * ld + 2 * L);
        c70.intoArray(rows, r0 + 7 * ld);
        c71.intoArray(rows, r0 + 7 * ld + L);
        c72.intoArray(rows, r0 + 7 * ld + 2 * L);
    }

    /**
     * The input gradient as a stride-1 convolution of {@code gy} with the flipped weight
     * {@code W'[ci, co, ky, kx] = W[co, ci, kh-1-ky, kw-1-kx]}, padded by {@code k - 1 - pad}.
     * Only for geometries {@link #appliesToInputGradient} accepts.
     */
    static void backwardInput(float[] gy, float[] w, float[] gx, ConvGeometry g) {
        int kh = g.kh(), kw = g.kw(), cIn = g.cIn(), cOut = g.cOut();
        float[] flipped = new float[w.length];
        for (int co = 0; co < cOut; co++)
            for (int ci = 0; ci < cIn; ci++)
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++)
                        flipped[((ci * cOut + co) * kh + kh - 1 - ky) * kw + kw - 1 - kx] = w[((co * cIn + ci) * kh + ky) * kw + kx];
        forward(gy, flipped, null, gx, inputGradientGeometry(g));
    }

    /**
     * {@code gw[co, t] = sum over images and pixels j of gy[co, j] * P[j + shift(t)]}, with
     * {@code gy} laid out over the padded width (zeros in the dropped columns). Images go in
     * blocks (padded images side by side, output gradients {@code (cOut, block * cols)}); each
     * core sums its images into its own partial gradient.
     */
    static void backwardWeight(float[] x, float[] gy, float[] gw, ConvGeometry g) {
        int taps = g.patchSize(), cOut = g.cOut(), outH = g.outH(), outW = g.outW();
        int wp = g.w() + 2 * g.padW(), imageIn = g.cIn() * g.h() * g.w(), spatial = outH * outW;
        int cols = computed(g, L), padded = paddedSize(g);
        int rowsPad = ceilDiv(cOut, GR) * GR, tapsPad = ceilDiv(taps, GR) * GR;
        // padding taps read the image from shift 0; their sums are dropped
        int[] shift = Arrays.copyOf(shifts(g), tapsPad);
        int per = Math.max(1, Math.min(g.n(), BLOCK_FLOATS / (padded + rowsPad * cols)));
        long flopsPerImage = 2L * rowsPad * tapsPad * cols;
        int chunks = Parallel.fixedChunks(g.n(), (int) Math.max(1, (1L << 20) / flopsPerImage), MAX_PARTIALS);
        float[][] partials = new float[chunks][];
        Parallel.forChunks(chunks, Math.min(chunks, Parallel.THREADS), (c0, c1) -> {
            for (int chunk = c0; chunk < c1; chunk++) {
                int i0 = (int) ((long) g.n() * chunk / chunks), i1 = (int) ((long) g.n() * (chunk + 1) / chunks);
                float[] sum = new float[rowsPad * tapsPad];
                float[] buf = scratch(GRADIENTS, per * (padded + rowsPad * cols));
                int dOff = per * padded, ld = per * cols;
                for (int img0 = i0; img0 < i1; img0 += per) {
                    int count = Math.min(per, i1 - img0);
                    Arrays.fill(buf, dOff, dOff + rowsPad * ld, 0f);
                    for (int b = 0; b < count; b++) {
                        pad(x, (img0 + b) * imageIn, buf, b * padded, g);
                        for (int co = 0; co < cOut; co++) {
                            int src = ((img0 + b) * cOut + co) * spatial, dst = dOff + co * ld + b * cols;
                            for (int oy = 0; oy < outH; oy++)
                                System.arraycopy(gy, src + oy * outW, buf, dst + oy * wp, outW);
                        }
                    }
                    for (int r = 0; r < rowsPad; r += GR)
                        for (int t = 0; t < tapsPad; t += GR)
                            gradientTile(buf, dOff + r * ld, ld, padded, cols, count, shift, t, sum, r * tapsPad + t, tapsPad);
                }
                partials[chunk] = sum;
            }
        });
        for (int co = 0; co < cOut; co++)
            for (int t = 0; t < taps; t++) {
                float s = 0f;
                for (float[] part : partials) s += part[co * tapsPad + t];
                gw[co * taps + t] = s;
            }
    }

    /**
     * Adds one GR x GR tile of the weight gradient to {@code sum[sOff + r * ls + q]}: channels
     * {@code r} (output-gradient rows from {@code d[dOff + r * ld]}) by taps {@code t0 + q}, over
     * {@code count} images ({@code cols} pixels each; padded images {@code padded} floats apart).
     */
    private static void gradientTile(float[] d, int dOff, int ld, int padded, int cols, int count, int[] shift,
                                     int t0, float[] sum, int sOff, int ls) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        int s0 = shift[t0], s1 = shift[t0 + 1], s2 = shift[t0 + 2], s3 = shift[t0 + 3];
        for (int b = 0; b < count; b++) {
            int g0 = dOff + b * cols, p = b * padded;
            for (int j = 0; j < cols; j += L) {
                FloatVector d0 = FloatVector.fromArray(S, d, g0 + j);
                FloatVector d1 = FloatVector.fromArray(S, d, g0 + ld + j);
                FloatVector d2 = FloatVector.fromArray(S, d, g0 + 2 * ld + j);
                FloatVector d3 = FloatVector.fromArray(S, d, g0 + 3 * ld + j);
                FloatVector x = FloatVector.fromArray(S, d, p + s0 + j);
                c00 = d0.fma(x, c00);
                c10 = d1.fma(x, c10);
                c20 = d2.fma(x, c20);
                c30 = d3.fma(x, c30);
                x = FloatVector.fromArray(S, d, p + s1 + j);
                c01 = d0.fma(x, c01);
                c11 = d1.fma(x, c11);
                c21 = d2.fma(x, c21);
                c31 = d3.fma(x, c31);
                x = FloatVector.fromArray(S, d, p + s2 + j);
                c02 = d0.fma(x, c02);
                c12 = d1.fma(x, c12);
                c22 = d2.fma(x, c22);
                c32 = d3.fma(x, c32);
                x = FloatVector.fromArray(S, d, p + s3 + j);
                c03 = d0.fma(x, c03);
                c13 = d1.fma(x, c13);
                c23 = d2.fma(x, c23);
                c33 = d3.fma(x, c33);
            }
        }
        sum[sOff] += LaneMath.sumLanes(c00);
        sum[sOff + 1] += LaneMath.sumLanes(c01);
        sum[sOff + 2] += LaneMath.sumLanes(c02);
        sum[sOff + 3] += LaneMath.sumLanes(c03);
        sum[sOff + ls] += LaneMath.sumLanes(c10);
        sum[sOff + ls + 1] += LaneMath.sumLanes(c11);
        sum[sOff + ls + 2] += LaneMath.sumLanes(c12);
        sum[sOff + ls + 3] += LaneMath.sumLanes(c13);
        sum[sOff + 2 * ls] += LaneMath.sumLanes(c20);
        sum[sOff + 2 * ls + 1] += LaneMath.sumLanes(c21);
        sum[sOff + 2 * ls + 2] += LaneMath.sumLanes(c22);
        sum[sOff + 2 * ls + 3] += LaneMath.sumLanes(c23);
        sum[sOff + 3 * ls] += LaneMath.sumLanes(c30);
        sum[sOff + 3 * ls + 1] += LaneMath.sumLanes(c31);
        sum[sOff + 3 * ls + 2] += LaneMath.sumLanes(c32);
        sum[sOff + 3 * ls + 3] += LaneMath.sumLanes(c33);
    }
}
