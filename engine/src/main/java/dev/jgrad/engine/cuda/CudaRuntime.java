package dev.jgrad.engine.cuda;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/**
 * One GPU seen through the CUDA driver API: its primary context, one stream, the kernel modules
 * loaded from the fatbins that native-kernels packs into the jar, a launcher that checks every
 * result, and pinned staging memory for host-device copies.
 */
final class CudaRuntime {
    final CUdevice device = new CUdevice();
    final CUcontext context = new CUcontext();
    final CUstream stream = new CUstream();
    final String deviceName;
    final int smCount, driverVersion, computeMajor, computeMinor;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private Pointer staging;
    private long stagingBytes;

    /** Opens device {@code ordinal} (cuInit must have succeeded). */
    CudaRuntime(int ordinal) {
        CudaException.check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        byte[] name = new byte[256];
        CudaException.check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        deviceName = new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
        smCount = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        computeMajor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        computeMinor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        int[] version = new int[1];
        CudaException.check(cuDriverGetVersion(version), "cuDriverGetVersion");
        driverVersion = version[0];
        CudaException.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        CudaException.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    }

    private int attribute(int which) {
        int[] v = new int[1];
        CudaException.check(cuDeviceGetAttribute(v, which, device), "cuDeviceGetAttribute(" + which + ")");
        return v[0];
    }

    /** Binds the context to the calling thread (once per thread). */
    void makeCurrent() {
        if (!current.get()) {
            CudaException.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            current.set(true);
        }
    }

    /** The kernel {@code name} from module {@code module} ({@code dev/jgrad/kernels/<module>.fatbin}). */
    synchronized CUfunction function(String module, String name) {
        String key = module + "/" + name;
        CUfunction f = functions.get(key);
        if (f != null) return f;
        CUmodule m = modules.get(module);
        if (m == null) {
            m = new CUmodule();
            CudaException.check(cuModuleLoadData(m, fatbin(module)), "cuModuleLoadData(" + module + ".fatbin)");
            modules.put(module, m);
        }
        f = new CUfunction();
        CudaException.check(cuModuleGetFunction(f, m, name), "cuModuleGetFunction(" + key + ")");
        functions.put(key, f);
        return f;
    }

    static byte[] fatbin(String module) {
        String path = "/dev/jgrad/kernels/" + module + ".fatbin";
        try (InputStream in = CudaRuntime.class.getResourceAsStream(path)) {
            if (in == null) throw new CudaException("kernel module " + path + " is not in the jar (built without nvcc?)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CudaException("cannot read " + path + ": " + e.getMessage());
        }
    }

    /**
     * Launches {@code module/name} on the stream with the given grid and block and checks the
     * result. Arguments: {@link CudaBuffer} or {@link CUdeviceptr} (a device pointer), Integer,
     * Long, Float, or int[] (a struct passed by value).
     */
    void launch(String module, String name, int[] grid, int[] block, Object... args) {
        makeCurrent();
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            params[i] = switch (a) {
                case CudaBuffer b -> Pointer.to(b.ptr);
                case CUdeviceptr p -> Pointer.to(p);
                case Integer v -> Pointer.to(new int[] {v});
                case Long v -> Pointer.to(new long[] {v});
                case Float v -> Pointer.to(new float[] {v});
                case int[] struct -> Pointer.to(struct);
                default -> throw new IllegalArgumentException(name + ": unsupported kernel argument " + a);
            };
        }
        int code = cuLaunchKernel(function(module, name), grid[0], grid[1], grid[2], block[0], block[1], block[2],
                0, stream, Pointer.to(params), null);
        if (code != jcuda.driver.CUresult.CUDA_SUCCESS)
            throw new CudaException("launch of " + name + " with grid " + java.util.Arrays.toString(grid) + ", block "
                    + java.util.Arrays.toString(block) + " failed: " + jcuda.driver.CUresult.stringFor(code));
    }

    /** Blocks until the stream's work is done; a kernel fault surfaces here. */
    void synchronize(String after) {
        makeCurrent();
        CudaException.check(cuStreamSynchronize(stream), "cuStreamSynchronize after " + after);
    }

    private FloatBuffer staging(long bytes) {
        if (bytes > stagingBytes) {
            if (staging != null) cuMemFreeHost(staging);
            long size = Math.max(bytes, 1 << 20);
            staging = new Pointer();
            CudaException.check(cuMemAllocHost(staging, size), "cuMemAllocHost(" + size + ")");
            stagingBytes = size;
        }
        return staging.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Host to device through the pinned staging buffer. */
    synchronized void copyIn(float[] src, int srcOffset, CUdeviceptr dst, int n) {
        if (n == 0) return;
        makeCurrent();
        long bytes = (long) n * Float.BYTES;
        staging(bytes).put(src, srcOffset, n);
        CudaException.check(cuMemcpyHtoDAsync(dst, staging, bytes, stream), "cuMemcpyHtoDAsync(" + bytes + " bytes)");
        synchronize("cuMemcpyHtoDAsync");
    }

    /** Device to host through the pinned staging buffer (waits for all queued work). */
    synchronized void copyOut(CUdeviceptr src, float[] dst, int dstOffset, int n) {
        if (n == 0) return;
        makeCurrent();
        long bytes = (long) n * Float.BYTES;
        FloatBuffer view = staging(bytes);
        CudaException.check(cuMemcpyDtoHAsync(staging, src, bytes, stream), "cuMemcpyDtoHAsync(" + bytes + " bytes)");
        synchronize("cuMemcpyDtoHAsync");
        view.get(dst, dstOffset, n);
    }
}
