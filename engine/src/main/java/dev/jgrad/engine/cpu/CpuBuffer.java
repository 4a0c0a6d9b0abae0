package dev.jgrad.engine.cpu;

import dev.jgrad.engine.Buffer;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A CPU buffer: a plain Java float array, the backend that made it, whether the array is borrowed
 * (the caller's own, from {@code wrap}: it is never pooled nor counted) or the backend's (from its
 * {@link ArrayPool}), and whether it was freed.
 *
 * <p>A backend-owned buffer carries its {@link #accounting} cleanable: run once, either by
 * {@code free} or by the {@link Cleaner} after the garbage collector found the buffer unreachable,
 * it takes the buffer's bytes off {@link CpuBackend#bytesInUse()}. So the number stays honest in a
 * loop that never closes its tensors (the way a PyTorch user writes it).
 */
final class CpuBuffer implements Buffer {
    private final float[] data;
    private final CpuBackend owner;
    private final boolean borrowed;
    private final AtomicBoolean freed = new AtomicBoolean();
    /** Null for a borrowed array; set once, right after construction, by the backend. */
    private Cleaner.Cleanable accounting;

    CpuBuffer(float[] data, CpuBackend owner, boolean borrowed) {
        this.data = data;
        this.owner = owner;
        this.borrowed = borrowed;
    }

    float[] data() {
        return data;
    }

    CpuBackend owner() {
        return owner;
    }

    boolean borrowed() {
        return borrowed;
    }

    void accounting(Cleaner.Cleanable cleanable) {
        this.accounting = cleanable;
    }

    /** Takes the bytes off the backend's count now (at most once; the Cleaner then does nothing). */
    void settleAccounting() {
        if (accounting != null) accounting.clean();
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
