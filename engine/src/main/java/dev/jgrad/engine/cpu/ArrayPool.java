package dev.jgrad.engine.cpu;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU's caching allocator: large arrays that a {@link dev.jgrad.engine.MemoryScope} or a
 * {@code close()} hands back are kept by length and handed out again, so a training loop, which
 * allocates the same sizes every step, stops asking the JVM for fresh memory after its first step.
 *
 * <p>Why: memory the JVM has not touched lately costs page faults. A fresh multi-megabyte
 * {@code float[]} is a humongous allocation whose pages the OS maps on first touch (measured on the
 * 2-core development machine: a 16M-element add spent 170 ms of its 180 ms in those faults, the
 * kernel 8 ms), and on a VM that reclaims idle memory even the young generation's regions fault as
 * the collector rotates through them (a 10,000-element add swung between 18 and 116 µs a call;
 * with its output pooled it takes 1.2 µs). Arrays under 4 KB are left to the allocation buffers.
 *
 * <p>A reused array is not cleared: {@link dev.jgrad.engine.Backend#allocate} promises undefined
 * contents, as on a GPU. With {@code -Djgrad.cpu.poison=true} (the test suite sets it) every array
 * handed out, fresh or reused, is filled with NaN, so a kernel that reads an element it did not
 * write shows it.
 */
final class ArrayPool {
    /** Arrays shorter than this (4 KB) are left to the garbage collector. */
    static final int MIN_POOLED = 1 << 10;
    private static final boolean POISON = Boolean.getBoolean("jgrad.cpu.poison");

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private final long capacityBytes;
    private long pooledBytes;

    /** @param capacityBytes the most memory kept for reuse; past it, returned arrays go to the collector */
    ArrayPool(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    /** A quarter of the heap, at most 2 GiB. */
    static ArrayPool forThisJvm() {
        return new ArrayPool(Math.min(Runtime.getRuntime().maxMemory() / 4, 2L << 30));
    }

    float[] take(int numel) {
        float[] a = null;
        if (numel >= MIN_POOLED) {
            synchronized (this) {
                ArrayDeque<float[]> q = free.get(numel);
                if (q != null && (a = q.poll()) != null) pooledBytes -= 4L * numel;
            }
        }
        if (a == null) a = new float[numel];
        if (POISON) Arrays.fill(a, Float.NaN);
        return a;
    }

    void give(float[] a) {
        if (a.length < MIN_POOLED) return;
        synchronized (this) {
            if (pooledBytes + 4L * a.length > capacityBytes) return;
            free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
            pooledBytes += 4L * a.length;
        }
    }

    /** Bytes held for reuse (not in use by any tensor). */
    synchronized long pooledBytes() {
        return pooledBytes;
    }
}
