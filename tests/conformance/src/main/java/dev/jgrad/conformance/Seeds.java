package dev.jgrad.conformance;

/**
 * The run's random seed: fresh from the clock, or {@code -Djgrad.test.seed=} to reproduce a
 * failure. Each case derives its own stream from the seed and its name, so a case's inputs do not
 * depend on which other tests ran, and are the same on every device.
 */
public final class Seeds {
    private static final long BASE = Long.getLong("jgrad.test.seed", System.nanoTime());

    private Seeds() {}

    public static long base() {
        return BASE;
    }

    public static long forCase(String name) {
        long h = BASE ^ 0x9E3779B97F4A7C15L * name.hashCode();
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }
}
