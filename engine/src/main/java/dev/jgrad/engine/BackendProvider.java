package dev.jgrad.engine;

import java.util.List;
import java.util.Map;

/**
 * How a backend makes itself known: implementations are listed in
 * {@code META-INF/services/dev.jgrad.engine.BackendProvider} (and, in a named module, with
 * {@code provides dev.jgrad.engine.BackendProvider with ...}) and found with
 * {@link java.util.ServiceLoader}. {@link Device} asks each provider whether it can run here and
 * picks the usable one with the highest {@link #rank()} for {@code -Djgrad.device=auto}.
 *
 * <p>What a provider must do: have a public no-argument constructor that is cheap and does not
 * throw (probe the hardware lazily, in {@link #unavailableReason()}), and answer
 * {@link #type()}, {@link #rank()} and {@link #unavailableReason()} without throwing. A provider
 * that does throw, in its constructor, its static initializer or any of these methods, or whose
 * class cannot be loaded at all ({@link java.util.ServiceConfigurationError}), does not break
 * {@link Device}: it is skipped, and {@link Device#report()} (the {@code devices} command) names it
 * and what it threw. {@link #create()} and {@link #variants()} are called only when the provider is
 * usable, and return the same instances on every call (a device is one backend instance).
 *
 * <p>The stability promise of {@link Backend} covers this interface: within a minor version it
 * only gains methods with defaults ({@link #unavailableVariants()} is one).
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
     * Every kernel set this provider offers here (for example {@code cpu-looped} and
     * {@code cpu-vectorized}); the conformance suite and the benchmarks run each of them.
     */
    List<Backend> variants();

    /**
     * Kernel sets this provider has but cannot run in this JVM, by name, each with the reason (for
     * example {@code cpu-vectorized} without the Vector API); {@link Device#report()} lists them.
     * None by default.
     */
    default Map<String, String> unavailableVariants() {
        return Map.of();
    }
}
