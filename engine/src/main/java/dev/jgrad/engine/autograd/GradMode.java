package dev.jgrad.engine.autograd;

/**
 * Whether ops record the graph. Recording is on by default; {@link #disable()} opens a scope in
 * which it is off (for evaluation, optimizer steps and the backward pass itself):
 * <pre>{@code try (var scope = GradMode.disable()) { ... } }</pre>
 * The setting is per thread.
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Turns recording off until the returned scope is closed, then restores the previous setting. */
    public static Scope disable() {
        return set(false);
    }

    /** Turns recording on until the returned scope is closed. */
    public static Scope enable() {
        return set(true);
    }

    private static Scope set(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return () -> ENABLED.set(previous);
    }

    /** A scope that restores the previous grad mode when closed; closing never throws. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
