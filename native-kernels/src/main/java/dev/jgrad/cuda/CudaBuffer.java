package dev.jgrad.cuda;

import dev.jgrad.engine.Buffer;

import java.util.concurrent.atomic.AtomicBoolean;

/** Device memory from the {@link DeviceAllocator}: a device address and its capacity in floats. */
final class CudaBuffer implements Buffer {
    final long address;
    /** The size of the block behind it (the allocator's rounded size). */
    final long bytes;
    private final int capacity;
    /** Shared with the Cleaner action, so that a buffer is returned to the allocator exactly once. */
    final AtomicBoolean freed;
    /** The allocator it came from: a buffer is used only by the backend of that allocator. */
    final DeviceAllocator allocator;

    CudaBuffer(long address, long bytes, int capacity, AtomicBoolean freed, DeviceAllocator allocator) {
        this.allocator = allocator;
        this.address = address;
        this.bytes = bytes;
        this.capacity = capacity;
        this.freed = freed;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** The device address of element {@code index}. */
    long at(long index) {
        return address + index * Float.BYTES;
    }
}
