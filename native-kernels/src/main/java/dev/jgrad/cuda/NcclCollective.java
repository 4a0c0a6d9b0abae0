package dev.jgrad.cuda;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.engine.dist.Collective;
import dev.jgrad.engine.dist.Collectives;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link Collective} over NCCL ({@code libnccl.so.2}, bound through FFM) for tensors on the CUDA
 * device: the all-reduce and broadcast run on the GPU, queued on the CUDA backend's own stream,
 * so they are ordered with jgrad's kernels without a synchronization. Host values
 * ({@link #allReduceSum(double[])}, {@link #broadcastBytes}) and the barrier go through the
 * bootstrap collective (MPI in a multi-process job), which also carries NCCL's unique id from
 * rank 0 to the others at start-up. Several tensors are reduced in one NCCL group per bucket of
 * {@link Collectives#bucketBytes()}.
 *
 * <p>Status: built and checked for a missing library everywhere; run only where a GPU and NCCL
 * exist (the GPU check's {@code nccl} step: a 1-rank all-reduce and broadcast over CUDA buffers).
 * The GPU machines here have one GPU each, so no multi-GPU run has been made.
 */
public final class NcclCollective implements Collective {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final int NCCL_FLOAT32 = 7, NCCL_SUM = 0, UNIQUE_ID_BYTES = 128;
    private static final StructLayout UNIQUE_ID = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(UNIQUE_ID_BYTES, JAVA_BYTE));

    private final Collective bootstrap;
    private final CudaBackend backend;
    private final Device device;
    private final Arena arena = Arena.ofShared();
    private final MethodHandle allReduce, broadcast, groupStart, groupEnd, destroy, errorString;
    private final MemorySegment comm;
    private final long stream;
    private final String library, version;
    private boolean closed;

    private NcclCollective(Collective bootstrap, Device device, SymbolLookup lib, String library) {
        this.bootstrap = bootstrap;
        this.library = library;
        MethodHandle getVersion = handle(lib, "ncclGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle uniqueId = handle(lib, "ncclGetUniqueId", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle initRank = handle(lib, "ncclCommInitRank", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT));
        allReduce = handle(lib, "ncclAllReduce", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
        broadcast = handle(lib, "ncclBroadcast", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
        groupStart = handle(lib, "ncclGroupStart", FunctionDescriptor.of(JAVA_INT));
        groupEnd = handle(lib, "ncclGroupEnd", FunctionDescriptor.of(JAVA_INT));
        destroy = handle(lib, "ncclCommDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errorString = handle(lib, "ncclGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        if (device == null || !(device.backend() instanceof CudaBackend cuda))
            throw new IllegalArgumentException("NCCL: needs the CUDA device, got " + device);
        this.device = device;
        this.backend = cuda;
        this.stream = cuda.driver().streamHandle();
        try {
            MemorySegment v = arena.allocate(JAVA_INT);
            check("ncclGetVersion", (int) getVersion.invokeExact(v));
            int code = v.get(JAVA_INT, 0);   // e.g. 22803 for 2.28.3
            version = (code / 10000) + "." + (code / 100 % 100) + "." + (code % 100);
            byte[] id = new byte[UNIQUE_ID_BYTES];
            MemorySegment idSeg = arena.allocate(UNIQUE_ID);
            if (bootstrap.rank() == 0) {
                check("ncclGetUniqueId", (int) uniqueId.invokeExact(idSeg));
                MemorySegment.copy(idSeg, JAVA_BYTE, 0, id, 0, UNIQUE_ID_BYTES);
            }
            bootstrap.broadcastBytes(id, 0);
            MemorySegment.copy(id, 0, idSeg, JAVA_BYTE, 0, UNIQUE_ID_BYTES);
            MemorySegment commOut = arena.allocate(ADDRESS);
            check("ncclCommInitRank", (int) initRank.invokeExact(commOut, bootstrap.size(), idSeg, bootstrap.rank()));
            comm = commOut.get(ADDRESS, 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("NCCL: " + t, t);
        }
    }

    /**
     * NCCL over {@code device} (the CUDA device), its ranks those of {@code bootstrap}.
     *
     * @throws IllegalStateException naming the library and where it comes from when NCCL is missing
     */
    public static NcclCollective open(Collective bootstrap, Device device) {
        List<String> tried = new ArrayList<>();
        for (String candidate : candidates()) {
            SymbolLookup lib;
            try {
                lib = candidate.contains("/") ? SymbolLookup.libraryLookup(Path.of(candidate), Arena.global())
                        : SymbolLookup.libraryLookup(candidate, Arena.global());
            } catch (IllegalArgumentException e) {
                tried.add(candidate + ": " + e.getMessage());
                continue;
            }
            return new NcclCollective(bootstrap, device, lib, candidate);
        }
        throw new IllegalStateException("NCCL: libnccl.so.2 could not be loaded (" + String.join("; ", tried) + "). It comes with "
                + "NVIDIA's CUDA installs (the libnccl2 package of NVIDIA's repository) and with PyTorch's CUDA wheels "
                + "(pip install nvidia-nccl-cu13); or name it with -Djgrad.nccl.library=PATH");
    }

    private static List<String> candidates() {
        List<String> out = new ArrayList<>();
        String named = System.getProperty("jgrad.nccl.library");
        if (named != null && !named.isBlank()) {
            out.add(named);
            return out;
        }
        out.add("libnccl.so.2");
        for (String env : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
            if (System.getenv(env) == null) continue;
            Path lib = Path.of(System.getenv(env), "lib");
            try (var pythons = Files.list(lib)) {
                for (Path py : pythons.filter(p -> p.getFileName().toString().startsWith("python3")).sorted().toList()) {
                    Path so = py.resolve("site-packages/nvidia/nccl/lib/libnccl.so.2");
                    if (Files.exists(so)) out.add(so.toString());
                }
            } catch (java.io.IOException e) {
                // no such environment
            }
        }
        return out;
    }

    private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalStateException("NCCL: the library lacks " + name)), fd);
    }

    @Override public int rank() { return bootstrap.rank(); }
    @Override public int size() { return bootstrap.size(); }

    @Override
    public String describe() {
        return "nccl (NCCL " + version + ", " + library + ") on " + device + ", rank " + rank() + " of " + size();
    }

    @Override
    public void allReduceSum(List<Tensor> tensors, float scale) {
        checkTensors(tensors, "allReduceSum");
        long bucket = Collectives.bucketBytes();
        try (MemoryScope scope = MemoryScope.open(); var noGrad = GradMode.disable()) {
            // out of place: the scaled copy is the send buffer, the tensor's own memory receives the sum;
            // the copies go back to the allocator in stream order, after the reduction that reads them
            List<long[]> calls = new ArrayList<>();
            long inGroup = 0;
            for (Tensor t : tensors) {
                long recv = ((CudaBuffer) t.toBuffer()).address;
                long send = scale == 1f ? recv : ((CudaBuffer) t.mul(scale).toBuffer()).address;
                calls.add(new long[] {send, recv, t.numel()});
                inGroup += 4L * t.numel();
                if (inGroup >= bucket) {
                    group(calls, "ncclAllReduce");
                    calls.clear();
                    inGroup = 0;
                }
            }
            if (!calls.isEmpty()) group(calls, "ncclAllReduce");
        }
    }

    private void group(List<long[]> calls, String op) {
        grouped(() -> {
            for (long[] c : calls)
                check(op + " of " + c[2] + " floats", (int) allReduce.invokeExact(c[0], c[1], c[2], NCCL_FLOAT32, NCCL_SUM, comm, stream));
        });
    }

    @FunctionalInterface
    private interface NativeCalls {
        void run() throws Throwable;
    }

    /** {@code calls} between ncclGroupStart and ncclGroupEnd: NCCL launches them together at the end. */
    private void grouped(NativeCalls calls) {
        try {
            check("ncclGroupStart", (int) groupStart.invokeExact());
            calls.run();
            check("ncclGroupEnd", (int) groupEnd.invokeExact());
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("NCCL: " + t, t);
        }
    }

    @Override
    public void broadcast(List<Tensor> tensors, int root) {
        if (root < 0 || root >= size()) throw new IllegalArgumentException("broadcast: root " + root + " is not a rank of 0.." + (size() - 1));
        checkTensors(tensors, "broadcast");
        grouped(() -> {
            for (Tensor t : tensors) {
                long buf = ((CudaBuffer) t.toBuffer()).address;
                check("ncclBroadcast of " + t.numel() + " floats", (int) broadcast.invokeExact(buf, buf, (long) t.numel(), NCCL_FLOAT32, root, comm, stream));
            }
        });
    }

    @Override
    public double[] allReduceSum(double[] values) {
        return bootstrap.allReduceSum(values);
    }

    @Override
    public void broadcastBytes(byte[] bytes, int root) {
        bootstrap.broadcastBytes(bytes, root);
    }

    @Override
    public void barrier() {
        backend.synchronize();
        bootstrap.barrier();
    }

    /** Destroys the communicator; the bootstrap collective stays open (its owner closes it). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        backend.synchronize();
        try {
            check("ncclCommDestroy", (int) destroy.invokeExact(comm));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("NCCL: " + t, t);
        }
    }

    private void checkTensors(List<Tensor> tensors, String op) {
        if (closed) throw new IllegalStateException("NCCL: the collective was closed");
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t == null) throw new IllegalArgumentException(op + ": tensor " + i + " is null");
            if (!t.device().equals(device))
                throw new IllegalArgumentException(op + ": tensor " + i + " is on " + t.device() + "; NCCL reduces tensors on " + device);
            if (!t.isContiguous() || t.offset() != 0)
                throw new IllegalArgumentException(op + ": tensor " + i + " of shape " + Shapes.str(t.shape())
                        + " is a view; collectives write in place, so pass dense tensors");
        }
    }

    private void check(String what, int code) {
        if (code == 0) return;
        String text;
        try {
            MemorySegment s = (MemorySegment) errorString.invokeExact(code);
            text = s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            text = "error " + code;
        }
        throw new IllegalStateException("NCCL: " + what + " failed on rank " + rank() + ": " + text + " (" + code + ")");
    }

    /** For the GPU check: the backend this collective queues on. */
    Backend backend() {
        return backend;
    }
}
