package dev.jgrad.nn.train;

import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;

/** The built-in metrics; sums are taken in double. */
final class Metrics {
    private Metrics() {}

    static final Metric ACCURACY = new Named("accuracy") {
        @Override
        public Accumulator accumulator() {
            return new Accumulator() {
                long correct, seen;

                @Override
                public void add(Tensor output, Tensor target) {
                    int[] s = output.shape();
                    if (s.length != 2 || s[1] < 2)
                        throw new IllegalArgumentException("accuracy: needs class scores (N, C) with C >= 2, got output "
                                + Shapes.str(s) + "; for a regression use Metric.mse(), rmse(), mae() or r2()");
                    if (target.numel() != s[0])
                        throw new IllegalArgumentException("accuracy: output " + Shapes.str(s) + " and target "
                                + Shapes.str(target.shape()) + " hold different numbers of examples");
                    float[] predicted = output.argmax(1, false).toArray(), truth = target.toArray();
                    for (int i = 0; i < truth.length; i++) if (predicted[i] == truth[i]) correct++;
                    seen += truth.length;
                }

                @Override
                public double value() {
                    return seen == 0 ? Double.NaN : (double) correct / seen;
                }
            };
        }
    };

    static final Metric MSE = new Named("mse") {
        @Override
        public Accumulator accumulator() {
            return new ErrorSum("mse") {
                @Override
                double term(double error) {
                    return error * error;
                }
            };
        }
    };

    static final Metric RMSE = new Named("rmse") {
        @Override
        public Accumulator accumulator() {
            Accumulator squares = MSE.accumulator();
            return new Accumulator() {
                @Override
                public void add(Tensor output, Tensor target) {
                    squares.add(output, target);
                }

                @Override
                public double value() {
                    return Math.sqrt(squares.value());
                }
            };
        }
    };

    static final Metric MAE = new Named("mae") {
        @Override
        public Accumulator accumulator() {
            return new ErrorSum("mae") {
                @Override
                double term(double error) {
                    return Math.abs(error);
                }
            };
        }
    };

    static final Metric R2 = new Named("r2") {
        @Override
        public Metric.Accumulator accumulator() {
            return new Metric.Accumulator() {
                // Welford's running mean and sum of squared deviations of the targets, and the residual sum.
                long n;
                double mean, deviations, residuals;

                @Override
                public void add(Tensor output, Tensor target) {
                    float[][] pair = regressionPair("r2", output, target);
                    for (int i = 0; i < pair[1].length; i++) {
                        double y = pair[1][i], e = y - pair[0][i];
                        residuals += e * e;
                        n++;
                        double d = y - mean;
                        mean += d / n;
                        deviations += d * (y - mean);
                    }
                }

                @Override
                public double value() {
                    return n == 0 || deviations == 0 ? Double.NaN : 1 - residuals / deviations;
                }
            };
        }
    };

    private abstract static class Named implements Metric {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The mean of {@code term(output - target)} over the examples. */
    private abstract static class ErrorSum implements Metric.Accumulator {
        private final String name;
        private double sum;
        private long n;

        ErrorSum(String name) {
            this.name = name;
        }

        abstract double term(double error);

        @Override
        public void add(Tensor output, Tensor target) {
            float[][] pair = regressionPair(name, output, target);
            for (int i = 0; i < pair[1].length; i++) sum += term((double) pair[0][i] - pair[1][i]);
            n += pair[1].length;
        }

        @Override
        public double value() {
            return n == 0 ? Double.NaN : sum / n;
        }
    }

    /** Output and target as host arrays of one value per example, or an error naming the shapes. */
    private static float[][] regressionPair(String metric, Tensor output, Tensor target) {
        int[] s = output.shape();
        int examples = s.length == 0 ? 1 : s[0];
        if (output.numel() != examples || target.numel() != examples)
            throw new IllegalArgumentException(metric + ": needs one output per example, (N) or (N, 1), and targets (N); got output "
                    + Shapes.str(s) + " and target " + Shapes.str(target.shape()));
        return new float[][] {output.toArray(), target.toArray()};
    }
}
