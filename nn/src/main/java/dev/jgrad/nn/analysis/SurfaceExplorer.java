package dev.jgrad.nn.analysis;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;
import dev.jgrad.nn.optim.AdaGrad;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.RMSProp;
import dev.jgrad.nn.optim.SGD;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the real jgrad optimizers (SGD, SGD with momentum 0.9, AdaGrad, RMSProp, Adam) on a
 * {@link ToyProblem} from the same start for a number of steps, each on its own 2-element
 * {@link Parameter} with gradients from autograd, records their paths, and draws them over the
 * surface's contours ({@link #draw}).
 *
 * <p>On the saddle {@code x^2 - y^2} started at {@code (1, 1e-3)}, just off the stable manifold
 * {@code y = 0}, plain SGD's {@code y} only grows by a factor {@code 1 + 2 lr} per step from 1e-3,
 * so it slides into the saddle and crawls there. Measured with lr 0.02 for all, 100 steps (the
 * picture in bench/results/saddle-trajectories.png): momentum (final loss -2.9e7), RMSProp (-33.4)
 * and Adam (-7.5) escape, dividing the tiny {@code y}-gradient by its own running scale or
 * building up speed along {@code y}; SGD (-0.0023) and AdaGrad (0.134, its accumulated squared
 * gradients shrink every later step) are still near the saddle. On {@code tiny-net} started near
 * its stable manifold {@code w1 = -w2}, SGD, momentum and RMSProp escape while AdaGrad and Adam
 * are still near the saddle after 100 steps: which optimizer escapes depends on the surface.
  */
public final class SurfaceExplorer {
    private SurfaceExplorer() {}

    /** The optimizers compared, in drawing order. */
    public static final List<String> OPTIMIZERS = List.of("SGD", "momentum", "AdaGrad", "RMSProp", "Adam");

    /**
     * One optimizer's path.
     *
     * @param points {@code (steps + 1, 2)}: the start, then the parameters after each step
     * @param losses {@code (steps + 1)}: f at each point
     * @param escaped for saddle problems whether the final loss is below the problem's
     *                {@code escapeBelow}; false for the others
     */
    public record Trajectory(String optimizer, float lr, double[][] points, double[] losses, boolean escaped) {
        public double finalLoss() {
            return losses[losses.length - 1];
        }

        public double[] finalPoint() {
            return points[points.length - 1].clone();
        }
    }

    /** The paths of every optimizer on one problem. */
    public record Result(ToyProblem problem, int steps, List<Trajectory> trajectories) {
        public Trajectory trajectory(String optimizer) {
            for (Trajectory t : trajectories) if (t.optimizer().equals(optimizer)) return t;
            throw new IllegalArgumentException("no trajectory for '" + optimizer + "'; have " + OPTIMIZERS);
        }
    }

    /** Runs all of {@link #OPTIMIZERS} for {@code steps} steps from the problem's start. */
    public static Result run(ToyProblem problem, int steps) {
        if (steps < 1) throw new IllegalArgumentException("SurfaceExplorer: steps must be >= 1, got " + steps);
        List<Trajectory> out = new ArrayList<>();
        for (int k = 0; k < OPTIMIZERS.size(); k++) out.add(run(problem, k, steps));
        return new Result(problem, steps, List.copyOf(out));
    }

    private static Trajectory run(ToyProblem problem, int which, int steps) {
        Module point = problem.asModule(problem.start());
        List<Parameter> params = point.parameters();
        float lr = problem.learningRates()[which];
        Optimizer opt = switch (which) {
            case 0 -> new SGD(params, lr);
            case 1 -> new SGD(params, lr, 0.9f, 0f);
            case 2 -> new AdaGrad(params, lr);
            case 3 -> new RMSProp(params, lr);
            case 4 -> new Adam(params, lr);
            default -> throw new IllegalStateException("optimizer index " + which);
        };
        double[][] points = new double[steps + 1][];
        double[] losses = new double[steps + 1];
        Tensor empty = Tensor.scalar(0f);
        for (int t = 0; ; t++) {
            float[] theta = params.get(0).value().toArray();
            points[t] = new double[] {theta[0], theta[1]};
            Tensor loss = point.forward(empty);
            losses[t] = loss.item();
            if (t == steps) break;
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        boolean escaped = !Double.isNaN(problem.escapeBelow()) && losses[steps] < problem.escapeBelow();
        return new Trajectory(OPTIMIZERS.get(which), lr, points, losses, escaped);
    }
}
