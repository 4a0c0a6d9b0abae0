package dev.jgrad.cuda;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import static jcuda.driver.JCudaDriver.CU_MEMHOSTALLOC_DEVICEMAP;
import static jcuda.driver.JCudaDriver.CU_MEMHOSTALLOC_PORTABLE;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemHostGetDevicePointer;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/**
 * {@link CudaDriver} over the real CUDA driver API through JCuda: one GPU, its primary context
 * and one non-blocking stream. Kernels come from the fatbins that native-kernels packs into the
 * jar.
 *
 * <p>JCuda speaks in {@link CUdeviceptr} objects, the seam in plain addresses. Each allocation's
 * pointer object is kept by its base address, and an address inside it becomes
 * {@code base.withByteOffset(address - base)}: exactly how JCuda itself offsets pointers.
 */
final class JCudaDriver implements CudaDriver {
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final StreamHandle stream = new StreamHandle();
    private final String deviceName;
    private final int smCount, driverVersion, computeMajor, computeMinor, sharedPerBlock;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, Function> functions = new HashMap<>();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private final ConcurrentSkipListMap<Long, Allocation<DevPtr>> deviceAllocations = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<Long, Allocation<HostPtr>> hostAllocations = new ConcurrentSkipListMap<>();
    private final JCublas blas = new JCublas();

    private record Allocation<P>(P pointer, long bytes) {}

    private record Function(String name, CUfunction function) implements Kernel {}

    /** CUdeviceptr with its address readable (getNativePointer is protected in JCuda). */
    private static final class DevPtr extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    /** CUstream with its handle readable, for binding cuBLAS through FFM to the same stream. */
    private static final class StreamHandle extends CUstream {
        long address() {
            return getNativePointer();
        }
    }

    private static final class HostPtr extends Pointer {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    private final boolean overEmulation;

    /**
     * Opens device {@code ordinal}; cuInit must have succeeded. {@code overEmulation}: the driver
     * library is native-kernels' shim over the CUDA emulation (tests), not NVIDIA's.
     */
    JCudaDriver(int ordinal, boolean overEmulation) {
        this.overEmulation = overEmulation;
        check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        byte[] name = new byte[256];
        check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        deviceName = new String(name, 0, len, StandardCharsets.US_ASCII);
        smCount = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        computeMajor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        computeMinor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        sharedPerBlock = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK);
        int[] version = new int[1];
        check(cuDriverGetVersion(version), "cuDriverGetVersion");
        driverVersion = version[0];
        check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    }

    private static void check(int code, String what) {
        CudaException.check(code, what);
    }

    private int attribute(int which) {
        int[] v = new int[1];
        check(cuDeviceGetAttribute(v, which, device), "cuDeviceGetAttribute(" + which + ")");
        return v[0];
    }

    @Override public String deviceName() { return deviceName; }
    @Override public int multiprocessors() { return smCount; }
    @Override public int computeMajor() { return computeMajor; }
    @Override public int computeMinor() { return computeMinor; }
    @Override public int driverVersion() { return driverVersion; }
    @Override public int maxSharedPerBlock() { return sharedPerBlock; }
    // Over the emulation, exact allocations, so that the emulation's red zones sit right behind each tensor.
    @Override public long allocationGranularity() { return overEmulation ? 4 : 512; }
    @Override public boolean emulated() { return overEmulation; }
    @Override public String backendName() { return overEmulation ? "cuda (emulated via JCuda)" : "cuda"; }

    @Override
    public void makeCurrent() {
        if (!current.get()) {
            check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            current.set(true);
        }
    }

    // ---------------------------------------------------------------- memory

    @Override
    public long malloc(long bytes) {
        DevPtr p = new DevPtr();
        int code = cuMemAlloc(p, bytes);
        if (code == CUresult.CUDA_ERROR_OUT_OF_MEMORY) return 0;
        check(code, "cuMemAlloc(" + bytes + " bytes)");
        deviceAllocations.put(p.address(), new Allocation<>(p, bytes));
        return p.address();
    }

