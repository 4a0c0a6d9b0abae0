package dev.jgrad.engine.cpu;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Buffer;

/**
 * What both CPU kernel sets share: memory is a Java {@code float[]}, copies are
 * {@code System.arraycopy}, and large arrays that are freed go back to an {@link ArrayPool} for the
 * next allocation of the same size (small ones to the garbage collector). The compute
 * methods are the kernel set's own ({@link dev.jgrad.engine.cpu.looped.LoopedBackend},
 * {@link dev.jgrad.engine.cpu.vectorized.VectorizedBackend}).
 */
public abstract class CpuBackend implements Backend {

    /** The array behind a buffer this backend made. */
    protected static float[] f(Buffer buffer) {
        if (buffer instanceof CpuBuffer cpu) return cpu.data();
        throw new IllegalArgumentException("a " + buffer.getClass().getSimpleName()
                + " reached the CPU backend; move the tensor to the CPU first");
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

    private final java.util.concurrent.atomic.AtomicLong bytesInUse = new java.util.concurrent.atomic.AtomicLong();
    private final ArrayPool pool = ArrayPool.forThisJvm();

    @Override
    public Buffer allocate(int numel) {
        bytesInUse.addAndGet((long) numel * Float.BYTES);
        return new CpuBuffer(pool.take(numel));
    }

    @Override
    public void copyIn(float[] src, int srcOffset, Buffer dst, int dstOffset, int n) {
        System.arraycopy(src, srcOffset, f(dst), dstOffset, n);
    }

    @Override
    public void copyOut(Buffer src, int srcOffset, float[] dst, int dstOffset, int n) {
        System.arraycopy(f(src), srcOffset, dst, dstOffset, n);
    }

    @Override
    public float read(Buffer src, int offset) {
        return f(src)[offset];
    }

    @Override
    public void free(Buffer buffer) {
        float[] array = f(buffer);
        bytesInUse.addAndGet(-(long) array.length * Float.BYTES);
        pool.give(array);
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
