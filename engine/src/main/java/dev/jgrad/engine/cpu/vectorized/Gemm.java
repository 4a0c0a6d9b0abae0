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
    /** {@code m n k} below which packing costs more than it saves. */
    private static final long SMALL = 1L << 15;

    private static final ThreadLocal<float[]> A_PACK = ThreadLocal.withInitial(() -> new float[MC * KC]);

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
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int panels = (nc + NR - 1) / NR;
            float[] bPack = new float[panels * NR * Math.min(KC, k)];
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc), p0 = pc, j0 = jc;
                Parallel.parallelFor(panels, Math.max(1, 4096 / kc), (q0, q1) -> {
                    for (int q = q0; q < q1; q++)
                        GemmKernel.packB(b, bOff, n, k, transB, j0 + q * NR, Math.min(NR, nc - q * NR), p0, kc,
                                bPack, q * kc * NR);
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
                                GemmKernel.tile(aPack, ir * kc, bPack, q * kc * NR, kc,
                                        c, cOff + (ic + ir) * n + j0 + jr, n, Math.min(MR, mc - ir), nr, first);
                        }
                    }
                });
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
