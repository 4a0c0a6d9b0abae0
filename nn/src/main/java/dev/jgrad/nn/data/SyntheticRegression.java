package dev.jgrad.nn.data;

import dev.jgrad.engine.Generator;

/**
 * A linear-regression dataset {@code y = X w + b + noise}: features {@code X (n, d)} standard
 * normal, {@code w (d,)}, labels {@code y (n,)}, noise {@code N(0, noiseStd^2)}, all drawn from one
 * seeded {@link Generator} so the same arguments give the same set everywhere.
 */
public final class SyntheticRegression {
    private SyntheticRegression() {}

    /**
     * @param w the true weights {@code (d,)}
     * @param b the true bias
     * @param n number of examples
     * @param noiseStd standard deviation of the label noise, {@code >= 0}
     * @param seed seed of the generator that draws the features and the noise
     * @return features {@code (d,)} per example, labels {@code (n,)}
     */
    public static ArrayDataset generate(float[] w, float b, int n, float noiseStd, long seed) {
        if (w.length == 0) throw new IllegalArgumentException("synthetic regression: w needs at least one weight");
        if (n < 0) throw new IllegalArgumentException("synthetic regression: n must be >= 0, got " + n);
        if (!(noiseStd >= 0) || !Float.isFinite(noiseStd))
            throw new IllegalArgumentException("synthetic regression: noise std must be finite and >= 0, got " + noiseStd);
        int d = w.length;
        Generator gen = new Generator(seed);
        float[] x = new float[Math.multiplyExact(n, d)];
        for (int i = 0; i < x.length; i++) x[i] = gen.nextGaussian();
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double dot = b;
            for (int j = 0; j < d; j++) dot += (double) x[i * d + j] * w[j];
            y[i] = (float) (dot + noiseStd * gen.nextGaussian());
        }
        return new ArrayDataset(x, y, d);
    }
}
