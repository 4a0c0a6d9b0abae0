package dev.jgrad.engine.cpu;

import dev.jgrad.engine.Buffer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A CPU buffer: a plain Java float array, the backend that made it, and whether the array is
 * borrowed (the caller's own, from {@code wrap}: it is never pooled) or the backend's (from its
 * {@link ArrayPool}).
 */
final class CpuBuffer implements Buffer {
    final float[] data;
    final CpuBackend owner;
    final boolean borrowed;
    private final AtomicBoolean freed = new AtomicBoolean();

    CpuBuffer(float[] data, CpuBackend owner, boolean borrowed) {
        this.data = data;
        this.owner = owner;
        this.borrowed = borrowed;
    }

    @Override
    public int capacity() {
        return data.length;
    }

    boolean live() {
        return !freed.get();
    }

    /** Marks the buffer freed; false if it already was. */
    boolean markFreed() {
        return freed.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return "CpuBuffer[" + data.length + (borrowed ? ", borrowed" : "") + (live() ? "" : ", freed") + "]";
    }
}
