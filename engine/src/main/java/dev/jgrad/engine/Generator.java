package dev.jgrad.engine;

import java.util.SplittableRandom;

/**
 * A seeded source of random numbers for tensor creation, initialization, shuffling and dropout
 * seeds. The same seed gives the same sequence on every machine.
 */
public final class Generator {
    private final SplittableRandom random;
    private final long seed;

    public Generator(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** A generator seeded from the clock; its {@link #seed()} tells how to reproduce it. */
    public static Generator unseeded() {
        return new Generator(System.nanoTime() ^ 0x5DEECE66DL);
    }

    public long seed() {
        return seed;
    }

    /** Uniform in {@code [0, 1)}. */
    public float nextFloat() {
        return (random.nextInt() >>> 8) * 0x1.0p-24f;
    }

    /** Standard normal, by Box-Muller. */
    public float nextGaussian() {
        double u1 = 1.0 - random.nextDouble();   // (0, 1]: log(u1) stays finite
        double u2 = random.nextDouble();
        return (float) (Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }

    public long nextLong() {
        return random.nextLong();
    }

    /** Uniform in {@code [0, bound)}. */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }
}
