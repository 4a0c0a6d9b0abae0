package dev.jgrad.engine;

/**
 * A buffer shared by a tensor and its views, returned to its backend when the last of them is
 * closed or when the {@link MemoryScope} it was created in closes. Tensors that are never closed
 * are left to the garbage collector (the CPU's arrays) or, on devices with their own memory, to
 * the backend's Cleaner backstop. A borrowed buffer ({@link Tensor#wrap}) stays its caller's:
 * releasing the storage ends the tensors over it but does not free the buffer.
 */
final class Storage {
    final Device device;
    final Buffer buffer;
    /** True when the buffer is the caller's ({@link Tensor#wrap}): released, it is not freed. */
    private final boolean borrowed;
    /** Changed under the lock; volatile so that {@link #released}, asked on every element read, needs none. */
    private volatile int refs = 1;

    Storage(Device device, Buffer buffer) {
        this(device, buffer, false);
    }

    Storage(Device device, Buffer buffer, boolean borrowed) {
        this.device = device;
        this.buffer = buffer;
        this.borrowed = borrowed;
        MemoryScope.register(this);
    }

    synchronized Storage retain() {
        if (refs == 0) throw new IllegalStateException("tensor memory was already released (closed)");
        refs++;
        return this;
    }

    synchronized void release() {
        if (refs == 0) return;
        if (--refs == 0 && !borrowed) device.backend().free(buffer);
    }

    /** Returns the buffer now, whatever views still point at it (the end of a {@link MemoryScope}). */
    synchronized void releaseAll() {
        if (refs == 0) return;
        refs = 0;
        if (!borrowed) device.backend().free(buffer);
    }

    boolean released() {
        return refs == 0;
    }
}
