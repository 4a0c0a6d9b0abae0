package dev.jgrad.engine.cuda;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/**
 * cuBLAS SGEMM through JCublas2: the baseline the hand-written kernels are measured against. It
 * loads lazily and independently of the hand path: if {@code libcublas.so.12} cannot be loaded
 * (a machine with only CUDA 13's libcublas.so.13), {@link #unavailableReason()} says why and the
 * hand-written kernels keep working.
 */
final class Cublas {
    private final CudaRuntime rt;
    private cublasHandle handle;
    private String unavailable;
    private boolean tried;

    Cublas(CudaRuntime rt) {
        this.rt = rt;
    }

    /** Null when cuBLAS is loaded and ready, otherwise why it is not. */
    synchronized String unavailableReason() {
        if (!tried) {
            tried = true;
            try {
                rt.makeCurrent();
                cublasHandle h = new cublasHandle();
                int code = JCublas2.cublasCreate(h);
                if (code != 0) throw new CudaException("cublasCreate returned " + code);
                code = JCublas2.cublasSetStream(h, new cudaStream_t(rt.stream));
                if (code != 0) throw new CudaException("cublasSetStream returned " + code);
                handle = h;
            } catch (UnsatisfiedLinkError | NoClassDefFoundError | CudaException e) {
                unavailable = "cuBLAS could not be loaded: " + e.getMessage();
            }
        }
        return unavailable;
    }

    /**
     * Row-major {@code C = op(A) op(B)}, batched, computed as the column-major product
     * {@code C^T = op(B)^T op(A)^T}, which is the same memory.
     */
    synchronized void sgemm(CudaBuffer a, CudaBuffer b, CudaBuffer c, int batch, int m, int n, int k,
                            boolean transA, boolean transB, int aBatchStride, int bBatchStride) {
        String why = unavailableReason();
        if (why != null) throw new UnsupportedOperationException(why);
        rt.makeCurrent();
        int opA = transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opB = transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int lda = transA ? m : k, ldb = transB ? k : n;
        int code = JCublas2.cublasSgemmStridedBatched(handle, opB, opA, n, m, k,
                Pointer.to(new float[] {1f}), b.ptr, ldb, bBatchStride, a.ptr, lda, aBatchStride,
                Pointer.to(new float[] {0f}), c.ptr, n, (long) m * n, batch);
        if (code != 0)
            throw new CudaException("cublasSgemmStridedBatched(m=" + m + ", n=" + n + ", k=" + k + ", batch=" + batch
                    + ") returned " + code);
    }
}
