package dev.jgrad.engine;

import java.util.List;

/**
 * How a backend makes itself known: implementations are listed in
 * {@code META-INF/services/dev.jgrad.engine.BackendProvider} and found with
 * {@link java.util.ServiceLoader}. {@link Device} asks each provider whether it can run here and
 * picks the usable one with the highest {@link #rank()} for {@code -Djgrad.device=auto}.
 */
public interface BackendProvider {

    /** The device type this provider serves, as written in {@code -Djgrad.device}: {@code cpu}, {@code cuda}. */
    String type();

    /** Preference for {@code auto}: higher wins among usable providers. */
    int rank();

    /**
     * Whether {@code -Djgrad.device=auto} may pick this provider. A test device (the CUDA emulation)
     * says false: it is used only where asked for by name.
     */
    default boolean autoSelectable() {
        return true;
    }

    /** Null when this provider can run on this machine, otherwise the reason it cannot. */
    String unavailableReason();

    /** The backend {@code -Djgrad.device=<type>} selects (called only when usable). */
    Backend create();

    /**
     * Every kernel set this provider offers (for example {@code cpu-looped} and
     * {@code cpu-vectorized}); the conformance suite and the benchmarks run each of them.
     */
    List<Backend> variants();
}
