package dev.jgrad.engine.cpu;

import dev.jgrad.engine.Buffer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A CPU buffer: a plain Java float array, the backend that made it, whether the array is borrowed
 * (the caller's own, from {@code wrap}: it is never pooled) or the backend's (from its
 * {@link ArrayPool}), and whether it was freed.
 */
record CpuBuffer(float[] data, CpuBackend owner, boolean borrowed, AtomicBoolean freed) implements Buffer {

    CpuBuffer(float[] data, CpuBackend owner, boolean borrowed) {
        this(data, owner, borrowed, new AtomicBoolean());
    }

    @Override
    public int capacity() {
        return data.length;
    }

    /**
     * Not freed yet, as far as this thread has seen (a plain read: a free on another thread that
     * races with a use here is the caller's bug, and is not promised to be caught).
     */
    boolean live() {
        return !freed.getPlain();
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
