package dev.jgrad.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link CudaDriver} over native-kernels' CUDA emulation: jgrad's unmodified {@code .cu} files
 * compiled by g++ against a host-emulation header into a shared library, which this class loads
 * through the FFM API and calls by kernel name. "Device memory" is native memory from the
 * emulation's allocator (each allocation exact in size and followed by a red zone, or under
 * AddressSanitizer in the sanitized build), so a kernel or a copy that strays out of bounds fails.
 *
 * <p>It is a test device: selected only by {@code -Djgrad.cuda.emulate=true} with
 * {@code -Djgrad.cuda.emulator.library=<path to libjgrad-cuda-emu*.so>}, never by {@code auto}.
 * It behaves as the driver does where a host program can tell: launch limits, a context that must
 * be current on the calling thread, copies that must stay inside allocations. It differs in that
 * every call runs synchronously, so a kernel's failure is thrown by its launch, not at the next
 * synchronization. What the emulation cannot catch (timing, the GPU memory model, stream
 * concurrency, GPU math) is listed in native-kernels/src/test/emu/jgemu.h.
 */
final class EmulatedDriver implements CudaDriver {
    /** The whole address space, for reading and writing "device" memory from Java (emulated cuBLAS). */
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final Path library;
    private final MethodHandle find, launch, malloc, free, multiprocessors, maxShared, paramCount;
    private final int smCount, sharedPerBlock;
    private final Map<String, Handle> kernels = new HashMap<>();
    private final ConcurrentSkipListMap<Long, Long> allocations = new ConcurrentSkipListMap<>();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private final Blas blas = new JavaBlas();

    private record Handle(String name, long handle, int params) implements Kernel {}

