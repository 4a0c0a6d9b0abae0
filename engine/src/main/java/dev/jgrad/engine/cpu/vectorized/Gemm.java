package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.GemmKernel.MR;
import static dev.jgrad.engine.cpu.vectorized.GemmKernel.NR;
import static dev.jgrad.engine.cpu.vectorized.MapOps.L;
import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import jdk.incubator.vector.FloatVector;

/**
 * Cache-blocked GEMM {@code C (m, n) = op(A) (m, k) @ op(B) (k, n)} in the classic five-loop
 * shape: for each {@code (NC, KC)} block of B, pack it once (shared, read-only); then tasks of
 * {@code MC} rows (times a column group when rows are few) pack their A block and run the
 * {@link GemmKernel} register tile over it. Small products skip packing.
 */
final class Gemm {
    static final int KC = 256, MC = 96, NC = 2048;
    /** Products with this many rows or fewer read B in place: packing it costs as much as using it m times. */
    static final int FEW_ROWS = 16;
    /** {@code m n k} below which packing costs more than it saves. */
    private static final long SMALL = 1L << 15;

    private static final ThreadLocal<float[]> A_PACK = ThreadLocal.withInitial(() -> new float[MC * KC]);
    /** The calling thread's packed B block, reused across calls: a fresh one per call was ~1 MB of page faults. */
    private static final ThreadLocal<float[]> B_PACK = ThreadLocal.withInitial(() -> new float[0]);

    private Gemm() {}

    static void batched(float[] a, float[] b, float[] c, int batch, int m, int n, int k,
                        boolean transA, boolean transB, int aBatchStride, int bBatchStride) {
        if (batch == 0 || m == 0 || n == 0) return;
        long work = (long) m * n * k;
        if (batch > 1 && work < (1L << 21)) {
            Parallel.parallelFor(batch, (int) Math.max(1, (1L << 18) / Math.max(1, work)), (t0, t1) -> {
                for (int t = t0; t < t1; t++)
                    gemm(a, t * aBatchStride, b, t * bBatchStride, c, t * m * n, m, n, k, transA, transB);
            });
            return;
        }
        for (int t = 0; t < batch; t++)
            gemm(a, t * aBatchStride, b, t * bBatchStride, c, t * m * n, m, n, k, transA, transB);
    }

