package dev.jgrad.engine.cpu;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.BackendProvider;
import dev.jgrad.engine.cpu.looped.LoopedBackend;
import dev.jgrad.engine.cpu.vectorized.VectorizedBackend;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pure-Java CPU: always usable, lowest rank. {@code -Djgrad.cpu.kernels=looped|vectorized}
 * (default vectorized) picks the kernel set that {@code cpu} means.
 *
 * <p>{@code cpu-vectorized} needs the Vector API ({@code --add-modules jdk.incubator.vector}).
 * Without it, {@code cpu} falls back to {@code cpu-looped} with one warning per process (through
 * {@link System.Logger}, logger {@code dev.jgrad.engine.cpu}) that names the flag, and
 * {@code cpu-vectorized} is reported as unavailable with the reason.
 */
public final class CpuBackendProvider implements BackendProvider {
    private static final Backend LOOPED = new LoopedBackend();
    /** Why cpu-vectorized cannot run in this JVM, or null when it can. */
    private static final String VECTOR_MISSING = VectorApi.unavailableReason();
    /** Null without the Vector API: then no vectorized class is ever loaded. */
    private static final Backend VECTORIZED = VECTOR_MISSING == null ? new VectorizedBackend() : null;
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    @Override
    public String type() {
        return "cpu";
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Backend create() {
        String kernels = System.getProperty("jgrad.cpu.kernels", "vectorized");
        return switch (kernels) {
            case "looped" -> LOOPED;
            case "vectorized" -> {
                if (VECTORIZED != null) yield VECTORIZED;
                warnFallback();
                yield LOOPED;
            }
            default -> throw new IllegalArgumentException("-Djgrad.cpu.kernels=" + kernels
                    + " is not a CPU kernel set; use looped or vectorized");
        };
    }

    private static void warnFallback() {
        if (WARNED.compareAndSet(false, true))
            System.getLogger("dev.jgrad.engine.cpu").log(System.Logger.Level.WARNING,
                    "jgrad: the CPU runs the looped kernels (cpu-looped), not the vectorized ones: " + VECTOR_MISSING);
    }

    @Override
    public List<Backend> variants() {
        return VECTORIZED == null ? List.of(LOOPED) : List.of(LOOPED, VECTORIZED);
    }

    @Override
    public Map<String, String> unavailableVariants() {
        return VECTORIZED == null ? Map.of("cpu-vectorized", VECTOR_MISSING) : Map.of();
    }
}
