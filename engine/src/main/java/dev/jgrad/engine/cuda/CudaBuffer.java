package dev.jgrad.engine.cuda;

import dev.jgrad.engine.Buffer;
import jcuda.driver.CUdeviceptr;

/** Device memory from the {@link DeviceAllocator}: a pointer and its capacity in floats. */
final class CudaBuffer implements Buffer {
    final CUdeviceptr ptr;
    final long bytes;
    private final int capacity;
    /** Shared with the Cleaner action, so that a buffer is returned to the allocator exactly once. */
    final java.util.concurrent.atomic.AtomicBoolean freed;

    CudaBuffer(CUdeviceptr ptr, long bytes, int capacity, java.util.concurrent.atomic.AtomicBoolean freed) {
        this.ptr = ptr;
        this.bytes = bytes;
        this.capacity = capacity;
        this.freed = freed;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** The device address of element {@code index}. */
    CUdeviceptr at(long index) {
        return index == 0 ? ptr : ptr.withByteOffset(index * Float.BYTES);
    }
}
