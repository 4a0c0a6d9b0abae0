package dev.jgrad.engine.cpu;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.BackendProvider;
import dev.jgrad.engine.cpu.looped.LoopedBackend;
import dev.jgrad.engine.cpu.vectorized.VectorizedBackend;

import java.util.List;

/**
 * The pure-Java CPU: always usable, lowest rank. {@code -Djgrad.cpu.kernels=looped|vectorized}
 * (default vectorized) picks the kernel set that {@code cpu} means.
 */
public final class CpuBackendProvider implements BackendProvider {
    private static final Backend LOOPED = new LoopedBackend();
    private static final Backend VECTORIZED = new VectorizedBackend();

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
            case "vectorized" -> VECTORIZED;
            default -> throw new IllegalArgumentException("-Djgrad.cpu.kernels=" + kernels
                    + " is not a CPU kernel set; use looped or vectorized");
        };
    }

    @Override
    public List<Backend> variants() {
        return List.of(LOOPED, VECTORIZED);
    }
}
