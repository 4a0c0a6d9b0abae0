package dev.jgrad.nn.data;

import dev.jgrad.engine.Generator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Held-out validation data: a seeded random train/validation split, and k-fold cross-validation
 * folds. Both are {@link Subset}s of the original set; the same generator seed gives the same
 * split.
 */
public final class Splits {
    private Splits() {}

    /** Disjoint training and validation subsets that together hold every example once. */
    public record Split(Subset train, Subset validation) {}

    /**
     * A random split with {@code round(N * validationFraction)} validation examples (at least one
     * of each kind).
     *
     * @param validationFraction in {@code (0, 1)}
     */
    public static Split trainValidation(Dataset data, double validationFraction, Generator gen) {
        int n = data.size();
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new IllegalArgumentException("split: validation fraction must be in (0, 1), got " + validationFraction);
        int validation = (int) Math.round(n * validationFraction);
        if (validation < 1 || validation > n - 1)
            throw new IllegalArgumentException("split: a validation fraction of " + validationFraction + " of " + n
                    + " examples leaves " + validation + " for validation and " + (n - validation)
                    + " for training; each needs at least one");
        int[] order = permutation(n, gen);
        return new Split(data.subset(Arrays.copyOfRange(order, validation, n)),
                data.subset(Arrays.copyOfRange(order, 0, validation)));
    }

    /**
     * {@code k} folds for cross-validation: the examples are permuted once and cut into {@code k}
     * contiguous validation folds whose sizes differ by at most one; fold {@code i} trains on the
     * other {@code k - 1}. Every example is in exactly one validation fold.
     *
     * @param k in {@code [2, N]}
     */
    public static List<Split> kFold(Dataset data, int k, Generator gen) {
        int n = data.size();
        if (k < 2 || k > n)
            throw new IllegalArgumentException("k-fold: k must be in [2, " + n + "] for " + n + " examples, got " + k);
        int[] order = permutation(n, gen);
        List<Split> folds = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            int from = (int) ((long) i * n / k), to = (int) ((long) (i + 1) * n / k);
            int[] train = new int[n - (to - from)];
            System.arraycopy(order, 0, train, 0, from);
            System.arraycopy(order, to, train, from, n - to);
            folds.add(new Split(data.subset(train), data.subset(Arrays.copyOfRange(order, from, to))));
        }
        return folds;
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates). */
    public static int[] permutation(int n, Generator gen) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = gen.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
