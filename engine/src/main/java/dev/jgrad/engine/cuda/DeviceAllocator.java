package dev.jgrad.engine.cuda;

import jcuda.driver.CUdeviceptr;

import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

/**
 * A caching device allocator: freed blocks go to a free list keyed by their rounded size and are
 * handed out again, so a training loop that repeats the same shapes stops calling cuMemAlloc after
 * its first steps. Sizes round up to 512 bytes below 1 MiB and to 2 MiB above. When cuMemAlloc
 * runs out of memory, the cache is released and the allocation retried once. A Cleaner returns the
 * memory of buffers that were never freed explicitly (the backstop, not the plan).
 */
final class DeviceAllocator {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long SMALL = 1 << 20, SMALL_UNIT = 512, LARGE_UNIT = 2 << 20;

    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
    private long reservedBytes, inUseBytes, cachedBytes, cudaMallocs;

    static long rounded(long bytes) {
        long b = Math.max(bytes, 4);
        long unit = b < SMALL ? SMALL_UNIT : LARGE_UNIT;
        return (b + unit - 1) / unit * unit;
    }

    synchronized CudaBuffer allocate(int floats) {
        long bytes = rounded((long) floats * Float.BYTES);
        ArrayDeque<CUdeviceptr> list = free.get(bytes);
        CUdeviceptr ptr = list == null ? null : list.poll();
        if (ptr != null) {
            cachedBytes -= bytes;
        } else {
            ptr = new CUdeviceptr();
            int code = cuMemAlloc(ptr, bytes);
            if (code == jcuda.driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
                releaseCache();
                code = cuMemAlloc(ptr, bytes);
            }
            CudaException.check(code, "cuMemAlloc(" + bytes + " bytes; " + inUseBytes + " in use, "
                    + reservedBytes + " reserved)");
            reservedBytes += bytes;
            cudaMallocs++;
        }
        inUseBytes += bytes;
        AtomicBoolean freed = new AtomicBoolean();
        CudaBuffer buffer = new CudaBuffer(ptr, bytes, floats, freed);
        CUdeviceptr p = ptr;
        CLEANER.register(buffer, () -> {
            if (freed.compareAndSet(false, true)) recycle(p, bytes);
        });
        return buffer;
    }

    void free(CudaBuffer buffer) {
        if (buffer.freed.compareAndSet(false, true)) recycle(buffer.ptr, buffer.bytes);
    }

    private synchronized void recycle(CUdeviceptr ptr, long bytes) {
        free.computeIfAbsent(bytes, k -> new ArrayDeque<>()).push(ptr);
        inUseBytes -= bytes;
        cachedBytes += bytes;
    }

    /** Returns every cached block to the driver. */
    synchronized void releaseCache() {
        for (var e : free.entrySet())
            for (CUdeviceptr p : e.getValue()) {
                cuMemFree(p);
                reservedBytes -= e.getKey();
            }
        free.clear();
        cachedBytes = 0;
    }

    /** Bytes handed out and not yet freed. */
    synchronized long inUseBytes() {
        return inUseBytes;
    }

    /** Bytes obtained from cuMemAlloc (in use plus cached). */
    synchronized long reservedBytes() {
        return reservedBytes;
    }

    /** How many times cuMemAlloc was called. */
    synchronized long cudaMallocs() {
        return cudaMallocs;
    }
}
