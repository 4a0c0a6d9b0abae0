package dev.jgrad.engine;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
 * counter-based generator, so element {@code i} of a random stream is a pure function of
 * {@code (seed, i)}. Every backend draws dropout masks from it, which is why a seed reproduces the
 * same mask on the CPU and on a GPU.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    private Philox() {}

    /** The first 32-bit word of Philox4x32-10 applied to counter {@code (index, 0, 0, 0)}. */
    public static int bits(long seed, long index) {
        int c0 = (int) index, c1 = (int) (index >>> 32), c2 = 0, c3 = 0;
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int round = 0; round < 10; round++) {
            long p0 = (c0 & 0xFFFFFFFFL) * (M0 & 0xFFFFFFFFL);
            long p1 = (c2 & 0xFFFFFFFFL) * (M1 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        return c0;
    }

    /** A uniform float in {@code [0, 1)} with 24 random bits. */
    public static float uniform(long seed, long index) {
        return (bits(seed, index) >>> 8) * 0x1.0p-24f;
    }
}
