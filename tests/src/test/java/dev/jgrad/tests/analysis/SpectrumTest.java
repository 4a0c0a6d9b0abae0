package dev.jgrad.tests.analysis;

import dev.jgrad.nn.analysis.Spectrum;
import dev.jgrad.nn.analysis.SymmetricEigen;
import dev.jgrad.nn.analysis.SymmetricOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lanczos, Hutchinson and SLQ on quadratic forms with planted spectra of both signs, on the exact
 * double-precision operator (the finite-difference HVP is tested in its own class).
 */
class SpectrumTest {

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {10, 30, 50})
    void lanczosRecoversBothEndsOfAPlantedSpectrum(int n) {
        long seed = System.nanoTime();
        PlantedSpectra a = new PlantedSpectra(PlantedSpectra.spread(n, -3, 7), new Random(seed));
        Spectrum.Extremes ex = Spectrum.lanczos(SymmetricOperator.of(a.matrix), n, 2, 200, 1e-6, seed);
        String ctx = "seed " + seed + ", n " + n + ", planted " + Arrays.toString(a.lambdas) + ", steps " + ex.steps();
        assertEquals(7, ex.values()[0], 1e-3 * 7, ctx);
        assertEquals(a.lambdas[n - 2], ex.values()[1], 1e-3 * 7, ctx);
        assertEquals(-3, ex.smallest(), 1e-3 * 3, ctx);
        assertTrue(Math.abs(PlantedSpectra.cos(ex.vectors()[0], a.basis[n - 1])) > 0.99, ctx);
        assertTrue(Math.abs(PlantedSpectra.cos(ex.vectors()[1], a.basis[n - 2])) > 0.99, ctx);
        assertTrue(Math.abs(PlantedSpectra.cos(ex.smallestVector(), a.basis[0])) > 0.99, ctx);
        assertTrue(ex.converged(), ctx);
    }

    @Test
    void hutchinsonTraceIsWithinFourStandardErrors() {
        long seed = System.nanoTime();
        int n = 40;
        PlantedSpectra a = new PlantedSpectra(PlantedSpectra.spread(n, -2, 5), new Random(seed));
        double trace = Arrays.stream(a.lambdas).sum();
        Spectrum.TraceEstimate t = Spectrum.hutchinson(SymmetricOperator.of(a.matrix), n, 400, seed);
        String ctx = "seed " + seed + ": estimate " + t.trace() + " +- " + t.standardError() + ", true " + trace;
        assertTrue(Math.abs(t.trace() - trace) <= 4 * t.standardError(), ctx);
        // the standard error itself should be near the Rademacher theory: sqrt(2 (||A||_F^2 - sum A_ii^2) / samples)
        double off = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (i != j) off += a.matrix[i][j] * a.matrix[i][j];
        double theory = Math.sqrt(2 * off / 400);
        assertEquals(theory, t.standardError(), 0.3 * theory, ctx);
    }

    @Test
    void slqDensityHasUnitMassAndTheRightMean() {
        long seed = System.nanoTime();
        int n = 30;
        PlantedSpectra a = new PlantedSpectra(PlantedSpectra.spread(n, -1, 4), new Random(seed));
        Spectrum.Density d = Spectrum.density(SymmetricOperator.of(a.matrix), n, 20, 30, seed);
        double mass = Arrays.stream(d.weights()).sum(), mean = 0;
        for (int i = 0; i < d.nodes().length; i++) mean += d.weights()[i] * d.nodes()[i];
        assertEquals(1, mass, 1e-9, "seed " + seed);
        double trueMean = Arrays.stream(a.lambdas).average().orElseThrow();
        assertEquals(trueMean, mean, 0.25, "seed " + seed);   // tr(A)/n, estimated from 20 probes
        assertTrue(d.at(trueMean, 0.3) > 0, "seed " + seed);
    }

    @Test
    void jacobiDiagonalizesAKnownMatrix() {
        double[][] m = {{2, 1, 0}, {1, 2, 1}, {0, 1, 2}};   // eigenvalues 2 + sqrt2, 2, 2 - sqrt2
        SymmetricEigen e = SymmetricEigen.of(m);
        assertEquals(2 + Math.sqrt(2), e.values()[0], 1e-12);
        assertEquals(2, e.values()[1], 1e-12);
        assertEquals(2 - Math.sqrt(2), e.values()[2], 1e-12);
        double[] v = e.vector(0);
        assertEquals(1, Math.abs(PlantedSpectra.cos(v, new double[] {0.5, Math.sqrt(0.5), 0.5})), 1e-12);
    }
}
