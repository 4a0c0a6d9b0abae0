package dev.jgrad.tests.analysis;

import dev.jgrad.engine.Tensor;
import dev.jgrad.cli.AnalysisCommands;
import dev.jgrad.cli.charts.ContourPlot;
import dev.jgrad.nn.analysis.SurfaceExplorer;
import dev.jgrad.nn.analysis.ToyProblem;
import dev.jgrad.tests.charts.PngAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The error-surface explorer: the PNG, and the documented escape behaviour at the saddle. */
class SurfaceExplorerTest {

    @Test
    void saddlePlotIsWrittenAndSgdCrawlsWhileAdaptiveMethodsEscape(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("saddle.png");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        SurfaceExplorer.Result res = AnalysisCommands.surface("saddle", png, 100,
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        PngAssert.chart(png, ContourPlot.WIDTH, ContourPlot.HEIGHT, 50);
        String text = buf.toString(StandardCharsets.UTF_8);
        // x^2 - y^2 from (1, 1e-3): SGD's y grows only by 1 + 2 lr per step; it slides into the saddle
        SurfaceExplorer.Trajectory sgd = res.trajectory("SGD");
        assertFalse(sgd.escaped(), text);
        assertTrue(Math.abs(sgd.finalPoint()[0]) < 0.05 && Math.abs(sgd.finalPoint()[1]) < 0.1, text);
        double[] y = new double[sgd.points().length];
        for (int t = 0; t < y.length; t++) y[t] = sgd.points()[t][1];
        assertEquals(1e-3 * Math.pow(1 + 2 * sgd.lr(), 100), y[100], 1e-3 * y[100], text);   // the textbook y-recurrence
        for (String name : new String[] {"momentum", "RMSProp", "Adam"})
            assertTrue(res.trajectory(name).escaped() && res.trajectory(name).finalLoss() < -1, name + "\n" + text);
        assertTrue(text.contains("escaped") && text.contains("stuck"), text);
    }

    @Test
    void everyProblemRunsAndDescends(@TempDir Path dir) throws Exception {
        for (String name : new String[] {"tiny-net", "ill-conditioned", "rosenbrock", "cosine"}) {
            ToyProblem p = ToyProblem.byName(name);
            SurfaceExplorer.Result res = SurfaceExplorer.run(p, 40);
            for (SurfaceExplorer.Trajectory t : res.trajectories())
                assertTrue(t.finalLoss() < t.losses()[0], name + " " + t.optimizer() + ": " + t.losses()[0] + " -> " + t.finalLoss());
            ContourPlot.draw(res, dir.resolve(name + ".png"), 720, 480);
            PngAssert.chart(dir.resolve(name + ".png"), 720, 480, 50);
        }
        SurfaceExplorer.Result res = SurfaceExplorer.run(ToyProblem.byName("minimum"), 5);
        String m = assertThrows(IllegalArgumentException.class, () -> ContourPlot.draw(res, dir.resolve("tiny.png"), 120, 90)).getMessage();
        assertTrue(m.contains("120 x 90"), m);
    }

    @Test
    void cosPiMatchesMathCos() {
        float[] xs = new float[201];
        for (int i = 0; i < xs.length; i++) xs[i] = -5f + 0.05f * i + 0.0123f;
        float[] c = ToyProblem.cosPi(Tensor.of(xs, xs.length)).toArray();
        for (int i = 0; i < xs.length; i++) assertEquals(Math.cos(Math.PI * xs[i]), c[i], 1e-6, "x = " + xs[i]);
        // and the surface value agrees with the formula in double
        ToyProblem cos = ToyProblem.byName("cosine");
        assertEquals(0.3 * Math.cos(Math.PI * 0.3), cos.evaluate(0.3, 7), 1e-6);
    }
}
