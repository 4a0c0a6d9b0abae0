package dev.jgrad.tests.charts;

import dev.jgrad.cli.charts.Contours;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.DoubleBinaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Marching squares against surfaces whose level sets are known in closed form. */
class ContoursTest {

    private static double[] axis(double lo, double hi, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * i / (n - 1);
        return a;
    }

    private static double[][] sample(double[] xs, double[] ys, DoubleBinaryOperator f) {
        double[][] v = new double[ys.length][xs.length];
        for (int j = 0; j < ys.length; j++)
            for (int i = 0; i < xs.length; i++) v[j][i] = f.applyAsDouble(xs[i], ys[j]);
        return v;
    }

    @Test
    void levelSetsOfTheParaboloidAreClosedCirclesOfRadiusSqrtLevel() {
        double h = 0.05;
        double[] xs = axis(-2, 2, 81), ys = axis(-2, 2, 81);
        double[][] f = sample(xs, ys, (x, y) -> x * x + y * y);
        for (double level : new double[] {0.3, 1.0, 2.2, 3.7}) {
            List<Contours.Line> lines = Contours.at(xs, ys, f, level);
            assertEquals(1, lines.size(), "level " + level + ": one circle");
            Contours.Line c = lines.getFirst();
            int n = c.size();
            assertEquals(c.xs()[0], c.xs()[n - 1], 0.0, "level " + level + ": the circle is closed");
            assertEquals(c.ys()[0], c.ys()[n - 1], 0.0, "level " + level + ": the circle is closed");
            double r = Math.sqrt(level);
            // linear interpolation of f along an edge of length h is off by at most h^2 f'' / 8 = h^2 / 4,
            // so the radius by about h^2 / (8 r); allowed twice that (about 1e-3 here, against h = 0.05)
            double tol = h * h / (4 * r), maxStep = 0;
            for (int k = 0; k < n; k++) {
                assertEquals(r, Math.hypot(c.xs()[k], c.ys()[k]), tol, "level " + level + ", point " + k);
                if (k > 0) maxStep = Math.max(maxStep, Math.hypot(c.xs()[k] - c.xs()[k - 1], c.ys()[k] - c.ys()[k - 1]));
            }
            // consecutive points lie in neighbouring cells, so the line goes round without jumps
            assertTrue(maxStep <= Math.sqrt(2) * h + 1e-12, "level " + level + ": a jump of " + maxStep);
            double turned = 0;
            for (int k = 1; k < n; k++) {
                double d = Math.atan2(c.ys()[k], c.xs()[k]) - Math.atan2(c.ys()[k - 1], c.xs()[k - 1]);
                turned += Math.IEEEremainder(d, 2 * Math.PI);
            }
            assertEquals(2 * Math.PI, Math.abs(turned), 1e-9, "level " + level + ": once round the origin");
        }
        assertTrue(Contours.at(xs, ys, f, 9).isEmpty(), "a level above every value has no line");
    }

    @Test
    void aPlaneGivesOneOpenStraightLineAcrossTheGrid() {
        double[] xs = axis(-1, 1, 21), ys = axis(0, 3, 31);
        // f = 2x - y / 3 is linear, which linear interpolation reproduces exactly: the level-0.25 line is x = 0.125 + y / 6
        List<Contours.Line> lines = Contours.at(xs, ys, sample(xs, ys, (x, y) -> 2 * x - y / 3), 0.25);
        assertEquals(1, lines.size());
        Contours.Line l = lines.getFirst();
        for (int k = 0; k < l.size(); k++) assertEquals(0.125 + l.ys()[k] / 6, l.xs()[k], 1e-12, "point " + k);
        double lo = Math.min(l.ys()[0], l.ys()[l.size() - 1]), hi = Math.max(l.ys()[0], l.ys()[l.size() - 1]);
        assertEquals(0, lo, 1e-12, "the line starts on the bottom edge");
        assertEquals(3, hi, 1e-12, "and ends on the top edge");
    }

