package dev.jgrad.engine.cpu.vectorized;

import java.util.Arrays;

/** Fill and strided copy: the layout ops, on {@link MapDriver}'s collapsed-row walk. */
final class Layout {
    private Layout() {}

    /** {@code out[i] = value} for {@code i < n}, split across the cores when large. */
    static void fill(float[] out, int n, float value) {
        Parallel.parallelFor(n, 4 * MapDriver.GRAIN, (s, e) -> Arrays.fill(out, s, e, value));
    }
}
