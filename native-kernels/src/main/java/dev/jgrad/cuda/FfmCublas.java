package dev.jgrad.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuBLAS's one call jgrad makes ({@code cublasSgemmStridedBatched}), bound through the FFM API to
 * whichever {@code libcublas.so} the machine has. JCublas 12.6 links against
 * {@code libcublas.so.12} with versioned symbols, so on a machine with only CUDA 13's
 * {@code libcublas.so.13} it cannot load; the C API of these calls is the same in both, so a
 * direct binding works with either. Tried in order: {@code -Djgrad.cublas.library=<path>},
 * {@code libcublas.so.13}, {@code .12} and {@code libcublas.so} on the loader's path, then the
 * copies that PyTorch's CUDA wheels carry under {@code site-packages/nvidia/cublas/lib}.
 *
 * <p>Run on an H200 (2026-12-04) with CUDA 13's {@code libcublas.so.13}, JCublas having failed to
 * load: SGEMM 4096^3 matched float64 at 49.0 TFLOP/s. Without a GPU the backend's use of the call
 * is tested through the emulated driver's Java cuBLAS.
 */
final class FfmCublas implements CudaDriver.Blas {
    private static final int OP_N = 0, OP_T = 1;
    private final Path library;
    private final MethodHandle sgemm;
    private final MemorySegment handle;
    private final Arena arena = Arena.ofShared();

    private FfmCublas(Path library, SymbolLookup lib, long stream) throws Throwable {
        this.library = library;
        Linker linker = Linker.nativeLinker();
        MethodHandle create = linker.downcallHandle(symbol(lib, "cublasCreate_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle setStream = linker.downcallHandle(symbol(lib, "cublasSetStream_v2"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        sgemm = linker.downcallHandle(symbol(lib, "cublasSgemmStridedBatched"), FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG,
                ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
        MemorySegment out = arena.allocate(ADDRESS);
        int code = (int) create.invokeExact(out);
        if (code != 0) throw new CudaException("cublasCreate_v2 returned " + code + " (" + library + ")");
        handle = out.get(ADDRESS, 0);
        code = (int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream));
        if (code != 0) throw new CudaException("cublasSetStream_v2 returned " + code + " (" + library + ")");
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new CudaException("no symbol " + name));
    }

    /**
     * cuBLAS bound to {@code stream} (a CUstream handle of the context current on this thread), or
     * an exception whose message lists every library tried and why it failed.
     */
    static FfmCublas load(long stream) {
        List<String> tried = new ArrayList<>();
        for (String candidate : candidates()) {
            try {
                Arena lookupArena = Arena.global();
                SymbolLookup lib = candidate.contains("/")
                        ? SymbolLookup.libraryLookup(Path.of(candidate), lookupArena)
                        : SymbolLookup.libraryLookup(candidate, lookupArena);
                return new FfmCublas(Path.of(candidate), lib, stream);
            } catch (Throwable t) {
                tried.add(candidate + ": " + t.getMessage());
            }
        }
        throw new CudaException("no usable libcublas through FFM (" + String.join("; ", tried) + ")");
    }

    private static List<String> candidates() {
        List<String> out = new ArrayList<>();
        String explicit = System.getProperty("jgrad.cublas.library");
        if (explicit != null && !explicit.isBlank()) out.add(explicit);
        out.addAll(List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so"));
        // PyTorch's CUDA wheels: <prefix>/lib/python3.X/{site,dist}-packages/nvidia/cublas/lib/
        List<Path> roots = new ArrayList<>(List.of(Path.of("/usr/local/lib"), Path.of("/usr/lib"),
                Path.of(System.getProperty("user.home"), ".local", "lib"), Path.of("/opt/conda/lib")));
        for (String env : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"})
            if (System.getenv(env) != null) roots.add(Path.of(System.getenv(env), "lib"));
        for (Path root : roots) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> pythons = Files.list(root)) {
                for (Path py : pythons.filter(p -> p.getFileName().toString().startsWith("python3")).sorted().toList())
                    for (String pkgs : new String[] {"site-packages", "dist-packages"}) {
                        Path dir = py.resolve(pkgs).resolve("nvidia/cublas/lib");
                        for (String so : new String[] {"libcublas.so.13", "libcublas.so.12"})
                            if (Files.exists(dir.resolve(so))) out.add(dir.resolve(so).toString());
                    }
            } catch (IOException e) {
                // an unreadable directory is one place fewer to look
            }
        }
        return out;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public String binding() {
        return "FFM, " + library;
    }

    @Override
    public synchronized void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                                 long a, int lda, long strideA, long b, int ldb, long strideB,
                                                 float beta, long c, int ldc, long strideC, int batch) {
        int code;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment al = call.allocateFrom(JAVA_FLOAT, alpha), be = call.allocateFrom(JAVA_FLOAT, beta);
            code = (int) sgemm.invokeExact(handle, transA ? OP_T : OP_N, transB ? OP_T : OP_N, m, n, k, al,
                    MemorySegment.ofAddress(a), lda, strideA, MemorySegment.ofAddress(b), ldb, strideB, be,
                    MemorySegment.ofAddress(c), ldc, strideC, batch);
        } catch (Throwable t) {
            throw new CudaException("cublasSgemmStridedBatched through " + library + " failed: " + t);
        }
        if (code != 0)
            throw new CudaException("cublasSgemmStridedBatched(m=" + m + ", n=" + n + ", k=" + k + ", batch=" + batch
                    + ") returned " + code + " (" + library + ")");
    }
}
