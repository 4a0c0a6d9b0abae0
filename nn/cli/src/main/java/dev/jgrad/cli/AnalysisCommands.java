package dev.jgrad.cli;

import dev.jgrad.engine.Tensor;
import dev.jgrad.cli.charts.ContourPlot;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.analysis.CriticalPointReport;
import dev.jgrad.nn.analysis.CriticalPoints;
import dev.jgrad.nn.analysis.SurfaceExplorer;
import dev.jgrad.nn.analysis.ToyProblem;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * The analysis commands as the command line calls them: {@code critical} prints a
 * {@link CriticalPointReport} for a toy problem or for a model on a dataset, {@code surface} runs
 * the optimizers on a toy surface and draws their paths. Argument parsing and checkpoint loading
 * belong to the caller.
 */
public final class AnalysisCommands {
    private AnalysisCommands() {}

    /**
     * Analyses a toy problem at a point. {@code spec} is a name from {@link ToyProblem#NAMES},
     * optionally followed by {@code @x,y}: {@code "saddle"} analyses {@code x^2 - y^2} at its
     * critical point (0, 0), {@code "saddle@0.5,0.2"} at (0.5, 0.2) (not a critical point).
     */
    public static CriticalPointReport critical(String spec, CriticalPoints.Options options, PrintStream out) {
        int at = spec.indexOf('@');
        String name = at < 0 ? spec : spec.substring(0, at);
        ToyProblem problem = ToyProblem.byName(name);
        double[] point = problem.criticalPoint();
        if (at >= 0) {
            String[] parts = spec.substring(at + 1).split(",");
            if (parts.length != 2) throw new IllegalArgumentException("critical: the point in '" + spec
                    + "' must be two numbers, as in saddle@0.5,0.2");
            try {
                point = new double[] {Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())};
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("critical: cannot read the point in '" + spec + "': " + e.getMessage());
            }
        }
        Module model = problem.asModule(point);
        List<Tensor[]> oneBatch = List.<Tensor[]>of(new Tensor[] {Tensor.scalar(0f), Tensor.scalar(0f)});
        CriticalPointReport report = CriticalPoints.analyse(model, oneBatch, (m, x, y) -> m.forward(x), options);
        out.printf(Locale.ROOT, "critical point analysis of %s at (%.6g, %.6g)%n", problem.formula(), point[0], point[1]);
        out.print(report.toText());
        return report;
    }

    /**
     * Analyses {@code model} at its current parameters on {@code batches} ({@code {x, y}} pairs on
     * the model's device) under {@code loss(prediction, target)} and prints the report; the model is
     * left as it was (parameters and mode; gradients cleared).
     */
    public static CriticalPointReport critical(Module model, Iterable<Tensor[]> batches,
                                               BiFunction<Tensor, Tensor, Tensor> loss,
                                               CriticalPoints.Options options, PrintStream out) {
        CriticalPointReport report = CriticalPoints.analyse(model, batches, loss, options);
        out.print(report.toText());
        return report;
    }

    /**
     * Runs SGD, momentum, AdaGrad, RMSProp and Adam for {@code steps} steps on the toy surface
     * {@code problem} (a name from {@link ToyProblem#NAMES}), writes the contour plot with their
     * paths to {@code outPng} and prints each optimizer's final point and loss.
     */
    public static SurfaceExplorer.Result surface(String problem, Path outPng, int steps, PrintStream out) {
        ToyProblem p = ToyProblem.byName(problem);
        SurfaceExplorer.Result result = SurfaceExplorer.run(p, steps);
        try {
            ContourPlot.draw(result, outPng);
        } catch (IOException e) {
            throw new UncheckedIOException("surface: cannot write " + outPng + ": " + e.getMessage(), e);
        }
        out.printf(Locale.ROOT, "%s, start (%.4g, %.4g), %d steps%n", p.formula(), p.start()[0], p.start()[1], steps);
        boolean saddle = !Double.isNaN(p.escapeBelow());
        for (SurfaceExplorer.Trajectory t : result.trajectories()) {
            double[] end = t.finalPoint();
            out.printf(Locale.ROOT, "  %-9s lr %-7s final (%9.4g, %9.4g)  loss %.6g%s%n", t.optimizer(),
                    Float.toString(t.lr()), end[0], end[1], t.finalLoss(),
                    saddle ? (t.escaped() ? "  escaped" : "  stuck near the saddle") : "");
        }
        if (saddle) out.printf(Locale.ROOT, "  (escaped: final loss below %.4g)%n", p.escapeBelow());
        out.println("wrote " + outPng);
        return result;
    }
}
