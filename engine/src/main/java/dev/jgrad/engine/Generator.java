package dev.jgrad.engine;

/**
 * A seeded source of random numbers for tensor creation, initialization, shuffling and dropout
 * seeds. The same seed gives the same sequence on every machine.
 *
 * <p>The algorithm is SplitMix64 (Steele, Lea and Flood, 2014) with the golden-ratio increment,
 * the one {@link java.util.SplittableRandom#SplittableRandom(long)} uses, so a seed draws the
 * same numbers as it did when this class wrapped {@code SplittableRandom}. Its whole position is
 * one {@code long}: {@link #state()} reads it and {@link #restore(long)} puts it back, which is
 * how a training checkpoint resumes the exact random sequence.
 */
public final class Generator {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private final long seed;
    private long state;

    public Generator(long seed) {
        this.seed = seed;
        this.state = seed;
    }

    /** A generator seeded from the clock; its {@link #seed()} tells how to reproduce it. */
    public static Generator unseeded() {
        return new Generator(System.nanoTime() ^ 0x5DEECE66DL);
    }

    /** The seed this generator started from. */
    public long seed() {
        return seed;
    }

    /** The current position in the sequence; {@link #restore(long)} with it replays what follows. */
    public long state() {
        return state;
    }

    /** Moves to a position read earlier by {@link #state()} (of this or any other generator). */
    public void restore(long state) {
        this.state = state;
    }

    /** Uniform in {@code [0, 1)}. */
    public float nextFloat() {
        return (nextInt() >>> 8) * 0x1.0p-24f;
    }

    /** Standard normal, by Box-Muller. */
    public float nextGaussian() {
        double u1 = 1.0 - nextDouble();   // (0, 1]: log(u1) stays finite
        double u2 = nextDouble();
        return (float) (Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }

    public long nextLong() {
        long z = state += GOLDEN_GAMMA;
        // Stafford's "variant 13" finalizer.
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Uniform in {@code [0, bound)}. */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("Generator.nextInt: bound must be positive, got " + bound);
        int m = bound - 1;
        if ((bound & m) == 0) return nextInt() & m;
        // Draw 31 bits u and take u % bound, rejecting the u of the last, incomplete run of
        // bound values (those with u - u % bound + m past Integer.MAX_VALUE) so every result is equally likely.
        int u = nextInt() >>> 1, r = u % bound;
        while (u - r > Integer.MAX_VALUE - m) {
            u = nextInt() >>> 1;
            r = u % bound;
        }
        return r;
    }

    /** Uniform in {@code [0, 1)} with 53 random bits. */
    private double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** 32 uniform bits: the high half of Stafford's "variant 4" finalizer. */
    private int nextInt() {
        long z = state += GOLDEN_GAMMA;
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }
}