    @Override
    public void free(long address) {
        Allocation<DevPtr> a = deviceAllocations.remove(address);
        if (a == null) throw new CudaException("cuMemFree: 0x" + Long.toHexString(address) + " is not an allocation");
        check(cuMemFree(a.pointer()), "cuMemFree");
    }

    @Override
    public long mallocHost(long bytes) {
        HostPtr p = new HostPtr();
        check(cuMemHostAlloc(p, bytes, CU_MEMHOSTALLOC_DEVICEMAP | CU_MEMHOSTALLOC_PORTABLE),
                "cuMemHostAlloc(" + bytes + " bytes)");
        hostAllocations.put(p.address(), new Allocation<>(p, bytes));
        return p.address();
    }

    @Override
    public void freeHost(long address) {
        Allocation<HostPtr> a = hostAllocations.remove(address);
        if (a == null) throw new CudaException("cuMemFreeHost: 0x" + Long.toHexString(address) + " is not pinned memory");
        check(cuMemFreeHost(a.pointer()), "cuMemFreeHost");
    }

    @Override
    public long hostDevicePointer(long hostAddress) {
        DevPtr d = new DevPtr();
        check(cuMemHostGetDevicePointer(d, host(hostAddress, 1), 0), "cuMemHostGetDevicePointer");
        return d.address();
    }

    /** The pointer object for device address {@code address}, checked to lie in one allocation. */
    private CUdeviceptr dev(long address, long bytes) {
        var e = deviceAllocations.floorEntry(address);
        if (e == null || address + bytes > e.getKey() + e.getValue().bytes())
            throw new CudaException("0x" + Long.toHexString(address) + " (+" + bytes + " bytes) is not inside a device allocation");
        long off = address - e.getKey();
        return off == 0 ? e.getValue().pointer() : e.getValue().pointer().withByteOffset(off);
    }

    private Pointer host(long address, long bytes) {
        var e = hostAllocations.floorEntry(address);
        if (e == null || address + bytes > e.getKey() + e.getValue().bytes())
            throw new CudaException("0x" + Long.toHexString(address) + " (+" + bytes + " bytes) is not inside pinned host memory");
        long off = address - e.getKey();
        return off == 0 ? e.getValue().pointer() : e.getValue().pointer().withByteOffset(off);
    }

    @Override
    public void copyHtoDAsync(long device, long host, long bytes) {
        check(cuMemcpyHtoDAsync(dev(device, bytes), host(host, bytes), bytes, stream), "cuMemcpyHtoDAsync(" + bytes + " bytes)");
    }

    @Override
    public void copyDtoHAsync(long host, long device, long bytes) {
        check(cuMemcpyDtoHAsync(host(host, bytes), dev(device, bytes), bytes, stream), "cuMemcpyDtoHAsync(" + bytes + " bytes)");
    }

    @Override
    public void copyDtoDAsync(long dst, long src, long bytes) {
        check(cuMemcpyDtoDAsync(dev(dst, bytes), dev(src, bytes), bytes, stream), "cuMemcpyDtoDAsync(" + bytes + " bytes)");
    }

    @Override
    public void memsetD32Async(long device, int value, long count) {
        check(cuMemsetD32Async(dev(device, count * 4), value, count, stream), "cuMemsetD32Async(" + count + ")");
    }

    // ---------------------------------------------------------------- kernels

    @Override
    public synchronized Kernel function(String module, String kernel) {
        String key = module + "/" + kernel;
        Function f = functions.get(key);
        if (f != null) return f;
        CUmodule m = modules.get(module);
        if (m == null) {
            m = new CUmodule();
            check(cuModuleLoadData(m, fatbin(module)), "cuModuleLoadData(" + module + ".fatbin)");
            modules.put(module, m);
        }
        CUfunction fn = new CUfunction();
        check(cuModuleGetFunction(fn, m, kernel), "cuModuleGetFunction(" + key + ")");
        f = new Function(kernel, fn);
        functions.put(key, f);
        return f;
    }

