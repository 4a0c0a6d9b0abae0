package dev.jgrad.engine.cuda;

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
 * <p>With {@code -Djgrad.cuda.emulate=true} it serves the emulated device instead (the same
 * backend over {@link EmulatedDriver}, named {@code cuda (emulated)}), loaded from
 * {@code -Djgrad.cuda.emulator.library}. That device is for tests: {@code auto} never picks it.
 */
public final class CudaBackendProvider implements BackendProvider {
    private static volatile String reason;
    private static volatile boolean checked;
    private static volatile CudaBackend backend;

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

    private static boolean emulate() {
        return Boolean.getBoolean("jgrad.cuda.emulate");
    }

    @Override
    public boolean autoSelectable() {
        return !emulate();
    }

    private static String probe() {
        if (emulate()) {
            String lib = System.getProperty("jgrad.cuda.emulator.library");
            if (lib == null || lib.isBlank())
                return "-Djgrad.cuda.emulate=true needs -Djgrad.cuda.emulator.library=<path to libjgrad-cuda-emu.so>";
            try {
                backend = new CudaBackend(new EmulatedDriver(Path.of(lib)));
                return null;
            } catch (CudaException | IllegalArgumentException | UnsatisfiedLinkError e) {
                return "the CUDA emulation could not start: " + e.getMessage();
            }
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
        if (!Files.exists(Path.of("/dev/nvidiactl")))
            return "no NVIDIA driver on this machine (/dev/nvidiactl does not exist)";
        try {
            int count = CudaBackend.deviceCount();
            if (count == 0) return "the CUDA driver reports no GPU";
            backend = new CudaBackend(new JCudaDriver(0));
            return null;
        } catch (CudaException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            return "CUDA initialization failed: " + e.getMessage();
        }
    }

    @Override
    public Backend create() {
        if (unavailableReason() != null) throw new IllegalStateException("cuda: " + reason);
        return backend;
    }

    @Override
    public List<Backend> variants() {
        return unavailableReason() == null ? List.of(backend) : List.of();
    }
}
