package dev.jgrad.nn.analysis;

import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * A two-parameter error surface {@code f(x, y)} written with jgrad Tensor ops, so the optimizers
 * see gradients from autograd, with the plotting window, the start point and the learning rates
 * the surface explorer uses.
 *
 * @param name        the command-line name
 * @param formula     the formula, for titles and reports
 * @param pointwise   {@code points (M, 2) -> f (M)}, differentiable
 * @param start       where the optimizers start {@code (x, y)}
 * @param window      {@code {xMin, xMax, yMin, yMax}} of the plot
 * @param criticalPoint the point {@code critical} analyses by default
 * @param learningRates for SGD, momentum, AdaGrad, RMSProp, Adam (in {@link SurfaceExplorer#OPTIMIZERS} order)
 * @param escapeBelow  for saddle problems, the loss a trajectory must end below to count as having
 *                    escaped (far below the saddle's value); NaN otherwise
 * @param oneDimensional whether {@code y} is a dummy ({@code f} ignores it; plotted as a curve)
 */
public record ToyProblem(String name, String formula, UnaryOperator<Tensor> pointwise, double[] start, double[] window,
                         double[] criticalPoint, float[] learningRates, double escapeBelow, boolean oneDimensional) {

    /** The names {@link #byName} knows. */
    public static final List<String> NAMES =
            List.of("saddle", "tiny-net", "ill-conditioned", "rosenbrock", "cosine", "minimum", "maximum");

    /** {@code f(theta)} for {@code theta (2)}, a rank-0 tensor. */
    public Tensor loss(Tensor theta) {
        return pointwise.apply(theta.reshape(1, 2)).sum();
    }

    /** {@code f} at each of {@code points (M, 2)}, evaluated in one batched call without grad. */
    public double[] evaluate(double[][] points) {
        float[] flat = new float[points.length * 2];
        for (int i = 0; i < points.length; i++) {
            flat[2 * i] = (float) points[i][0];
            flat[2 * i + 1] = (float) points[i][1];
        }
        try (var noGrad = GradMode.disable()) {
            float[] f = pointwise.apply(Tensor.of(flat, points.length, 2)).toArray();
            double[] out = new double[f.length];
            for (int i = 0; i < f.length; i++) out[i] = f[i];
            return out;
        }
    }

    public double evaluate(double x, double y) {
        return evaluate(new double[][] {{x, y}})[0];
    }

    /**
     * The problem as a {@link Module} with one parameter {@code theta (2)} set to {@code at};
     * {@code forward} ignores its input and returns {@code f(theta)}, so
     * {@code (model, x, y) -> model.forward(x)} is its {@link ModelHessian.BatchLoss}.
     */
    public Module asModule(double[] at) {
        return new PointModule(this, at);
    }

    private static final class PointModule extends Module {
        private final ToyProblem problem;
        private final Parameter theta;

        PointModule(ToyProblem problem, double[] at) {
            this.problem = problem;
            theta = parameter("theta", Tensor.of(new float[] {(float) at[0], (float) at[1]}, 2));
        }

        @Override
        public Tensor forward(Tensor ignored) {
            return problem.loss(theta.value());
        }
    }

    /** The problem called {@code name} (one of {@link #NAMES}). */
    public static ToyProblem byName(String name) {
        return switch (name) {
            case "saddle" -> new ToyProblem("saddle", "f(x, y) = x^2 - y^2",
                    p -> x(p).mul(x(p)).sub(y(p).mul(y(p))),
                    new double[] {1, 1e-3}, new double[] {-1.5, 1.5, -1.5, 1.5}, new double[] {0, 0},
                    new float[] {0.02f, 0.02f, 0.02f, 0.02f, 0.02f}, -0.5, false);
            case "tiny-net" -> new ToyProblem("tiny-net", "L(w1, w2) = mean((w1 w2 x - y)^2), y = 2x + noise",
                    ToyProblem::tinyNet,
                    new double[] {1, -1 + 1e-3}, new double[] {-2.5, 2.5, -2.5, 2.5}, new double[] {0, 0},
                    new float[] {0.02f, 0.02f, 0.02f, 0.02f, 0.02f}, 0.5 * TINY_NET_SADDLE_LOSS, false);
            case "ill-conditioned" -> new ToyProblem("ill-conditioned", "f(x, y) = 0.5 x^2 + 10 y^2",
                    p -> x(p).mul(x(p)).mul(0.5f).add(y(p).mul(y(p)).mul(10f)),
                    new double[] {-1.8, 0.6}, new double[] {-2, 2, -1, 1}, new double[] {0, 0},
                    new float[] {0.09f, 0.01f, 0.3f, 0.02f, 0.05f}, Double.NaN, false);
            case "rosenbrock" -> new ToyProblem("rosenbrock", "f(x, y) = (1 - x)^2 + 100 (y - x^2)^2",
                    p -> {
                        Tensor a = x(p).neg().add(1f), b = y(p).sub(x(p).mul(x(p)));
                        return a.mul(a).add(b.mul(b).mul(100f));
                    },
                    new double[] {-1.2, 1}, new double[] {-2, 2, -1, 3}, new double[] {1, 1},
                    new float[] {5e-4f, 1e-4f, 0.3f, 0.01f, 0.05f}, Double.NaN, false);
            case "cosine" -> new ToyProblem("cosine", "f(x) = x cos(pi x)  (y is a dummy)",
                    p -> x(p).mul(cosPi(x(p))),
                    new double[] {-0.8, 0}, new double[] {-2.5, 2.5, -3, 3}, new double[] {cosineMinimumNear(1.0), 0},
                    new float[] {0.01f, 0.01f, 0.3f, 0.05f, 0.1f}, Double.NaN, true);
            case "minimum" -> new ToyProblem("minimum", "f(x, y) = x^2 + 2 y^2",
                    p -> x(p).mul(x(p)).add(y(p).mul(y(p)).mul(2f)),
                    new double[] {-1.2, 0.8}, new double[] {-1.5, 1.5, -1.5, 1.5}, new double[] {0, 0},
                    new float[] {0.05f, 0.02f, 0.3f, 0.02f, 0.05f}, Double.NaN, false);
            case "maximum" -> new ToyProblem("maximum", "f(x, y) = -(x^2 + 2 y^2)",
                    p -> x(p).mul(x(p)).add(y(p).mul(y(p)).mul(2f)).neg(),
                    new double[] {0.05, 0.02}, new double[] {-1.5, 1.5, -1.5, 1.5}, new double[] {0, 0},
                    new float[] {0.02f, 0.02f, 0.02f, 0.02f, 0.02f}, Double.NaN, false);
            default -> throw new IllegalArgumentException("unknown toy problem '" + name + "'; known: " + NAMES);
        };
    }

    /** The local minimum of {@code x cos(pi x)} nearest {@code guess}, by Newton's method in double. */
    static double cosineMinimumNear(double guess) {
        double x = guess;
        for (int i = 0; i < 50; i++) {
            double d1 = Math.cos(Math.PI * x) - Math.PI * x * Math.sin(Math.PI * x);
            double d2 = -2 * Math.PI * Math.sin(Math.PI * x) - Math.PI * Math.PI * x * Math.cos(Math.PI * x);
            x -= d1 / d2;
        }
        return x;
    }

    private static Tensor x(Tensor points) {
        return points.select(1, 0);
    }

    private static Tensor y(Tensor points) {
        return points.select(1, 1);
    }

    // tiny-net data: 16 inputs x ~ N(0, 1) and targets y = 2x + 0.1 noise, fixed by seed
    private static final float[] NET_X = new float[16], NET_Y = new float[16];
    /** The tiny network's loss at its saddle (w1, w2) = (0, 0): {@code mean(y^2)}. */
    public static final double TINY_NET_SADDLE_LOSS;

    static {
        Random r = new Random(7);
        double s = 0;
        for (int i = 0; i < NET_X.length; i++) {
            NET_X[i] = (float) r.nextGaussian();
            NET_Y[i] = (float) (2 * NET_X[i] + 0.1 * r.nextGaussian());
            s += NET_Y[i] * NET_Y[i];
        }
        TINY_NET_SADDLE_LOSS = s / NET_X.length;
    }

    /** The tiny network's data {@code {x (16), y (16)}} (copies). */
    public static float[][] tinyNetData() {
        return new float[][] {NET_X.clone(), NET_Y.clone()};
    }

    private static Tensor tinyNet(Tensor p) {
        Tensor w1 = p.slice(1, 0, 1), w2 = p.slice(1, 1, 2);                      // (M, 1) each
        Tensor xs = Tensor.of(NET_X, 1, NET_X.length), ys = Tensor.of(NET_Y, 1, NET_Y.length);
        Tensor d = w1.mul(w2).mul(xs).sub(ys);                                     // (M, 16)
        return d.mul(d).mean(1, false);
    }

    /**
     * {@code cos(pi x)} from Tensor ops, which have no cosine: the argument is reduced by the
     * nearest even integer {@code 2k} (a constant, so the gradient is unchanged) to
     * {@code t in [-1, 1]}, then the Taylor series of {@code cos(pi t)} to degree 22 is evaluated by
     * Horner's rule. The series' truncation is below 1e-11; float32 rounding leaves the result within
     * about 5e-7 of {@code Math.cos} (checked in ToyProblemTest).
     */
    public static Tensor cosPi(Tensor x) {
        float[] v;
        try (var noGrad = GradMode.disable()) {
            v = x.toArray();
        }
        float[] shift = new float[v.length];
        for (int i = 0; i < v.length; i++) shift[i] = (float) (2 * Math.rint(v[i] / 2.0));
        Tensor u = x.sub(Tensor.of(x.device(), shift, x.shape())).mul((float) Math.PI);
        Tensor u2 = u.mul(u);
        int terms = 12;                       // k = 0..11: (-1)^k u^(2k) / (2k)!
        double[] coef = new double[terms];
        double fact = 1;
        for (int k = 0; k < terms; k++) {
            if (k > 0) fact *= (2.0 * k - 1) * (2.0 * k);
            coef[k] = (k % 2 == 0 ? 1 : -1) / fact;
        }
        Tensor acc = u2.mul((float) coef[terms - 1]).add((float) coef[terms - 2]);
        for (int k = terms - 3; k >= 0; k--) acc = acc.mul(u2).add((float) coef[k]);
        return acc;
    }
}
