package dev.jgrad.engine.cpu.looped;

import dev.jgrad.engine.ConvGeometry;

/**
 * Convolution as im2col + GEMM, one image at a time. The column matrix of one image is
 * {@code (cIn*kh*kw, outH*outW)}: row {@code (ci, ky, kx)} holds the input pixel that kernel tap
 * sees at every output position (zero where it falls in the padding).
 */
final class Conv {
    private Conv() {}

    static void im2col(float[] x, int xOff, float[] col, ConvGeometry g) {
        int outH = g.outH(), outW = g.outW();
        for (int ci = 0; ci < g.cIn(); ci++)
            for (int ky = 0; ky < g.kh(); ky++)
                for (int kx = 0; kx < g.kw(); kx++) {
                    int row = (ci * g.kh() + ky) * g.kw() + kx;
                    for (int oy = 0; oy < outH; oy++)
                        for (int ox = 0; ox < outW; ox++) {
                            int iy = oy * g.strideH() - g.padH() + ky;
                            int ix = ox * g.strideW() - g.padW() + kx;
                            boolean inside = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
                            col[(row * outH + oy) * outW + ox] =
                                    inside ? x[xOff + (ci * g.h() + iy) * g.w() + ix] : 0f;
                        }
                }
    }

    /** The adjoint of {@link #im2col}: adds every column entry back onto its input pixel. */
    static void col2im(float[] col, float[] gx, int gxOff, ConvGeometry g) {
        int outH = g.outH(), outW = g.outW();
        java.util.Arrays.fill(gx, gxOff, gxOff + g.cIn() * g.h() * g.w(), 0f);
        for (int ci = 0; ci < g.cIn(); ci++)
            for (int ky = 0; ky < g.kh(); ky++)
                for (int kx = 0; kx < g.kw(); kx++) {
                    int row = (ci * g.kh() + ky) * g.kw() + kx;
                    for (int oy = 0; oy < outH; oy++)
                        for (int ox = 0; ox < outW; ox++) {
                            int iy = oy * g.strideH() - g.padH() + ky;
                            int ix = ox * g.strideW() - g.padW() + kx;
                            if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w())
                                gx[gxOff + (ci * g.h() + iy) * g.w() + ix] += col[(row * outH + oy) * outW + ox];
                        }
                }
    }

    static void forward(float[] x, float[] w, float[] bias, float[] out, ConvGeometry g) {
        g.requireColumnsFit("conv2d on cpu-looped", 1);
        int spatial = g.outH() * g.outW();
        float[] col = new float[g.patchSize() * spatial];
        for (int img = 0; img < g.n(); img++) {
            im2col(x, img * g.cIn() * g.h() * g.w(), col, g);
            int outOff = img * g.cOut() * spatial;
            // (cOut, patch) @ (patch, spatial)
            Gemm.gemm(w, 0, col, 0, out, outOff, g.cOut(), spatial, g.patchSize(), false, false);
            if (bias != null)
                for (int co = 0; co < g.cOut(); co++)
                    for (int s = 0; s < spatial; s++) out[outOff + co * spatial + s] += bias[co];
        }
    }

    static void backwardInput(float[] gy, float[] w, float[] gx, ConvGeometry g) {
        g.requireColumnsFit("conv2d backward (input) on cpu-looped", 1);
        int spatial = g.outH() * g.outW();
        float[] col = new float[g.patchSize() * spatial];
        for (int img = 0; img < g.n(); img++) {
            // (patch, cOut) @ (cOut, spatial): W^T times this image's output gradient
            Gemm.gemm(w, 0, gy, img * g.cOut() * spatial, col, 0, g.patchSize(), spatial, g.cOut(), true, false);
            col2im(col, gx, img * g.cIn() * g.h() * g.w(), g);
        }
    }

    static void backwardWeight(float[] x, float[] gy, float[] gw, float[] gBias, ConvGeometry g) {
        g.requireColumnsFit("conv2d backward (weight) on cpu-looped", 1);
        int spatial = g.outH() * g.outW();
        int wSize = g.cOut() * g.patchSize();
        float[] col = new float[g.patchSize() * spatial];
        float[] partial = new float[wSize];
        java.util.Arrays.fill(gw, 0, wSize, 0f);
        for (int img = 0; img < g.n(); img++) {
            im2col(x, img * g.cIn() * g.h() * g.w(), col, g);
            // (cOut, spatial) @ (spatial, patch): this image's output gradient times col^T
            Gemm.gemm(gy, img * g.cOut() * spatial, col, 0, partial, 0, g.cOut(), g.patchSize(), spatial, false, true);
            for (int i = 0; i < wSize; i++) gw[i] += partial[i];
        }
        if (gBias != null) {
            for (int co = 0; co < g.cOut(); co++) {
                float sum = 0f;
                for (int img = 0; img < g.n(); img++)
                    for (int s = 0; s < spatial; s++) sum += gy[(img * g.cOut() + co) * spatial + s];
                gBias[co] = sum;
            }
        }
    }
}