    /** Loads the emulation library at {@code library}. */
    EmulatedDriver(Path library) {
        if (!Files.isRegularFile(library))
            throw new CudaException("the CUDA emulation library " + library + " does not exist (built by native-kernels: "
                    + "mvn -pl native-kernels process-classes)");
        this.library = library;
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(library, Arena.global());
        find = handle(linker, lib, "jgemu_find", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS));
        launch = handle(linker, lib, "jgemu_launch", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
        malloc = handle(linker, lib, "jgemu_malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
        free = handle(linker, lib, "jgemu_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        multiprocessors = handle(linker, lib, "jgemu_multiprocessors", FunctionDescriptor.of(JAVA_INT));
        maxShared = handle(linker, lib, "jgemu_max_shared_bytes", FunctionDescriptor.of(JAVA_INT));
        paramCount = handle(linker, lib, "jgemu_kernel_param_count", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        try {
            smCount = (int) multiprocessors.invokeExact();
            sharedPerBlock = (int) maxShared.invokeExact();
        } catch (Throwable t) {
            throw new CudaException("the CUDA emulation library " + library + " failed: " + t);
        }
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lib.find(name).orElseThrow(
                () -> new CudaException("the CUDA emulation library has no symbol " + name));
        return linker.downcallHandle(symbol, fd);
    }

    @Override public String deviceName() { return "CUDA emulation on the host CPU (" + library.getFileName() + ")"; }
    @Override public int multiprocessors() { return smCount; }
    @Override public int computeMajor() { return 9; }
    @Override public int computeMinor() { return 0; }
    @Override public int driverVersion() { return 0; }
    @Override public int maxSharedPerBlock() { return sharedPerBlock; }
    @Override public long allocationGranularity() { return 4; }
    @Override public boolean emulated() { return true; }
    @Override public String backendName() { return "cuda (emulated)"; }

    @Override
    public void makeCurrent() {
        current.set(true);
    }

    /** CUDA fails a call made without a current context; so does the emulation. */
    private void requireContext(String call) {
        if (!current.get())
            throw new CudaException(call + " failed: CUDA_ERROR_INVALID_CONTEXT (no context is current on thread '"
                    + Thread.currentThread().getName() + "')");
    }

    // ---------------------------------------------------------------- memory

    @Override
    public long malloc(long bytes) {
        requireContext("cuMemAlloc");
        try {
            long address = ((MemorySegment) malloc.invokeExact(bytes)).address();
            if (address != 0) allocations.put(address, bytes);
            return address;
        } catch (Throwable t) {
            throw rethrow("cuMemAlloc", t);
        }
    }

    @Override
    public void free(long address) {
        requireContext("cuMemFree");
        if (allocations.remove(address) == null)
            throw new CudaException("cuMemFree: 0x" + Long.toHexString(address) + " is not an allocation");
        try {
            int code = (int) free.invokeExact(MemorySegment.ofAddress(address));
            if (code != 0) throw new CudaException("cuMemFree: the emulation rejected 0x" + Long.toHexString(address));
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow("cuMemFree", t);
        }
    }

    // Pinned host memory is ordinary memory of the same allocator: host and device share one
    // address space here, so the mapped device pointer is the host address.
    @Override
    public long mallocHost(long bytes) {
        long a = malloc(bytes);
        if (a == 0) throw new CudaException("cuMemHostAlloc(" + bytes + " bytes) failed: out of memory");
        return a;
    }

    @Override
    public void freeHost(long address) {
        free(address);
    }

    @Override
    public long hostDevicePointer(long hostAddress) {
        check(hostAddress, 1, "cuMemHostGetDevicePointer");
        return hostAddress;
    }

    private void check(long address, long bytes, String call) {
        var e = allocations.floorEntry(address);
        if (e == null || address + bytes > e.getKey() + e.getValue())
            throw new CudaException(call + " failed: CUDA_ERROR_INVALID_VALUE (0x" + Long.toHexString(address) + " + "
                    + bytes + " bytes is not inside one allocation)");
    }

    @Override
    public void copyHtoDAsync(long device, long host, long bytes) {
        copy(device, host, bytes, "cuMemcpyHtoDAsync");
    }

    @Override
    public void copyDtoHAsync(long host, long device, long bytes) {
        copy(host, device, bytes, "cuMemcpyDtoHAsync");
    }

    @Override
    public void copyDtoDAsync(long dst, long src, long bytes) {
        copy(dst, src, bytes, "cuMemcpyDtoDAsync");
    }

    private void copy(long dst, long src, long bytes, String call) {
        requireContext(call);
        if (bytes == 0) return;
        check(dst, bytes, call);
        check(src, bytes, call);
        MemorySegment.copy(ALL, src, ALL, dst, bytes);
    }

    @Override
    public void memsetD32Async(long device, int value, long count) {
        requireContext("cuMemsetD32Async");
        if (count == 0) return;
        check(device, count * 4, "cuMemsetD32Async");
        ALL.asSlice(device, count * 4).fill((byte) 0);
        if (value != 0) for (long i = 0; i < count; i++) ALL.set(ValueLayout.JAVA_INT_UNALIGNED, device + 4 * i, value);
    }

    // ---------------------------------------------------------------- kernels

    @Override
    public synchronized Kernel function(String module, String kernel) {
        requireContext("cuModuleGetFunction");
        String key = module + "/" + kernel;
        Handle h = kernels.get(key);
        if (h != null) return h;
        long handle;
        int params;
        try (Arena arena = Arena.ofConfined()) {
            handle = (long) find.invokeExact(arena.allocateFrom(module), arena.allocateFrom(kernel));
            params = handle < 0 ? -1 : (int) paramCount.invokeExact(handle);
        } catch (Throwable t) {
            throw rethrow("cuModuleGetFunction(" + key + ")", t);
        }
        if (handle < 0)
            throw new CudaException("cuModuleGetFunction(" + key + ") failed: CUDA_ERROR_NOT_FOUND (not in " + library + ")");
        h = new Handle(kernel, handle, params);
        kernels.put(key, h);
        return h;
    }

    @Override
    public void launch(Kernel kernel, int[] grid, int[] block, int dynamicSharedBytes, Object[] args) {
        requireContext("cuLaunchKernel");
        Handle h = (Handle) kernel;
        // The driver cannot tell a missing argument (the kernel would read past the parameter
        // array); the emulation knows each kernel's signature, so a host-side mismatch fails here.
        if (args.length != h.params())
            throw new CudaException(CudaRuntime.shape(kernel.name(), grid, block, dynamicSharedBytes) + ": "
                    + args.length + " arguments for a kernel of " + h.params() + " parameters");
        int code;
        String message;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(ADDRESS, Math.max(1, args.length));
            for (int i = 0; i < args.length; i++) {
                MemorySegment value = switch (args[i]) {
                    case Long v -> arena.allocateFrom(JAVA_LONG, v);
                    case Integer v -> arena.allocateFrom(JAVA_INT, v);
                    case Float v -> arena.allocateFrom(ValueLayout.JAVA_FLOAT, v);
                    case int[] struct -> arena.allocateFrom(JAVA_INT, struct);
                    default -> throw new IllegalArgumentException(kernel.name() + ": unsupported kernel argument " + args[i]);
                };
                params.setAtIndex(ADDRESS, i, value);
            }
            MemorySegment err = arena.allocate(2048);
            code = (int) launch.invokeExact(h.handle(), grid[0], grid[1], grid[2], block[0], block[1], block[2],
                    (long) dynamicSharedBytes, params, err, err.byteSize());
            message = err.getString(0);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow("cuLaunchKernel(" + kernel.name() + ")", t);
        }
        String shape = CudaRuntime.shape(kernel.name(), grid, block, dynamicSharedBytes);
        if (code == 1) throw new CudaException(shape + ": cuLaunchKernel failed: CUDA_ERROR_INVALID_VALUE (" + message + ")");
        if (code != 0) throw new CudaException(shape + ": the kernel failed in the emulation: " + message);
    }

    @Override
    public void synchronize() {
        requireContext("cuStreamSynchronize");
    }

    @Override
    public Blas blas() {
        return blas;
    }

    private static CudaException rethrow(String what, Throwable t) {
        if (t instanceof CudaException c) return c;
        return new CudaException(what + " failed in the CUDA emulation: " + t);
    }

    /**
     * The one cuBLAS call jgrad makes, written out from its definition (column-major,
     * {@code C = alpha op(A) op(B) + beta C} per batch entry, C not read when beta is 0), so that the
     * backend's row-major-to-column-major mapping, leading dimensions and batch strides run in CI.
     */
    private final class JavaBlas implements Blas {
        @Override
        public String unavailableReason() {
            return null;
        }

        @Override
        public String binding() {
            return "emulated (a Java loop with cuBLAS's semantics)";
        }

        @Override
        public void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                        long a, int lda, long strideA, long b, int ldb, long strideB,
                                        float beta, long c, int ldc, long strideC, int batch) {
            requireContext("cublasSgemmStridedBatched");
            if (lda < Math.max(1, transA ? k : m) || ldb < Math.max(1, transB ? n : k) || ldc < Math.max(1, m))
                throw new CudaException("cublasSgemmStridedBatched: CUBLAS_STATUS_INVALID_VALUE (lda " + lda + ", ldb "
                        + ldb + ", ldc " + ldc + " for m=" + m + ", n=" + n + ", k=" + k + ")");
            for (int q = 0; q < batch; q++) {
                long aq = a + 4L * q * strideA, bq = b + 4L * q * strideB, cq = c + 4L * q * strideC;
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < m; i++) {
                        float acc = 0f;
                        for (int p = 0; p < k; p++) {
                            long ai = transA ? p + (long) i * lda : i + (long) p * lda;
                            long bi = transB ? j + (long) p * ldb : p + (long) j * ldb;
                            acc = Math.fma(read(aq, ai), read(bq, bi), acc);
                        }
                        long ci = i + (long) j * ldc;
                        write(cq, ci, beta == 0f ? alpha * acc : alpha * acc + beta * read(cq, ci));
                    }
            }
        }

        private float read(long base, long index) {
            long at = base + 4 * index;
            check(at, 4, "cublasSgemmStridedBatched (read)");
            return ALL.get(FLOAT, at);
        }

        private void write(long base, long index, float v) {
            long at = base + 4 * index;
            check(at, 4, "cublasSgemmStridedBatched (write)");
            ALL.set(FLOAT, at, v);
        }
    }
}
