package dev.jgrad.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One GPU as the backend uses it, over a {@link CudaDriver}: kernel launches by module and name,
 * host-device copies through a pinned staging ring, the stream's synchronization points, and the
 * device-side error flag that kernels raise for bad input.
 *
 * <p><b>Copies without stalls.</b> A host-to-device copy is staged into the next free part of a
 * pinned ring and queued; nothing waits. Only when the ring is full (or a copy-out needs the
 * results) does the stream synchronize, after which the whole ring is free again. So a batch upload
 * followed by kernels runs as one queue. Copies of any size (past 2 GiB too) go through the ring
 * in pieces.
 *
 * <p><b>Errors raised by kernels.</b> The error flag is three ints in mapped pinned memory. A
 * kernel that finds bad input (cross-entropy's labels) stores the first offending row + 1 and what
 * it found there; the host reads the flag at its next synchronization (a copy-out, {@code item()},
 * {@link CudaBackend#synchronize()}) and throws there. The check therefore costs no
 * synchronization of its own, and the exception names the row and the label, but it surfaces at
 * the next point that waits for the GPU rather than at the call.
 */
final class CudaRuntime {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final long DEFAULT_RING = 8L << 20;

    final CudaDriver driver;
    private final long ringBytes;
    private final long ring;
    private long ringHead;
    private final long errorHost, errorDevice;
    private final AtomicLong synchronizations = new AtomicLong();
    /** Kernels by module, then name: a launch looks its kernel up without building a key. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, CudaDriver.Kernel>> kernels = new ConcurrentHashMap<>();

    CudaRuntime(CudaDriver driver) {
        this.driver = driver;
        driver.makeCurrent();
        ringBytes = Math.max(64, Long.getLong("jgrad.cuda.stagingBytes", DEFAULT_RING)) & ~3L;
        ring = driver.mallocHost(ringBytes);
        errorHost = driver.mallocHost(3 * Integer.BYTES);
        ALL.asSlice(errorHost, 3 * Integer.BYTES).fill((byte) 0);
        errorDevice = driver.hostDevicePointer(errorHost);
    }

    /** Binds the context to the calling thread. */
    void makeCurrent() {
        driver.makeCurrent();
    }

    /** Device address of the kernels' error flag (int[3]: row + 1, the label's bits, the class count). */
    long errorFlag() {
        return errorDevice;
    }

    /** How many times the stream was synchronized so far. */
    long synchronizations() {
        return synchronizations.get();
    }

    /** {@code name<<<(gx,gy,gz),(bx,by,bz), smem N>>>}: how every launch failure names its launch. */
    static String shape(String name, int[] grid, int[] block, int dynamicShared) {
        return name + "<<<(" + grid[0] + "," + grid[1] + "," + grid[2] + "),(" + block[0] + "," + block[1] + ","
                + block[2] + "), smem " + dynamicShared + ">>>";
    }

    /**
     * Launches {@code module/name} on the stream. Arguments: {@link CudaBuffer} (its device
     * address), Long, Integer, Float, or int[] (a struct passed by value).
     */
    void launch(String module, String name, int[] grid, int[] block, Object... args) {
        driver.makeCurrent();
        Object[] marshalled = new Object[args.length];
        for (int i = 0; i < args.length; i++)
            marshalled[i] = args[i] instanceof CudaBuffer b ? (Object) b.address : args[i];
        driver.launch(kernel(module, name), grid, block, 0, marshalled);
    }

    private CudaDriver.Kernel kernel(String module, String name) {
        var byName = kernels.computeIfAbsent(module, m -> new ConcurrentHashMap<>());
        CudaDriver.Kernel k = byName.get(name);
        if (k == null) byName.put(name, k = driver.function(module, name));
        return k;
    }

    /** Blocks until the stream's work is done; a kernel fault, or an error a kernel raised, surfaces here. */
    synchronized void synchronize(String after) {
        driver.makeCurrent();
        try {
            driver.synchronize();
        } catch (CudaException e) {
            throw new CudaException(e.getMessage() + " (synchronizing after " + after + ")");
        }
        synchronizations.incrementAndGet();
        ringHead = 0;
        int row = ALL.get(ValueLayout.JAVA_INT_UNALIGNED, errorHost) - 1;
        if (row >= 0) {
            float label = Float.intBitsToFloat(ALL.get(ValueLayout.JAVA_INT_UNALIGNED, errorHost + 4));
            int classes = ALL.get(ValueLayout.JAVA_INT_UNALIGNED, errorHost + 8);
            ALL.asSlice(errorHost, 12).fill((byte) 0);
            throw new IllegalArgumentException("crossEntropy: label " + label + " of row " + row
                    + " is not a class index in [0, " + classes + ") (found on the GPU, reported at the next "
                    + "synchronization: " + after + ")");
        }
    }

    /** Room for {@code bytes} in the ring (waiting for the stream when it is full): the host address. */
    private long reserve(long bytes, String what) {
        if (ringHead + bytes > ringBytes) synchronize(what + " (staging ring full)");
        long at = ring + ringHead;
        ringHead += (bytes + 255) & ~255L;
        return at;
    }

    /** Host to device: staged and queued, no wait unless the ring is full. */
    void copyIn(float[] src, int srcOffset, long dst, int n) {
        copyIn(MemorySegment.ofArray(src).asSlice((long) srcOffset * Float.BYTES, (long) n * Float.BYTES), dst);
    }

    /** Host to device from any memory (heap or native): staged and queued. */
    synchronized void copyIn(MemorySegment src, long dst) {
        driver.makeCurrent();
        long done = 0, total = src.byteSize();
        while (done < total) {
            long piece = Math.min(total - done, ringBytes);
            long host = reserve(piece, "copyIn");
            MemorySegment.copy(src, done, ALL, host, piece);
            driver.copyHtoDAsync(dst + done, host, piece);
            done += piece;
        }
    }

    /** Device to host: waits for everything queued before it. */
    synchronized void copyOut(long src, float[] dst, int dstOffset, int n) {
        driver.makeCurrent();
        long done = 0, total = (long) n * Float.BYTES;
        if (total == 0) return;
        while (done < total) {
            long piece = Math.min(total - done, ringBytes);
            long host = reserve(piece, "copyOut");
            driver.copyDtoHAsync(host, src + done, piece);
            synchronize("copyOut");
            MemorySegment.copy(ALL, ValueLayout.JAVA_FLOAT_UNALIGNED, host, dst, dstOffset + (int) (done / Float.BYTES),
                    (int) (piece / Float.BYTES));
            done += piece;
        }
    }
}
