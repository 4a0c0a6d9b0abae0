package dev.jgrad.engine.dist;

import dev.jgrad.engine.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@link Collective} over Open MPI's C library ({@code libmpi.so.40}), bound through the FFM API:
 * no JNI code and no Java MPI bindings, so any Open MPI that {@code mpirun} or Slurm launches
 * works. The operations run on host memory: tensors are packed into one reusable native bucket
 * (see {@link HostBuckets}), reduced in place ({@code MPI_IN_PLACE}) and unpacked.
 *
 * <p>The binding knows Open MPI's ABI, in which {@code MPI_COMM_WORLD}, {@code MPI_FLOAT} and
 * {@code MPI_SUM} are the addresses of the exported objects {@code ompi_mpi_comm_world},
 * {@code ompi_mpi_float} and {@code ompi_mpi_op_sum}, and {@code MPI_IN_PLACE} is {@code (void *) 1}.
 * MPICH and its derivatives use integer handles instead; loading one is refused with a message.
 *
 * <p><b>A rank that dies.</b> When a rank exits without {@code MPI_Finalize}, {@code mpirun} ends
 * the job and says which rank it was. A rank that hangs without exiting (a deadlock, a rank that
 * stopped calling the same collectives) is caught here: a watchdog thread sees an operation wait
 * longer than {@link Collectives#timeoutSeconds()}, prints which operation on which rank, and
 * ends this process with exit status {@value #TIMEOUT_EXIT}, which makes {@code mpirun} end the
 * others. MPI is initialized once per process; {@link #close()} finalizes it for good.
 */
public final class MpiCollective implements Collective {
    /** The exit status of a rank whose operation timed out. */
    public static final int TIMEOUT_EXIT = 75;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemorySegment IN_PLACE = MemorySegment.ofAddress(1);
    private static MpiCollective instance;
    private static boolean finalized;

    private final Arena arena = Arena.ofShared();
    private final MethodHandle allreduce, bcast, barrierCall, finalizeCall, errorString;
    private final MemorySegment world, mpiFloat, mpiDouble, mpiByte, sum;
    private final int rank, size, threadLevel;
    private static final int THREAD_SERIALIZED = 2;   // MPI_THREAD_SERIALIZED in Open MPI's mpi.h
    private final String version, library;
    private MemorySegment bucket;
    private boolean closed;

    // the operation in progress, for the watchdog (written by the calling thread)
    private volatile String current;
    private volatile long currentSince;
    private final Thread watchdog;

    private MpiCollective() {
        String[] tried = candidates();
        SymbolLookup lib = null;
        String loaded = null;
        StringBuilder errors = new StringBuilder();
        for (String name : tried) {
            try {
                lib = SymbolLookup.libraryLookup(name.contains("/") ? java.nio.file.Path.of(name).toString() : name, arena);
                loaded = name;
                break;
            } catch (IllegalArgumentException e) {
                errors.append(errors.isEmpty() ? "" : "; ").append(name).append(": ").append(e.getMessage());
            }
        }
        if (lib == null) {
            arena.close();
            throw new IllegalStateException("MPI: Open MPI's C library could not be loaded (" + errors
                    + "). Install it with the Debian packages libopenmpi-dev and openmpi-bin "
                    + "(apt-get install libopenmpi-dev openmpi-bin), or name it with -Djgrad.mpi.library=PATH");
        }
        this.library = loaded;
        if (lib.find("ompi_mpi_comm_world").isEmpty()) {
            arena.close();
            throw new IllegalStateException("MPI: " + loaded + " is not Open MPI (it exports no ompi_mpi_comm_world); "
                    + "jgrad's MPI binding knows Open MPI's ABI only (MPICH uses integer handles)");
        }
        world = lib.find("ompi_mpi_comm_world").get();
        mpiFloat = lib.find("ompi_mpi_float").orElseThrow();
        mpiDouble = lib.find("ompi_mpi_double").orElseThrow();
        mpiByte = lib.find("ompi_mpi_byte").orElseThrow();
        sum = lib.find("ompi_mpi_op_sum").orElseThrow();
        MethodHandle initialized = handle(lib, "MPI_Initialized", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle init = handle(lib, "MPI_Init_thread", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        MethodHandle queryThread = handle(lib, "MPI_Query_thread", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle commRank = handle(lib, "MPI_Comm_rank", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MethodHandle commSize = handle(lib, "MPI_Comm_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MethodHandle libraryVersion = handle(lib, "MPI_Get_library_version", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        allreduce = handle(lib, "MPI_Allreduce", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        bcast = handle(lib, "MPI_Bcast", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        barrierCall = handle(lib, "MPI_Barrier", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        finalizeCall = handle(lib, "MPI_Finalize", FunctionDescriptor.of(JAVA_INT));
        errorString = handle(lib, "MPI_Error_string", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        try {
            MemorySegment flag = arena.allocate(JAVA_INT);
            check("MPI_Initialized", (int) initialized.invokeExact(flag));
            // SERIALIZED: one thread at a time, not always the same one (data-parallel training reduces
            // finished gradient buckets on a background thread while the backward pass goes on)
            MemorySegment provided = arena.allocate(JAVA_INT);
            if (flag.get(JAVA_INT, 0) == 0)
                check("MPI_Init_thread", (int) init.invokeExact(MemorySegment.NULL, MemorySegment.NULL, THREAD_SERIALIZED, provided));
            else check("MPI_Query_thread", (int) queryThread.invokeExact(provided));
            threadLevel = provided.get(JAVA_INT, 0);
            check("MPI_Comm_rank", (int) commRank.invokeExact(world, flag));
            rank = flag.get(JAVA_INT, 0);
            check("MPI_Comm_size", (int) commSize.invokeExact(world, flag));
            size = flag.get(JAVA_INT, 0);
            MemorySegment text = arena.allocate(4096), length = arena.allocate(JAVA_INT);
            check("MPI_Get_library_version", (int) libraryVersion.invokeExact(text, length));
            String v = text.getString(0, StandardCharsets.US_ASCII);
            version = v.split("[,\\n]", 2)[0].trim();
        } catch (Throwable t) {
            throw rethrow(t);
        }
        watchdog = new Thread(this::watch, "jgrad-mpi-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Joins the job (MPI_Init on the first call); the same instance until {@link #close()}. */
    static synchronized MpiCollective init() {
        if (finalized) throw new IllegalStateException("MPI: this process finalized MPI already; MPI cannot start twice in one process");
        if (instance == null) instance = new MpiCollective();
        return instance;
    }

    private static String[] candidates() {
        String named = System.getProperty("jgrad.mpi.library");
        return named != null ? new String[] {named} : new String[] {"libmpi.so.40", "libmpi.so"};
    }

    private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalStateException("MPI: the library lacks " + name)), fd);
    }

    @Override public int rank() { return rank; }
    @Override public int size() { return size; }

    @Override
    public String describe() {
        return "mpi (" + version + ", " + library + "), rank " + rank + " of " + size;
    }

    /** True when MPI granted MPI_THREAD_SERIALIZED or more. */
    @Override
    public boolean allowsBackgroundCalls() {
        return threadLevel >= THREAD_SERIALIZED;
    }

    @Override
    public void allReduceSum(List<Tensor> tensors, float scale) {
        HostBuckets.checkDense(tensors, "allReduceSum");
        HostBuckets.run(tensors, bucket(tensors), scale, (seg, n) ->
                call("MPI_Allreduce (a bucket of " + n + " floats)", () -> (int) allreduce.invokeExact(IN_PLACE, seg, n, mpiFloat, sum, world)));
    }

    @Override
    public void broadcast(List<Tensor> tensors, int root) {
        HostBuckets.checkRoot(root, size, "broadcast");
        HostBuckets.checkDense(tensors, "broadcast");
        HostBuckets.run(tensors, bucket(tensors), 1f, (seg, n) ->
                call("MPI_Bcast (a bucket of " + n + " floats from rank " + root + ")", () -> (int) bcast.invokeExact(seg, n, mpiFloat, root, world)));
    }

    /**
     * Sums {@code floats} floats of native memory over the ranks, in place, in one MPI_Allreduce
     * (no packing): for host buffers of one's own, and for measuring MPI itself.
     */
    public void allReduceSumInPlace(MemorySegment data, int floats) {
        open();
        if (floats < 0 || 4L * floats > data.byteSize())
            throw new IllegalArgumentException("allReduceSumInPlace: " + floats + " floats do not fit " + data.byteSize() + " bytes");
        call("MPI_Allreduce (" + floats + " floats)", () -> (int) allreduce.invokeExact(IN_PLACE, data, floats, mpiFloat, sum, world));
    }

    @Override
    public double[] allReduceSum(double[] values) {
        open();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(JAVA_DOUBLE, Math.max(1, values.length));
            MemorySegment.copy(values, 0, seg, JAVA_DOUBLE, 0, values.length);
            int n = values.length;
            call("MPI_Allreduce (" + n + " doubles)", () -> (int) allreduce.invokeExact(IN_PLACE, seg, n, mpiDouble, sum, world));
            double[] out = new double[n];
            MemorySegment.copy(seg, JAVA_DOUBLE, 0, out, 0, n);
            return out;
        }
    }

    @Override
    public void broadcastBytes(byte[] bytes, int root) {
        HostBuckets.checkRoot(root, size, "broadcastBytes");
        open();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, seg, JAVA_BYTE, 0, bytes.length);
            int n = bytes.length;
            call("MPI_Bcast (" + n + " bytes from rank " + root + ")", () -> (int) bcast.invokeExact(seg, n, mpiByte, root, world));
            MemorySegment.copy(seg, JAVA_BYTE, 0, bytes, 0, n);
        }
    }

    @Override
    public void barrier() {
        open();
        call("MPI_Barrier", () -> (int) barrierCall.invokeExact(world));
    }

    /** Finalizes MPI (every rank must call it); later calls do nothing. */
    @Override
    public void close() {
        synchronized (MpiCollective.class) {
            if (closed) return;
            closed = true;
            finalized = true;
            instance = null;
        }
        call("MPI_Finalize", () -> (int) finalizeCall.invokeExact());
        watchdog.interrupt();
    }

    private MemorySegment bucket(List<Tensor> tensors) {
        open();
        long need = 0;
        for (Tensor t : tensors) need += 4L * t.numel();
        long bytes = Math.max(4, Math.min(need, Collectives.bucketBytes()));
        if (bucket == null || bucket.byteSize() < bytes) bucket = arena.allocate(Math.max(bytes, bucket == null ? 0 : bucket.byteSize()), 64);
        return bucket;
    }

    private void open() {
        if (closed) throw new IllegalStateException("MPI: the collective was closed (MPI_Finalize)");
    }

    @FunctionalInterface
    private interface NativeCall {
        int run() throws Throwable;
    }

    private void call(String what, NativeCall c) {
        current = what;
        currentSince = System.nanoTime();
        int code;
        try {
            code = c.run();
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            current = null;
        }
        check(what, code);
    }

    private void check(String what, int code) {
        if (code == 0) return;
        String text = "error " + code;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(1024), len = a.allocate(JAVA_INT);
            if ((int) errorString.invokeExact(code, buf, len) == 0) text = buf.getString(0, StandardCharsets.US_ASCII) + " (" + code + ")";
        } catch (Throwable ignored) {
            // keep the bare code
        }
        throw new IllegalStateException("MPI: " + what + " failed on rank " + rank + ": " + text);
    }

    private void watch() {
        double limit = Collectives.timeoutSeconds();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            String what = current;
            if (what == null) continue;
            double waited = (System.nanoTime() - currentSince) / 1e9;
            if (waited > limit && current != null) {
                System.err.printf(Locale.ROOT, "jgrad: rank %d of %d: %s has waited %.1f s for the other ranks (limit %.0f s, "
                        + "-Djgrad.dist.timeout): a rank has died, hangs, or stopped calling the same collectives; "
                        + "ending this rank with exit status %d%n", rank, size, what, waited, limit, TIMEOUT_EXIT);
                System.err.flush();
                Runtime.getRuntime().halt(TIMEOUT_EXIT);
            }
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("MPI: " + t, t);
    }

    /** For tests: the libraries tried, in order. */
    static List<String> libraryCandidates() {
        return new ArrayList<>(List.of(candidates()));
    }
}
