package dev.jgrad.tests.train;

import dev.jgrad.engine.Generator;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The generator's exported state, and its sequence against the JDK's SplittableRandom as the reference. */
class GeneratorStateTest {
    @Test
    void drawsWhatSplittableRandomDrawsForTheSameSeed() {
        long seed = System.nanoTime();
        Generator g = new Generator(seed);
        SplittableRandom ref = new SplittableRandom(seed);
        int[] bounds = {1, 2, 3, 7, 10, 64, 1000, 1 << 20, (1 << 30) + 1, Integer.MAX_VALUE};
        for (int i = 0; i < 20_000; i++) {
            switch (i % 4) {
                case 0 -> assertEquals(ref.nextLong(), g.nextLong(), "nextLong " + i + ", seed " + seed);
                case 1 -> {
                    int bound = bounds[i / 4 % bounds.length];
                    assertEquals(ref.nextInt(bound), g.nextInt(bound), "nextInt(" + bound + ") " + i + ", seed " + seed);
                }
                case 2 -> assertEquals((ref.nextInt() >>> 8) * 0x1.0p-24f, g.nextFloat(), "nextFloat " + i + ", seed " + seed);
                default -> {
                    double u1 = 1.0 - ref.nextDouble(), u2 = ref.nextDouble();
                    float want = (float) (Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
                    assertEquals(want, g.nextGaussian(), "nextGaussian " + i + ", seed " + seed);
                }
            }
        }
    }

    @Test
    void restoringAStateReplaysTheSequence() {
        long seed = System.nanoTime();
        Generator g = new Generator(seed);
        for (int i = 0; i < 37; i++) g.nextInt(1 + i);
        long state = g.state();
        long[] want = new long[50];
        for (int i = 0; i < want.length; i++) want[i] = i % 2 == 0 ? g.nextLong() : g.nextInt(1000 + i);
        Generator other = new Generator(seed + 1);
        other.restore(state);
        for (int i = 0; i < want.length; i++)
            assertEquals(want[i], i % 2 == 0 ? other.nextLong() : other.nextInt(1000 + i), "draw " + i + " after restore, seed " + seed);
        assertEquals(seed + 1, other.seed(), "restore moves the position, not the seed it started from");
        assertThrows(IllegalArgumentException.class, () -> g.nextInt(0));
    }
}
