package dev.jgrad.engine.cpu;

import dev.jgrad.engine.AbstractBackend;
import dev.jgrad.engine.Buffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What both CPU kernel sets share: memory is a Java {@code float[]}, copies are
 * {@code System.arraycopy}, and large arrays that are freed go back to an {@link ArrayPool} for the
 * next allocation of the same size (small ones to the garbage collector). An array the caller
 * brought ({@link #wrap(float[])}) is only borrowed: freeing its buffer never pools it. The
 * compute methods are the kernel set's own ({@link dev.jgrad.engine.cpu.looped.LoopedBackend},
 * {@link dev.jgrad.engine.cpu.vectorized.VectorizedBackend}); {@link AbstractBackend} has checked
 * their arguments.
 */
public abstract class CpuBackend extends AbstractBackend {

    /** The array behind a buffer this backend made (the boundary checks have made sure it is one). */
    protected static float[] f(Buffer buffer) {
        return ((CpuBuffer) buffer).data();
    }

    /** The arrays behind a list of buffers (null stays null). */
    protected static float[][] arrays(Buffer[] buffers) {
        if (buffers == null) return null;
        float[][] out = new float[buffers.length][];
        for (int i = 0; i < buffers.length; i++) out[i] = f(buffers[i]);
        return out;
    }

    /** Like {@link #f} but lets an optional buffer (bias, gradient of bias) be null. */
    protected static float[] fOrNull(Buffer buffer) {
        return buffer == null ? null : f(buffer);
    }

    /**
     * The class index stored as a float in {@code labels[row]}; both CPU kernel sets read labels
     * through this so that a bad label is reported the same way.
     */
    public static int checkedLabel(float label, int row, int classes) {
        int k = (int) label;
        if (k != label || k < 0 || k >= classes)
            throw new IllegalArgumentException("crossEntropy: label " + label + " of row " + row
                    + " is not a class index in [0, " + classes + ")");
        return k;
    }

    /**
     * Takes collected buffers off {@link #bytesInUse}. It does not hand their arrays back to the
     * pool: a kernel may still be reading an array whose buffer object the JIT already considers
     * dead, so only an explicit {@code free} (or a {@link dev.jgrad.engine.MemoryScope}) recycles;
     * the collector reclaims the rest.
     */
    private static final Cleaner COLLECTED = Cleaner.create();

    private final AtomicLong bytesInUse = new AtomicLong();
    private final ArrayPool pool = ArrayPool.forThisJvm();

    @Override
    protected boolean owns(Buffer buffer) {
        return buffer instanceof CpuBuffer cpu && cpu.owner() == this && cpu.live();
    }

    @Override
    protected Buffer doAllocate(int numel) {
        long bytes = (long) numel * Float.BYTES;
        CpuBuffer buffer = new CpuBuffer(pool.take(numel), this, false);
        bytesInUse.addAndGet(bytes);
        AtomicLong count = bytesInUse;  // the action must not hold the buffer, or it is never collected
        buffer.accounting(COLLECTED.register(buffer, () -> count.addAndGet(-bytes)));
        return buffer;
    }

    /** No copy: the buffer is the caller's array, borrowed (never pooled, not counted in {@link #bytesInUse}). */
    @Override
    protected Buffer doWrap(float[] data) {
        return new CpuBuffer(data, this, true);
    }

    /**
     * No copy for a writable heap segment over a whole {@code float[]}: the buffer borrows that
     * array. Anything else (native memory, a slice, a read-only segment, another array type) is
     * copied into a new array of this backend's.
     */
    @Override
    protected Buffer doWrap(MemorySegment segment) {
        if (!segment.isReadOnly() && segment.heapBase().orElse(null) instanceof float[] array
                && segment.address() == 0 && segment.byteSize() == (long) array.length * Float.BYTES)
            return doWrap(array);
        float[] copy = segment.toArray(ValueLayout.JAVA_FLOAT);
        Buffer b = doAllocate(copy.length);
        System.arraycopy(copy, 0, f(b), 0, copy.length);
        return b;
    }

    @Override
    protected void doCopyIn(float[] src, int srcOffset, Buffer dst, int dstOffset, int n) {
        System.arraycopy(src, srcOffset, f(dst), dstOffset, n);
    }

    @Override
    protected void doCopyOut(Buffer src, int srcOffset, float[] dst, int dstOffset, int n) {
        System.arraycopy(f(src), srcOffset, dst, dstOffset, n);
    }

    @Override
    protected float doRead(Buffer src, int offset) {
        return f(src)[offset];
    }

    @Override
    protected void doFree(Buffer buffer) {
        CpuBuffer cpu = (CpuBuffer) buffer;
        if (!cpu.markFreed()) return; // a racing second free: the first one returned the memory
        if (cpu.borrowed()) return;     // the caller's array: it stays theirs, it never enters the pool
        cpu.settleAccounting();
        pool.give(cpu.data());
    }

    @Override
    public long bytesInUse() {
        return bytesInUse.get();
    }

    /** Bytes of freed arrays kept for reuse by the next allocations of the same sizes (not in use). */
    public long pooledBytes() {
        return pool.pooledBytes();
    }

    @Override
    public String toString() {
        return name();
    }
}
