package dev.jgrad.tests.nn;

import dev.jgrad.engine.Generator;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.Dataset;
import dev.jgrad.nn.data.Splits;
import dev.jgrad.nn.data.Subset;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Train/validation splits and k-fold cross-validation. */
class SplitsTest {
    /** Example {@code i} has label {@code i}, so labels identify examples. */
    private static ArrayDataset indexed(int n) {
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) x[i] = y[i] = i;
        return new ArrayDataset(x, y, 1);
    }

    /** The parent indices of {@code s}, read through fetch (labels) and checked against indices(). */
    private static int[] members(Subset s) {
        int[] all = new int[s.size()];
        Arrays.setAll(all, i -> i);
        float[] labels = s.fetch(all).labels();
        int[] out = new int[labels.length];
        for (int i = 0; i < out.length; i++) out[i] = (int) labels[i];
        assertArrayEquals(s.indices(), out);
        return out;
    }

    private static int[] sortedUnion(int[] a, int[] b) {
        int[] u = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, u, a.length, b.length);
        Arrays.sort(u);
        return u;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        Arrays.setAll(r, i -> i);
        return r;
    }

    @Test
    void trainValidationSplitIsDisjointCompleteAndSeeded() {
        long seed = System.nanoTime();
        Dataset data = indexed(101);
        Splits.Split split = Splits.trainValidation(data, 0.2, new Generator(seed));
        int[] train = members(split.train()), val = members(split.validation());
        assertEquals(20, val.length, "round(101 * 0.2)");
        assertEquals(81, train.length);
        assertArrayEquals(range(101), sortedUnion(train, val), "every example in exactly one part (seed " + seed + ")");

        Splits.Split same = Splits.trainValidation(data, 0.2, new Generator(seed));
        assertArrayEquals(val, same.validation().indices(), "same seed, same split");
        Splits.Split other = Splits.trainValidation(data, 0.2, new Generator(seed + 1));
        assertFalse(Arrays.equals(val, other.validation().indices()), "another seed, another split (seed " + seed + ")");
        int[] sortedVal = val.clone();
        Arrays.sort(sortedVal);
        assertFalse(Arrays.equals(sortedVal, range(20)), "the split is random, not the first 20 (seed " + seed + ")");

        assertThrows(IllegalArgumentException.class, () -> Splits.trainValidation(data, 0, new Generator(1)));
        assertThrows(IllegalArgumentException.class, () -> Splits.trainValidation(data, 1, new Generator(1)));
        assertThrows(IllegalArgumentException.class, () -> Splits.trainValidation(indexed(3), 0.01, new Generator(1)));
    }

    @Test
    void kFoldPutsEachExampleInExactlyOneValidationFold() {
        long seed = System.nanoTime();
        int n = 23, k = 5;
        List<Splits.Split> folds = Splits.kFold(indexed(n), k, new Generator(seed));
        assertEquals(k, folds.size());
        int[] timesValidated = new int[n];
        for (Splits.Split fold : folds) {
            int[] train = members(fold.train()), val = members(fold.validation());
            assertTrue(val.length == n / k || val.length == n / k + 1, "fold sizes differ by at most one: " + val.length);
            assertArrayEquals(range(n), sortedUnion(train, val), "each fold trains on all the rest (seed " + seed + ")");
            for (int i : val) timesValidated[i]++;
        }
        int[] ones = new int[n];
        Arrays.fill(ones, 1);
        assertArrayEquals(ones, timesValidated, "seed " + seed);

        List<Splits.Split> again = Splits.kFold(indexed(n), k, new Generator(seed));
        for (int f = 0; f < k; f++)
            assertArrayEquals(folds.get(f).validation().indices(), again.get(f).validation().indices());

        assertThrows(IllegalArgumentException.class, () -> Splits.kFold(indexed(n), 1, new Generator(1)));
        assertThrows(IllegalArgumentException.class, () -> Splits.kFold(indexed(4), 5, new Generator(1)));
        assertEquals(4, Splits.kFold(indexed(4), 4, new Generator(1)).size(), "leave-one-out");
    }

    @Test
    void subsetMapsIndicesAndChecksThem() {
        Dataset data = indexed(10);
        Subset s = data.subset(new int[] {7, 2, 2});
        assertEquals(3, s.size());
        assertArrayEquals(new float[] {2, 7}, s.fetch(new int[] {1, 0}).labels());
        assertThrows(IndexOutOfBoundsException.class, () -> data.subset(new int[] {10}));
        assertThrows(IndexOutOfBoundsException.class, () -> s.fetch(new int[] {3}));
    }
}
