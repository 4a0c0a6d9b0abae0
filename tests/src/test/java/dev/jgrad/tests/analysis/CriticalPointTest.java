package dev.jgrad.tests.analysis;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;
import dev.jgrad.cli.AnalysisCommands;
import dev.jgrad.nn.analysis.CriticalPointReport;
import dev.jgrad.nn.analysis.CriticalPointReport.Verdict;
import dev.jgrad.nn.analysis.CriticalPoints;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline (model, finite-difference HVP, Lanczos, verdict) on quadratic models
 * {@code L(theta) = 0.5 (theta - c)^T A (theta - c)} with planted spectra, so the critical point
 * is c and the Hessian is A exactly.
 */
class CriticalPointTest {
    /** One parameter theta (n); forward ignores its input and returns the quadratic form. */
    static final class Quadratic extends Module {
        final Parameter theta;
        final Tensor a, c;

        Quadratic(double[][] a, double[] center, double[] start) {
            int n = a.length;
            float[] flat = new float[n * n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) flat[i * n + j] = (float) a[i][j];
            this.a = Tensor.of(flat, n, n);
            this.c = Tensor.of(toFloat(center), 1, n);
            theta = parameter("theta", Tensor.of(toFloat(start), n));
        }

        @Override
        public Tensor forward(Tensor ignored) {
            int n = c.size(1);
            Tensor d = theta.value().reshape(1, n).sub(c);
            return d.matmul(a).matmul(d.reshape(n, 1)).sum().mul(0.5f);
        }
    }

    static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    static final List<Tensor[]> NO_DATA = List.<Tensor[]>of(new Tensor[] {Tensor.scalar(0f), Tensor.scalar(0f)});

    static CriticalPointReport analyse(Module m) {
        return CriticalPoints.analyse(m, NO_DATA, (model, x, y) -> model.forward(x), CriticalPoints.Options.defaults());
    }

    static double[] randomCenter(int n, Random r) {
        double[] c = new double[n];
        for (int i = 0; i < n; i++) c[i] = r.nextGaussian() * 0.5;
        return c;
    }

    @Test
    void verdictsForMinimumMaximumSaddleAndNonCriticalPoints() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        int n = 20;
        double[] c = randomCenter(n, r);
        double[] pos = PlantedSpectra.spread(n, 0.5, 4), neg = pos.clone(), mixed = PlantedSpectra.spread(n, -2, 4);
        for (int i = 0; i < n; i++) neg[i] = -pos[i];
        String ctx = "seed " + seed;
        assertEquals(Verdict.LOCAL_MINIMUM, analyse(new Quadratic(new PlantedSpectra(pos, r).matrix, c, c)).verdict(), ctx);
        assertEquals(Verdict.LOCAL_MAXIMUM, analyse(new Quadratic(new PlantedSpectra(neg, r).matrix, c, c)).verdict(), ctx);
        PlantedSpectra saddle = new PlantedSpectra(mixed, r);
        CriticalPointReport rep = analyse(new Quadratic(saddle.matrix, c, c));
        assertEquals(Verdict.SADDLE_POINT, rep.verdict(), ctx + "\n" + rep.toText());
        assertEquals(-2, rep.minEigenvalue(), 2e-3, ctx);
        assertEquals(4, rep.maxEigenvalue(), 4e-3, ctx);
        assertTrue(Math.abs(PlantedSpectra.cos(rep.minEigenvector(), saddle.basis[0])) > 0.99, ctx);
        // away from c the gradient is A (theta - c), far above the 1e-3 tolerance
        double[] off = c.clone();
        off[0] += 0.5;
        assertEquals(Verdict.NOT_CRITICAL, analyse(new Quadratic(saddle.matrix, c, off)).verdict(), ctx);
        // a zero eigenvalue at the bottom: second order cannot decide
        double[] flat = pos.clone();
        flat[0] = 0;
        assertEquals(Verdict.DEGENERATE, analyse(new Quadratic(new PlantedSpectra(flat, r).matrix, c, c)).verdict(), ctx);
    }

    @Test
    void aStepAlongTheEscapeDirectionLowersTheLoss() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        int n = 30;
        double[] c = randomCenter(n, r);
        CriticalPointReport rep = analyse(new Quadratic(new PlantedSpectra(PlantedSpectra.spread(n, -1, 3), r).matrix, c, c));
        String ctx = "seed " + seed + "\n" + rep.toText();
        assertNotNull(rep.escape(), ctx);
        assertTrue(rep.escape().lossAfter() < rep.loss() - 1e-3, ctx);
        // exact quadratic: the drop is the model's 0.5 * lambda_min * step^2
        assertEquals(rep.escape().predictedChange(), rep.escape().lossAfter() - rep.loss(), 2e-4, ctx);
        assertTrue(rep.toText().contains("saddle point") && rep.toText().contains("tolerance"), ctx);
    }

    @Test
    void parametersAndModeAreRestoredExactly() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        int n = 10;
        double[] c = randomCenter(n, r), start = randomCenter(n, r);
        Quadratic q = new Quadratic(new PlantedSpectra(PlantedSpectra.spread(n, -1, 2), r).matrix, c, start);
        float[] before = q.theta.value().toArray();
        q.train();
        analyse(q);
        assertArrayEquals(before, q.theta.value().toArray(), "seed " + seed);
        assertTrue(q.isTraining());
        q.eval();
        analyse(q);
        assertFalse(q.isTraining());
    }

    @Test
    void toyCommandsGiveTheTextbookVerdicts() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        var opts = CriticalPoints.Options.defaults();
        assertEquals(Verdict.SADDLE_POINT, AnalysisCommands.critical("saddle", opts, out).verdict());
        assertEquals(Verdict.LOCAL_MINIMUM, AnalysisCommands.critical("minimum", opts, out).verdict());
        assertEquals(Verdict.LOCAL_MAXIMUM, AnalysisCommands.critical("maximum", opts, out).verdict());
        assertEquals(Verdict.LOCAL_MINIMUM, AnalysisCommands.critical("rosenbrock", opts, out).verdict());
        assertEquals(Verdict.NOT_CRITICAL, AnalysisCommands.critical("saddle@0.5,0.2", opts, out).verdict());
        CriticalPointReport net = AnalysisCommands.critical("tiny-net", opts, out);
        assertEquals(Verdict.SADDLE_POINT, net.verdict());
        // L = mean((w1 w2 x - y)^2): at the origin H = [[0, -2m], [-2m, 0]] with m = mean(x y)
        float[][] data = dev.jgrad.nn.analysis.ToyProblem.tinyNetData();
        double m = 0;
        for (int i = 0; i < data[0].length; i++) m += data[0][i] * data[1][i];
        m /= data[0].length;
        assertEquals(2 * Math.abs(m), net.maxEigenvalue(), 1e-3 * 2 * Math.abs(m));
        assertEquals(1, Math.abs(net.minEigenvector()[0] + Math.signum(m) * net.minEigenvector()[1]) / Math.sqrt(2), 1e-3,
                Arrays.toString(net.minEigenvector()));
        assertTrue(net.escape().lossAfter() < net.loss());
        String text = buf.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("not a critical point") && text.contains("local maximum"), text);
    }
}
