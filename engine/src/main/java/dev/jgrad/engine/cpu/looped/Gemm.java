package dev.jgrad.engine.cpu.looped;

/** The textbook triple loop: each output element is one dot product. */
final class Gemm {
    private Gemm() {}

    /**
     * {@code c[cOff + i*n + j] = sum_p A(i, p) B(p, j)} where A is {@code (m, k)} read from
     * {@code a[aOff...]} (stored transposed when {@code transA}) and B is {@code (k, n)}
     * likewise.
     */
    static void gemm(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                     int m, int n, int k, boolean transA, boolean transB) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    float bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    sum += av * bv;
                }
                c[cOff + i * n + j] = sum;
            }
        }
    }

    static void batched(float[] a, float[] b, float[] c, int batch, int m, int n, int k,
                        boolean transA, boolean transB, int aBatchStride, int bBatchStride) {
        for (int t = 0; t < batch; t++)
            gemm(a, t * aBatchStride, b, t * bBatchStride, c, t * m * n, m, n, k, transA, transB);
    }
}