    @Test
    void aSaddleCellIsResolvedByTheMeanOfItsCorners() {
        double[] xs = {0, 1}, ys = {0, 1};
        // corners (0,0) and (1,1) are 1, the others 0; level 0.4: the centre (0.5) is above, like (0,0),
        // so the high corners connect through the middle and the lines cut off the low corners (1,0) and (0,1)
        List<Contours.Line> lines = Contours.at(xs, ys, new double[][] {{1, 0}, {0, 1}}, 0.4);
        assertEquals(2, lines.size());
        for (Contours.Line l : lines) {
            assertEquals(2, l.size());
            double mx = (l.xs()[0] + l.xs()[1]) / 2, my = (l.ys()[0] + l.ys()[1]) / 2;
            boolean nearLow = (mx > 0.5 && my < 0.5) || (mx < 0.5 && my > 0.5);
            assertTrue(nearLow, "segment (" + l.xs()[0] + ", " + l.ys()[0] + ") - (" + l.xs()[1] + ", " + l.ys()[1] + ")");
        }
        // level 0.6: the centre is below, so the lines cut off the high corners (0,0) and (1,1) instead
        for (Contours.Line l : Contours.at(xs, ys, new double[][] {{1, 0}, {0, 1}}, 0.6)) {
            double mx = (l.xs()[0] + l.xs()[1]) / 2, my = (l.ys()[0] + l.ys()[1]) / 2;
            assertTrue((mx < 0.5 && my < 0.5) || (mx > 0.5 && my > 0.5), "segment near (" + mx + ", " + my + ")");
        }
    }

    @Test
    void cellsWithANonFiniteCornerAreLeftOut() {
        double[] xs = axis(0, 4, 5), ys = axis(0, 1, 2);
        double[][] f = sample(xs, ys, (x, y) -> y);   // level 0.5 crosses every cell at y = 0.5
        f[0][2] = Double.NaN;                         // cells 1 and 2 touch node (2, 0)
        List<Contours.Line> lines = Contours.at(xs, ys, f, 0.5);
        assertEquals(2, lines.size(), "the line is cut where f is NaN");
        for (Contours.Line l : lines)
            for (int k = 0; k < l.size(); k++) assertTrue(l.xs()[k] <= 1 || l.xs()[k] >= 3, "point at x = " + l.xs()[k]);
    }

    @Test
    void quantileLevelsSplitTheValuesIntoEqualBands() {
        double[][] f = new double[10][10];
        for (int j = 0; j < 10; j++)
            for (int i = 0; i < 10; i++) f[j][i] = 100 - (10 * j + i);   // 1 .. 100, in no sorted order
        // 100 sorted values, 4 bands: the values at indices 99k/4 = 24, 49, 74
        assertArrayEquals(new double[] {25, 50, 75}, Contours.quantileLevels(f, 4), 0.0);
        double[][] flat = {{2, 2}, {2, Double.NaN}};
        assertArrayEquals(new double[] {2}, Contours.quantileLevels(flat, 5), 0.0, "duplicates dropped, NaN ignored");
    }

    @Test
    void badGridsAreRejectedWithTheReason() {
        double[] xs = {0, 1, 2}, ys = {0, 1};
        double[][] f = {{0, 1, 2}, {1, 2, 3}};
        String m = assertThrows(IllegalArgumentException.class, () -> Contours.at(new double[] {0, 2, 1}, ys, f, 1)).getMessage();
        assertTrue(m.contains("strictly increasing"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Contours.at(xs, new double[] {0, 1, 2}, f, 1)).getMessage();
        assertTrue(m.contains("2 rows") && m.contains("3 values"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Contours.at(new double[] {0, 1}, ys, f, 1)).getMessage();
        assertTrue(m.contains("row 0 has 3"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Contours.at(xs, ys, f, Double.NaN)).getMessage();
        assertTrue(m.contains("finite"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Contours.quantileLevels(new double[][] {{Double.NaN}}, 3)).getMessage();
        assertTrue(m.contains("no finite value"), m);
    }
}
