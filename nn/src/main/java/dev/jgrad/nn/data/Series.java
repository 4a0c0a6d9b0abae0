package dev.jgrad.nn.data;

import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;

/**
 * Time series for autoregression: the course's synthetic noisy sine, and windows over a series
 * (the past {@code tau} values as features, the value {@code horizon} steps after them as the
 * label), split in time order so that no test target precedes a training one.
 */
public final class Series {
    private Series() {}

    /**
     * The course's series: {@code x_t = sin(0.01 t) + N(0, 0.2^2)} for {@code t = 1..steps}, the
     * noise drawn from {@code seed}.
     */
    public static float[] noisySine(int steps, long seed) {
        if (steps < 1) throw new IllegalArgumentException("noisySine: steps must be >= 1, got " + steps);
        float[] noise = Tensor.randn(new Generator(seed), steps).toArray();
        float[] x = new float[steps];
        for (int t = 0; t < steps; t++) x[t] = (float) Math.sin(0.01 * (t + 1)) + 0.2f * noise[t];
        return x;
    }

    /**
     * A noisy sine whose phase drifts, a series with long memory: {@code x_t = sin(phi_t) + N(0, 0.2^2)}
     * with {@code phi_t = phi_{t-1} + omega_t}, and the angular speed {@code omega_t = 0.2 (1 + 0.5 u_t)}
     * following a slow AR(1) process {@code u_t = 0.995 u_{t-1} + 0.1 e_t} (clamped to [-1, 1]). The
     * current speed is visible only over many periods, so a model that summarises the whole past (a
     * recurrent hidden state) can know it where a window of the last few values cannot.
     */
    public static float[] driftingSine(int steps, long seed) {
        if (steps < 1) throw new IllegalArgumentException("driftingSine: steps must be >= 1, got " + steps);
        Generator g = new Generator(seed);
        float[] e = Tensor.randn(g, steps).toArray(), noise = Tensor.randn(g, steps).toArray();
        float[] x = new float[steps];
        double u = 0, phi = 0;
        for (int t = 0; t < steps; t++) {
            u = Math.max(-1, Math.min(1, 0.995 * u + 0.1 * e[t]));
            phi += 0.2 * (1 + 0.5 * u);
            x[t] = (float) Math.sin(phi) + 0.2f * noise[t];
        }
        return x;
    }

    /**
     * The windows of {@code series}: example {@code i} has features {@code x[i .. i + tau - 1]} and
     * label {@code x[i + tau + horizon - 1]}, for every {@code i} whose label lies inside the series
     * ({@code horizon = 1} is the next value). Features have shape {@code (tau)}.
     */
    public static ArrayDataset windows(float[] series, int tau, int horizon) {
        if (tau < 1 || horizon < 1)
            throw new IllegalArgumentException("windows: tau and horizon must be >= 1, got " + tau + ", " + horizon);
        int n = series.length - tau - horizon + 1;
        if (n < 1)
            throw new IllegalArgumentException("windows: a series of " + series.length + " values has no window of "
                    + tau + " values followed by a label " + horizon + " step(s) later");
        float[] features = new float[n * tau], labels = new float[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(series, i, features, i * tau, tau);
            labels[i] = series[i + tau + horizon - 1];
        }
        return new ArrayDataset(features, labels, tau);
    }

    /** The first {@code count} examples of {@code windows} (the earliest in time), for training. */
    public static ArrayDataset head(ArrayDataset windows, int count) {
        return slice(windows, 0, count);
    }

    /** The examples from {@code from} on (the latest in time), for testing. */
    public static ArrayDataset tail(ArrayDataset windows, int from) {
        return slice(windows, from, windows.size());
    }

    private static ArrayDataset slice(ArrayDataset d, int from, int to) {
        if (from < 0 || to > d.size() || from >= to)
            throw new IllegalArgumentException("Series: examples [" + from + ", " + to + ") of " + d.size() + " are empty or outside");
        int f = d.featureSize();
        float[] features = java.util.Arrays.copyOfRange(d.features(), from * f, to * f);
        float[] labels = java.util.Arrays.copyOfRange(d.labels(), from, to);
        return new ArrayDataset(features, labels, d.featureShape());
    }
}
