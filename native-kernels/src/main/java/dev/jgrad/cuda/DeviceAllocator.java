package dev.jgrad.cuda;

import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A caching device allocator: freed blocks go to a free list keyed by their rounded size and are
 * handed out again, so a training loop that repeats the same shapes stops calling cuMemAlloc after
 * its first steps. Sizes round up to 512 bytes below 1 MiB and to 2 MiB above (to the driver's
 * granularity, which the emulated driver sets to 4 bytes so every tensor is an exact allocation
 * with a red zone behind it). When the device runs out of memory, the cache is released and the
 * allocation retried once. A Cleaner returns the memory of buffers that were never freed
 * explicitly (the backstop, not the plan).
 *
 * <p>It makes the context current itself, so it may be called from any thread. With
 * {@code -Djgrad.cuda.poison=true} (the tests) every block handed out is filled with NaN first,
 * so a kernel that leaves an output element unwritten shows it.
 */
final class DeviceAllocator {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long SMALL = 1 << 20, LARGE_UNIT = 2 << 20;
    private static final int NAN_BITS = 0x7fc00000;

    private final CudaDriver driver;
    private final long smallUnit, largeUnit;
    private final boolean poison = Boolean.getBoolean("jgrad.cuda.poison");
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long reservedBytes, inUseBytes, cachedBytes, cudaMallocs;

    DeviceAllocator(CudaDriver driver) {
        this.driver = driver;
        smallUnit = driver.allocationGranularity();
        largeUnit = Math.max(smallUnit, smallUnit >= 512 ? LARGE_UNIT : smallUnit);
    }

    long rounded(long bytes) {
        long b = Math.max(bytes, 4);
        long unit = b < SMALL ? smallUnit : largeUnit;
        return (b + unit - 1) / unit * unit;
    }

    synchronized CudaBuffer allocate(int floats) {
        if (floats < 0) throw new IllegalArgumentException("cuda: cannot allocate " + floats + " floats");
        driver.makeCurrent();
        long bytes = rounded((long) floats * Float.BYTES);
        ArrayDeque<Long> list = free.get(bytes);
        Long cached = list == null ? null : list.poll();
        long address;
        if (cached != null) {
            address = cached;
            cachedBytes -= bytes;
        } else {
            address = driver.malloc(bytes);
            if (address == 0) {
                releaseCache();
                address = driver.malloc(bytes);
            }
            if (address == 0)
                throw new CudaException("cuMemAlloc(" + bytes + " bytes) failed: CUDA_ERROR_OUT_OF_MEMORY ("
                        + inUseBytes + " bytes in use, " + reservedBytes + " reserved)");
            reservedBytes += bytes;
            cudaMallocs++;
        }
        if (poison && floats > 0) driver.memsetD32Async(address, NAN_BITS, floats);
        inUseBytes += bytes;
        AtomicBoolean freed = new AtomicBoolean();
        CudaBuffer buffer = new CudaBuffer(address, bytes, floats, freed, this);
        long a = address;
        CLEANER.register(buffer, () -> {
            if (freed.compareAndSet(false, true)) recycle(a, bytes);
        });
        return buffer;
    }

    void free(CudaBuffer buffer) {
        if (buffer.freed.compareAndSet(false, true)) recycle(buffer.address, buffer.bytes);
    }

    private synchronized void recycle(long address, long bytes) {
        free.computeIfAbsent(bytes, k -> new ArrayDeque<>()).push(address);
        inUseBytes -= bytes;
        cachedBytes += bytes;
    }

    /** Returns every cached block to the driver. */
    synchronized void releaseCache() {
        driver.makeCurrent();
        for (var e : free.entrySet())
            for (long a : e.getValue()) {
                driver.free(a);
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