    static byte[] fatbin(String module) {
        String path = "/dev/jgrad/kernels/" + module + ".fatbin";
        try (InputStream in = JCudaDriver.class.getResourceAsStream(path)) {
            if (in == null) throw new CudaException("kernel module " + path + " is not in the jar (built without nvcc?)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CudaException("cannot read " + path + ": " + e.getMessage());
        }
    }

    @Override
    public void launch(Kernel kernel, int[] grid, int[] block, int dynamicSharedBytes, Object[] args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case Long v -> Pointer.to(new long[] {v});
                case Integer v -> Pointer.to(new int[] {v});
                case Float v -> Pointer.to(new float[] {v});
                case int[] struct -> Pointer.to(struct);
                default -> throw new IllegalArgumentException(kernel.name() + ": unsupported kernel argument " + args[i]);
            };
        }
        int code = cuLaunchKernel(((Function) kernel).function(), grid[0], grid[1], grid[2], block[0], block[1], block[2],
                dynamicSharedBytes, stream, Pointer.to(params), null);
        if (code != CUresult.CUDA_SUCCESS) throw new CudaException(CudaRuntime.shape(kernel.name(), grid, block,
                dynamicSharedBytes) + ": cuLaunchKernel failed: " + CUresult.stringFor(code));
    }

    @Override
    public void synchronize() {
        check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    @Override
    public long streamHandle() {
        return stream.address();
    }

    @Override
    public Blas blas() {
        return blas;
    }

    /**
     * cuBLAS, loaded on first use: through JCublas2 where {@code libcublas.so.12} loads, otherwise
     * through FFM ({@link FfmCublas}: CUDA 13's {@code libcublas.so.13} works too). If neither
     * loads, it says why and the hand-written kernels keep working.
     */
    private final class JCublas implements Blas {
        private cublasHandle handle;
        private FfmCublas ffm;
        private String unavailable;
        private boolean tried;

        @Override
        public synchronized String unavailableReason() {
            if (!tried) {
                tried = true;
                String jcublas;
                try {
                    makeCurrent();
                    cublasHandle h = new cublasHandle();
                    int code = JCublas2.cublasCreate(h);
                    if (code != 0) throw new CudaException("cublasCreate returned " + code);
                    code = JCublas2.cublasSetStream(h, new cudaStream_t(stream));
                    if (code != 0) throw new CudaException("cublasSetStream returned " + code);
                    handle = h;
                    return null;
                } catch (UnsatisfiedLinkError | NoClassDefFoundError | CudaException e) {
                    jcublas = linkError(e);
                }
                try {
                    ffm = FfmCublas.load(stream.address());
                } catch (CudaException e) {
                    unavailable = "cuBLAS could not be loaded: through JCublas2 (" + jcublas + "), nor " + e.getMessage();
                }
            }
            return unavailable;
        }

        /** The line that matters of JCuda's loading error (it nests two stack traces in its message). */
        private static String linkError(Throwable e) {
            String m = String.valueOf(e.getMessage()), key = "cannot open shared object file";
            int i = m.indexOf(key);
            if (i > 1) {
                int colon = m.lastIndexOf(':', i - 2);
                int start = colon > 0 ? m.lastIndexOf(' ', colon - 1) + 1 : 0;
                return m.substring(start, i + key.length());
            }
            return m.length() > 300 ? m.substring(0, 300) + "..." : m;
        }

        @Override
        public synchronized String binding() {
            if (unavailableReason() != null) return "none";
            return handle != null ? "JCublas2" : ffm.binding();
        }

        @Override
        public synchronized void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                                     long a, int lda, long strideA, long b, int ldb, long strideB,
                                                     float beta, long c, int ldc, long strideC, int batch) {
            String why = unavailableReason();
            if (why != null) throw new UnsupportedOperationException(why);
            makeCurrent();
            if (handle == null) {
                ffm.sgemmStridedBatched(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc,
                        strideC, batch);
                return;
            }
            int code = JCublas2.cublasSgemmStridedBatched(handle,
                    transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                    transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N, m, n, k,
                    Pointer.to(new float[] {alpha}), dev(a, 4), lda, strideA, dev(b, 4), ldb, strideB,
                    Pointer.to(new float[] {beta}), dev(c, 4), ldc, strideC, batch);
            if (code != 0)
                throw new CudaException("cublasSgemmStridedBatched(m=" + m + ", n=" + n + ", k=" + k + ", batch=" + batch
                        + ") returned " + code);
        }
    }
}
