package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.MapOps.L;
import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import jdk.incubator.vector.FloatVector;

/**
 * The GEMM micro-kernel and its packing. A packed A panel holds {@link #MR} rows of a
 * {@code (mc, kc)} block interleaved by k ({@code panel[p * MR + i]}); a packed B panel holds
 * {@link #NR} columns of a {@code (kc, nc)} block ({@code panel[p * NR + j]}); short edge panels
 * are padded with zeros so the kernel always computes a full {@code MR x NR} tile.
 */
final class GemmKernel {
    /** Rows of a register tile. */
    static final int MR = 6;
    /** Columns of a register tile: two vectors. */
    static final int NR = 2 * L;

    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    private GemmKernel() {}

    /**
     * Packs {@code A(i0 .. i0+mr, p0 .. p0+kc)} into {@code dst[dOff ...]} as one MR-row panel.
     * {@code A(i, p)} is {@code a[aOff + i*k + p]}, or {@code a[aOff + p*m + i]} when transposed.
     */
    static void packA(float[] a, int aOff, int m, int k, boolean transA, int i0, int mr, int p0, int kc,
                      float[] dst, int dOff) {
        if (transA) {
            for (int p = 0; p < kc; p++) {
                int src = aOff + (p0 + p) * m + i0, d = dOff + p * MR;
                for (int i = 0; i < mr; i++) dst[d + i] = a[src + i];
                for (int i = mr; i < MR; i++) dst[d + i] = 0f;
            }
        } else {
            for (int i = 0; i < mr; i++) {
                int src = aOff + (i0 + i) * k + p0;
                for (int p = 0, d = dOff + i; p < kc; p++, d += MR) dst[d] = a[src + p];
            }
            for (int i = mr; i < MR; i++)
                for (int p = 0, d = dOff + i; p < kc; p++, d += MR) dst[d] = 0f;
        }
    }

    /**
     * Packs {@code B(p0 .. p0+kc, j0 .. j0+nr)} into one NR-column panel. {@code B(p, j)} is
     * {@code b[bOff + p*n + j]}, or {@code b[bOff + j*k + p]} when transposed.
     */
    static void packB(float[] b, int bOff, int n, int k, boolean transB, int j0, int nr, int p0, int kc,
                      float[] dst, int dOff) {
        if (transB) {
            for (int j = 0; j < nr; j++) {
                int src = bOff + (j0 + j) * k + p0;
                for (int p = 0, d = dOff + j; p < kc; p++, d += NR) dst[d] = b[src + p];
            }
            for (int j = nr; j < NR; j++)
                for (int p = 0, d = dOff + j; p < kc; p++, d += NR) dst[d] = 0f;
        } else {
            for (int p = 0; p < kc; p++) {
                int src = bOff + (p0 + p) * n + j0, d = dOff + p * NR;
                System.arraycopy(b, src, dst, d, nr);
                for (int j = nr; j < NR; j++) dst[d + j] = 0f;
            }
        }
    }

    /**
     * {@code C(0..mr, 0..nr) (+)= Apanel @ Bpanel} over {@code kc}: the C tile starts at
     * {@code c[cOff]} with row stride {@code ldc}; {@code overwrite} for the first k block.
     */
    static void tile(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int cOff, int ldc,
                     int mr, int nr, boolean overwrite) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int p = 0; p < kc; p++, ao += MR, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a = FloatVector.broadcast(S, ap[ao]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        // The epilogue is written out row by row: a helper taking vectors would box them when it
        // is not inlined.
        if (mr == MR && nr == NR) {
            if (!overwrite) {
                c00 = c00.add(FloatVector.fromArray(S, c, cOff));
                c01 = c01.add(FloatVector.fromArray(S, c, cOff + L));
                c10 = c10.add(FloatVector.fromArray(S, c, cOff + ldc));
                c11 = c11.add(FloatVector.fromArray(S, c, cOff + ldc + L));
                c20 = c20.add(FloatVector.fromArray(S, c, cOff + 2 * ldc));
                c21 = c21.add(FloatVector.fromArray(S, c, cOff + 2 * ldc + L));
                c30 = c30.add(FloatVector.fromArray(S, c, cOff + 3 * ldc));
                c31 = c31.add(FloatVector.fromArray(S, c, cOff + 3 * ldc + L));
                c40 = c40.add(FloatVector.fromArray(S, c, cOff + 4 * ldc));
                c41 = c41.add(FloatVector.fromArray(S, c, cOff + 4 * ldc + L));
                c50 = c50.add(FloatVector.fromArray(S, c, cOff + 5 * ldc));
                c51 = c51.add(FloatVector.fromArray(S, c, cOff + 5 * ldc + L));
            }
            c00.intoArray(c, cOff);
            c01.intoArray(c, cOff + L);
            c10.intoArray(c, cOff + ldc);
            c11.intoArray(c, cOff + ldc + L);
            c20.intoArray(c, cOff + 2 * ldc);
            c21.intoArray(c, cOff + 2 * ldc + L);
            c30.intoArray(c, cOff + 3 * ldc);
            c31.intoArray(c, cOff + 3 * ldc + L);
            c40.intoArray(c, cOff + 4 * ldc);
            c41.intoArray(c, cOff + 4 * ldc + L);
            c50.intoArray(c, cOff + 5 * ldc);
            c51.intoArray(c, cOff + 5 * ldc + L);
            return;
        }
        // Edge tile: go through a small row-major scratch tile, then copy the valid part.
        float[] t = EDGE.get();
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + L);
        for (int i = 0; i < mr; i++) {
            int row = cOff + i * ldc, src = i * NR;
            if (overwrite) System.arraycopy(t, src, c, row, nr);
            else for (int j = 0; j < nr; j++) c[row + j] += t[src + j];
        }
    }

}
