package dev.jgrad.cuda;

/**
 * The seam between jgrad's CUDA backend and a CUDA driver: the ~20 driver-API calls that
 * {@link CudaRuntime}, {@link CudaBackend} and {@link DeviceAllocator} make, and nothing else.
 * Two implementations exist:
 * <ul>
 *   <li>{@link JCudaDriver}: the real driver API through JCuda, the only one a user ever gets;</li>
 *   <li>{@link EmulatedDriver}: the kernels compiled for the host by native-kernels' CUDA emulation
 *       and called through the FFM API, with "device memory" as native memory. Tests select it
 *       with {@code -Djgrad.cuda.emulate=true}; {@code auto} never does.</li>
 * </ul>
 * Device and pinned host memory are plain 64-bit addresses, so the backend's pointer arithmetic is
 * the same for both. Every call that touches the device is made on the thread's current context:
 * callers call {@link #makeCurrent()} first (the emulated driver enforces this as CUDA does, so a
 * forgotten call fails in CI rather than on a user's GPU). Failures throw {@link CudaException}
 * naming the call.
 */
interface CudaDriver {

    /** A kernel looked up by module and name: what {@link #launch} takes. */
    interface Kernel {
        String name();
    }

    // ---- the device
    String deviceName();

    int multiprocessors();

    int computeMajor();

    int computeMinor();

    int driverVersion();

    /** Shared memory a block may use without opting in (bytes). */
    int maxSharedPerBlock();

    /**
     * The caching allocator rounds every request up to a multiple of this (bytes). The emulated
     * driver says 4, so that every tensor is an exact allocation whose first byte past the end is
     * a red zone the emulation checks.
     */
    long allocationGranularity();

    boolean emulated();

    /** The device's name in jgrad: {@code cuda}, or which emulation it is. */
    String backendName();

    /** Binds the device's context to the calling thread (cheap after the first call per thread). */
    void makeCurrent();

    // ---- memory
    /** Device memory, or 0 when the device is out of memory. */
    long malloc(long bytes);

    void free(long address);

    /** Page-locked host memory that the device can also address (mapped): host address. */
    long mallocHost(long bytes);

    void freeHost(long address);

    /** The device's address of mapped pinned host memory. */
    long hostDevicePointer(long hostAddress);

    // ---- copies and fills, asynchronous on the backend's stream
    void copyHtoDAsync(long device, long host, long bytes);

    void copyDtoHAsync(long host, long device, long bytes);

    void copyDtoDAsync(long dst, long src, long bytes);

    void memsetD32Async(long device, int value, long count);

    // ---- kernels
    /** Loads {@code module} on first use and looks up {@code kernel} in it. */
    Kernel function(String module, String kernel);

    /**
     * Launches on the backend's stream. Arguments are marshalled as the kernel's parameters:
     * {@link Long} (8 bytes: a device address or a {@code long long}), {@link Integer}, {@link Float},
     * or {@code int[]} (a struct of ints passed by value).
     */
    void launch(Kernel kernel, int[] grid, int[] block, int dynamicSharedBytes, Object[] args);

    /** Waits for everything queued on the stream; a kernel fault surfaces here. */
    void synchronize();

    /** cuBLAS, or an emulation of the one call jgrad makes of it. */
    Blas blas();

    /**
     * The CUstream handle every launch and copy goes to, for libraries that queue work on it
     * (NCCL); the emulated driver has none.
     */
    default long streamHandle() {
        throw new UnsupportedOperationException(deviceName() + " has no CUDA stream handle: NCCL needs a real GPU");
    }

    /** Column-major SGEMM, strided-batched, as cuBLAS defines it; device addresses. */
    interface Blas {
        /** Null when usable, otherwise why not. */
        String unavailableReason();

        /** How it is reached, for reports: "JCublas2", "FFM, libcublas.so.13", "emulated …". */
        String binding();

        void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 long a, int lda, long strideA, long b, int ldb, long strideB,
                                 float beta, long c, int ldc, long strideC, int batch);
    }
}