    /** One product; {@code c[cOff + i*n + j]} is overwritten. */
    static void gemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                     int m, int n, int k, boolean transA, boolean transB) {
        if (k == 0) {
            java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
            return;
        }
        if ((long) m * n * k <= SMALL || m <= 2) {
            direct(a, aOff, b, bOff, c, cOff, m, n, k, transA, transB);
            return;
        }
        if (m <= FEW_ROWS && n >= 4 * L && !transA && !transB) {
            fewRows(a, aOff, b, bOff, c, cOff, m, n, k);
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int panels = (nc + NR - 1) / NR;
            int bSize = panels * NR * Math.min(KC, k);
            float[] bPack = B_PACK.get();
            if (bPack.length < bSize) B_PACK.set(bPack = new float[bSize]);
            float[] bBlock = bPack;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc), p0 = pc, j0 = jc;
                Parallel.parallelFor(panels, Math.max(1, 4096 / kc), (q0, q1) -> {
                    for (int q = q0; q < q1; q++)
                        GemmKernel.packB(b, bOff, n, k, transB, j0 + q * NR, Math.min(NR, nc - q * NR), p0, kc,
                                bBlock, q * kc * NR);
                });
                int rowBlocks = (m + MC - 1) / MC;
                int groups = rowBlocks >= 2 * Parallel.THREADS ? 1 : Math.min(panels, Parallel.THREADS);
                boolean first = pc == 0;
                long flops = 2L * m * nc * kc;
                int tasks = rowBlocks * groups;
                int chunks = flops < (1L << 20) ? 1 : Math.min(tasks, Parallel.THREADS);
                Parallel.forChunks(tasks, chunks, (t0, t1) -> {
                    float[] aPack = A_PACK.get();
                    int packed = -1;
                    for (int t = t0; t < t1; t++) {
                        int block = t / groups, group = t % groups;
                        int ic = block * MC, mc = Math.min(MC, m - ic);
                        if (block != packed) {
                            for (int ir = 0; ir < mc; ir += MR)
                                GemmKernel.packA(a, aOff, m, k, transA, ic + ir, Math.min(MR, mc - ir), p0, kc,
                                        aPack, ir * kc);
                            packed = block;
                        }
                        int q0 = (int) ((long) panels * group / groups), q1 = (int) ((long) panels * (group + 1) / groups);
                        for (int q = q0; q < q1; q++) {
                            int jr = q * NR, nr = Math.min(NR, nc - jr);
                            for (int ir = 0; ir < mc; ir += MR)
                                GemmKernel.tile(aPack, ir * kc, bBlock, q * kc * NR, kc,
                                        c, cOff + (ic + ir) * n + j0 + jr, n, Math.min(MR, mc - ir), nr, first);
                        }
                    }
                });
            }
        }
    }

    /**
     * {@code C = A B} for at most {@link #FEW_ROWS} rows (a convolution's output channels times its
     * column matrix): B is read in place, four vectors of columns at a time, against four rows of A
     * (16 accumulators); column blocks are split across the cores.
     */
    private static void fewRows(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int n, int k) {
        int width = 4 * L, blocks = (n + width - 1) / width;
        Parallel.parallelFor(blocks, (int) Math.max(1, (1L << 16) / ((long) m * k * width)), (j0, j1) -> {
            for (int jb = j0; jb < j1; jb++) {
                int j = jb * width;
                int cols = Math.min(width, n - j), i = 0;
                if (cols == width)
                    for (; i + 4 <= m; i += 4) fourRows(a, aOff + i * k, b, bOff + j, c, cOff + i * n + j, n, k);
                oneRowAtATime(a, aOff + i * k, b, bOff + j, c, cOff + i * n + j, m - i, cols, k, n);
            }
        });
    }

    /** Rows {@code 0..3} of C by columns {@code 0 .. 4L}, with A's rows {@code k} and B's and C's rows {@code ld} apart. */
    private static void fourRows(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ld, int k) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00,
                c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0, br = bOff; p < k; p++, br += ld) {
            FloatVector b0 = FloatVector.fromArray(S, b, br), b1 = FloatVector.fromArray(S, b, br + L),
                    b2 = FloatVector.fromArray(S, b, br + 2 * L), b3 = FloatVector.fromArray(S, b, br + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[aOff + p]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[aOff + k + p]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[aOff + 2 * k + p]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[aOff + 3 * k + p]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L); c02.intoArray(c, cOff + 2 * L); c03.intoArray(c, cOff + 3 * L);
        cOff += ld;
        c10.intoArray(c, cOff); c11.intoArray(c, cOff + L); c12.intoArray(c, cOff + 2 * L); c13.intoArray(c, cOff + 3 * L);
        cOff += ld;
        c20.intoArray(c, cOff); c21.intoArray(c, cOff + L); c22.intoArray(c, cOff + 2 * L); c23.intoArray(c, cOff + 3 * L);
        cOff += ld;
        c30.intoArray(c, cOff); c31.intoArray(c, cOff + L); c32.intoArray(c, cOff + 2 * L); c33.intoArray(c, cOff + 3 * L);
    }

    /** {@code rows x cols} of C, one row at a time; B's and C's rows are {@code ld} apart. */
    private static void oneRowAtATime(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                                      int rows, int cols, int k, int ld) {
        for (int i = 0; i < rows; i++) {
            int row = cOff + i * ld;
            java.util.Arrays.fill(c, row, row + cols, 0f);
            for (int p = 0; p < k; p++) {
                float av = a[aOff + i * k + p];
                FloatVector avv = FloatVector.broadcast(S, av);
                int br = bOff + p * ld, j = 0;
                for (int upper = cols - L; j <= upper; j += L)
                    avv.fma(FloatVector.fromArray(S, b, br + j), FloatVector.fromArray(S, c, row + j)).intoArray(c, row + j);
                for (; j < cols; j++) c[row + j] = Math.fma(av, b[br + j], c[row + j]);
            }
        }
    }

    /**
     * Unpacked loops for small products: rows of C accumulate {@code A(i, p) B(p, :)} when B's
     * rows are contiguous, or are dot products of A and B rows when both are contiguous.
     */
    private static void direct(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                               int m, int n, int k, boolean transA, boolean transB) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * n;
            if (!transB) {
                java.util.Arrays.fill(c, row, row + n, 0f);
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    int br = bOff + p * n, j = 0;
                    FloatVector avv = FloatVector.broadcast(S, av);
                    for (int upper = n - L; j <= upper; j += L)
                        avv.fma(FloatVector.fromArray(S, b, br + j), FloatVector.fromArray(S, c, row + j))
                                .intoArray(c, row + j);
                    for (; j < n; j++) c[row + j] = Math.fma(av, b[br + j], c[row + j]);
                }
            } else if (!transA) {
                for (int j = 0; j < n; j++)
                    c[row + j] = ReduceDriver.row(ReduceDriver.DOT, a, aOff + i * k, b, bOff + j * k, k, 0f);
            } else {
                for (int j = 0; j < n; j++) {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) sum = Math.fma(a[aOff + p * m + i], b[bOff + j * k + p], sum);
                    c[row + j] = sum;
                }
            }
        }
    }
}
