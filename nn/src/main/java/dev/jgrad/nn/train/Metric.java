package dev.jgrad.nn.train;

import dev.jgrad.engine.Tensor;

import java.util.List;

/**
 * A number that sums up how well a model's outputs match the targets over a whole epoch or data
 * set, accumulated batch by batch. The {@link Trainer} reports each metric in use for training and
 * validation, in its events and in the {@link History} (CSV column {@code train_<name>} and
 * {@code val_<name>}).
 *
 * <p>Built in: {@link #accuracy()} for classifiers; {@link #mse()}, {@link #mae()} and
 * {@link #r2()} for regression. A custom metric implements {@link #name()} and
 * {@link #accumulator()}:
 *
 * <pre>{@code
 * Metric maxError = new Metric() {
 *     public String name() { return "max_error"; }
 *     public Accumulator accumulator() {
 *         return new Accumulator() {
 *             double max;
 *             public void add(Tensor out, Tensor y) {
 *                 float[] o = out.toArray(), t = y.toArray();
 *                 for (int i = 0; i < t.length; i++) max = Math.max(max, Math.abs(o[i] - t[i]));
 *             }
 *             public double value() { return max; }
 *         };
 *     }
 * };
 * }</pre>
 */
public interface Metric {
    /** The metric's name: lower case, no spaces (it becomes a CSV column). */
    String name();

    /** A fresh, empty accumulator (one per epoch and per data set). */
    Accumulator accumulator();

    /** Sums a metric over batches. */
    interface Accumulator {
        /**
         * Adds one batch, called without gradient recording.
         *
         * @param output the model's output for the batch, {@code (N, ...)}
         * @param target the batch's targets {@code (N)} (class indices for classifiers)
         */
        void add(Tensor output, Tensor target);

        /** The metric over every batch added so far (NaN before the first). */
        double value();
    }

    /** Fraction of examples whose largest output (of {@code (N, C)}, C >= 2) is at the target class. */
    static Metric accuracy() {
        return Metrics.ACCURACY;
    }

    /** Mean squared error {@code mean((output - target)^2)} over the examples, output {@code (N)} or {@code (N, 1)}. */
    static Metric mse() {
        return Metrics.MSE;
    }

    /** Root mean squared error, {@code sqrt(mse)}: in the target's own units. */
    static Metric rmse() {
        return Metrics.RMSE;
    }

    /** Mean absolute error {@code mean(|output - target|)}. */
    static Metric mae() {
        return Metrics.MAE;
    }

    /**
     * Coefficient of determination {@code 1 - sum((target - output)^2) / sum((target - mean(target))^2)}:
     * 1 for a perfect fit, 0 for predicting the mean; NaN when the targets are all equal.
     */
    static Metric r2() {
        return Metrics.R2;
    }

    /**
     * What the trainer uses unless told otherwise, from the shape of the model's first output:
     * {@code (N, C)} with C >= 2 is a classifier ({@link #accuracy()}); anything else ({@code (N)},
     * {@code (N, 1)}) is a regression ({@link #mse()}, {@link #rmse()}, {@link #mae()}, {@link #r2()}).
     */
    static List<Metric> defaultsFor(int[] outputShape) {
        return outputShape.length == 2 && outputShape[1] >= 2 ? List.of(accuracy()) : List.of(mse(), rmse(), mae(), r2());
    }
}
