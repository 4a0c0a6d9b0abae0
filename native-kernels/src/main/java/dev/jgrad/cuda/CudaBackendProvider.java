package dev.jgrad.cuda;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.BackendProvider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The CUDA backend's registration. It is usable when the jar carries compiled kernels, the NVIDIA
 * driver's device nodes exist, and cuInit finds a GPU. The first two are checked without loading
 * any JCuda native library, so a CPU-only machine never loads one.
 *
 * <p>For tests, {@code -Djgrad.cuda.emulate} serves emulated devices instead, which
 * {@code auto} never picks:
 * <ul>
 *   <li>{@code true}: the backend over {@link EmulatedDriver} (FFM into the emulation loaded from
 *       {@code -Djgrad.cuda.emulator.library}), named {@code cuda (emulated)};</li>
 *   <li>{@code jcuda}: the backend over {@link JCudaDriver}, JCuda and its JNI library exactly as on
 *       a GPU, with native-kernels' {@code target/emu/jcuda/libcuda.so.1} (the driver library over
 *       the emulation) first on {@code LD_LIBRARY_PATH}, named {@code cuda (emulated via JCuda)};</li>
 *   <li>{@code both}: the two side by side (what CI runs).</li>
 * </ul>
 */
public final class CudaBackendProvider implements BackendProvider {
    private static volatile String reason;
    private static volatile boolean checked;
    private static volatile List<Backend> backends = List.of();

    @Override
    public String type() {
        return "cuda";
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public String unavailableReason() {
        if (!checked) {
            synchronized (CudaBackendProvider.class) {
                if (!checked) {
                    reason = probe();
                    checked = true;
                }
            }
        }
        return reason;
    }

    private static String mode() {
        return System.getProperty("jgrad.cuda.emulate", "false").strip();
    }

    private static boolean emulate() {
        return !mode().equals("false");
    }

    @Override
    public boolean autoSelectable() {
        return !emulate();
    }

    private static String probe() {
        String mode = mode();
        if (!List.of("false", "true", "jcuda", "both").contains(mode))
            return "-Djgrad.cuda.emulate=" + mode + " is not one of false, true, jcuda, both";
        List<Backend> found = new java.util.ArrayList<>();
        if (mode.equals("true") || mode.equals("both")) {
            String lib = System.getProperty("jgrad.cuda.emulator.library");
            if (lib == null || lib.isBlank())
                return "-Djgrad.cuda.emulate=" + mode + " needs -Djgrad.cuda.emulator.library=<path to libjgrad-cuda-emu.so>";
            try {
                found.add(new CudaBackend(new EmulatedDriver(Path.of(lib))));
            } catch (CudaException | IllegalArgumentException | UnsatisfiedLinkError e) {
                return "the CUDA emulation could not start: " + e.getMessage();
            }
        }
        if (mode.equals("true")) {
            backends = List.copyOf(found);
            return null;
        }
        Properties kernels = new Properties();
        try (InputStream in = CudaBackendProvider.class.getResourceAsStream("/dev/jgrad/kernels/kernels.properties")) {
            if (in == null) return "the jar has no dev/jgrad/kernels/kernels.properties (native-kernels missing)";
            kernels.load(in);
        } catch (IOException e) {
            return "cannot read kernels.properties: " + e.getMessage();
        }
        if (!"true".equals(kernels.getProperty("built")))
            return "no CUDA kernels were built into this jar: " + kernels.getProperty("reason", "unknown reason");
        boolean overEmulation = !mode.equals("false");
        if (!overEmulation && !Files.exists(Path.of("/dev/nvidiactl")))
            return "no NVIDIA driver on this machine (/dev/nvidiactl does not exist)";
        try {
            int count = CudaBackend.deviceCount();
            if (count == 0) return "the CUDA driver reports no GPU";
            found.add(new CudaBackend(new JCudaDriver(0, overEmulation)));
            backends = List.copyOf(found);
            return null;
        } catch (CudaException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            return (overEmulation ? "JCuda over the emulation (is target/emu/jcuda on LD_LIBRARY_PATH?) failed: "
                    : "CUDA initialization failed: ") + e.getMessage();
        }
    }

    @Override
    public Backend create() {
        if (unavailableReason() != null) throw new IllegalStateException("cuda: " + reason);
        return backends.get(0);
    }

    @Override
    public List<Backend> variants() {
        return unavailableReason() == null ? backends : List.of();
    }
}
