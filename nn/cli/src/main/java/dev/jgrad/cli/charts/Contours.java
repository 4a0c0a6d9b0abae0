package dev.jgrad.cli.charts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Contour lines of a function sampled on a rectangular grid, by marching squares: each grid cell
 * whose corners lie on both sides of the level gets a segment between the crossing points on its
 * edges (linear interpolation along the edge); segments that share an edge are joined into
 * polylines. A cell with two opposite corners above the level and two below (a saddle cell) is
 * resolved by the mean of its four corners. Cells with a non-finite corner get no segment.
 *
 * <p>This is the data behind {@link ContourPlot}'s lines; XChart, which draws them, has no contour
 * chart of its own.
 */
public final class Contours {
    private Contours() {}

    /**
     * One contour line, open (ending at the grid's border or at a non-finite cell) or closed (its
     * last point equals its first).
     *
     * @param xs {@code (n)} x coordinates of the points, in order along the line
     * @param ys {@code (n)} y coordinates
     */
    public record Line(double[] xs, double[] ys) {
        public int size() {
            return xs.length;
        }
    }

    /**
     * The lines where {@code f = level}.
     *
     * @param xs    {@code (nx)} grid x coordinates, strictly increasing, {@code nx >= 2}
     * @param ys    {@code (ny)} grid y coordinates, strictly increasing, {@code ny >= 2}
     * @param f     {@code (ny, nx)}: {@code f[j][i]} is the value at {@code (xs[i], ys[j])}
     * @param level a finite value
     */
    public static List<Line> at(double[] xs, double[] ys, double[][] f, double level) {
        check(xs, ys, f, level);
        Tracer t = new Tracer(xs, ys, f, level);
        t.cells();
        return t.join();
    }

    /**
     * {@code bands - 1} levels that split the finite values of {@code f} into {@code bands} groups
     * of about equal size (the {@code k / bands} quantiles, {@code k = 1 .. bands - 1}), duplicates
     * dropped, increasing; so steep and flat regions of a surface both get lines.
     */
    public static double[] quantileLevels(double[][] f, int bands) {
        if (bands < 2) throw new IllegalArgumentException("Contours.quantileLevels: bands must be >= 2, got " + bands);
        double[] sorted = Arrays.stream(f).flatMapToDouble(Arrays::stream).filter(Double::isFinite).sorted().toArray();
        if (sorted.length == 0) throw new IllegalArgumentException("Contours.quantileLevels: f has no finite value");
        return IntStream.range(1, bands)
                .mapToDouble(k -> sorted[(int) ((long) k * (sorted.length - 1) / bands)]).distinct().toArray();
    }

    private static void check(double[] xs, double[] ys, double[][] f, double level) {
        if (xs.length < 2 || ys.length < 2)
            throw new IllegalArgumentException("Contours: the grid needs at least 2 x 2 points, got " + xs.length + " x " + ys.length);
        if (f.length != ys.length)
            throw new IllegalArgumentException("Contours: f has " + f.length + " rows, ys has " + ys.length + " values");
        for (int j = 0; j < f.length; j++)
            if (f[j].length != xs.length)
                throw new IllegalArgumentException("Contours: f row " + j + " has " + f[j].length + " values, xs has " + xs.length);
        for (double[] axis : new double[][] {xs, ys})
            for (int i = 1; i < axis.length; i++)
                if (!(axis[i] > axis[i - 1]))
                    throw new IllegalArgumentException("Contours: grid coordinates must be strictly increasing, got "
                            + axis[i - 1] + " then " + axis[i] + " at index " + i);
        if (!Double.isFinite(level)) throw new IllegalArgumentException("Contours: level must be finite, got " + level);
    }

    /**
     * Edge ids: the horizontal edge from node {@code (i, j)} to {@code (i + 1, j)} is
     * {@code 2 (j nx + i)}, the vertical one from {@code (i, j)} to {@code (i, j + 1)} is
     * {@code 2 (j nx + i) + 1}. A crossing point is a function of its edge alone, so the two cells
     * that share an edge put the same point there, and the edge links their segments.
     */
    private static final class Tracer {
        private final double[] xs, ys;
        private final double[][] f;
        private final double level;
        private final int nx;
        /** {@code partner[2 e]}, {@code partner[2 e + 1]}: the edges joined to edge e by a segment, -1 if none. */
        private final int[] partner;

        Tracer(double[] xs, double[] ys, double[][] f, double level) {
            this.xs = xs;
            this.ys = ys;
            this.f = f;
            this.level = level;
            nx = xs.length;
            partner = new int[4 * nx * ys.length];
            Arrays.fill(partner, -1);
        }

        void cells() {
            for (int j = 0; j + 1 < ys.length; j++)
                for (int i = 0; i + 1 < nx; i++) cell(i, j);
        }

        private void cell(int i, int j) {
            double v00 = f[j][i], v10 = f[j][i + 1], v01 = f[j + 1][i], v11 = f[j + 1][i + 1];
            if (!(Double.isFinite(v00) && Double.isFinite(v10) && Double.isFinite(v01) && Double.isFinite(v11))) return;
            boolean a00 = v00 >= level, a10 = v10 >= level, a01 = v01 >= level, a11 = v11 >= level;
            int bottom = 2 * (j * nx + i), top = 2 * ((j + 1) * nx + i), left = bottom + 1, right = 2 * (j * nx + i + 1) + 1;
            List<Integer> crossed = new ArrayList<>(4);   // in order around the cell: bottom, right, top, left
            if (a00 != a10) crossed.add(bottom);
            if (a10 != a11) crossed.add(right);
            if (a01 != a11) crossed.add(top);
            if (a00 != a01) crossed.add(left);
            if (crossed.size() == 2) {
                link(crossed.get(0), crossed.get(1));
            } else if (crossed.size() == 4) {
                // a saddle cell: if the centre is on corner 00's side, that side joins 00 to 11 through the
                // middle and the lines cut off corners 10 and 01; otherwise they cut off 00 and 11
                boolean centre = (v00 + v10 + v01 + v11) / 4 >= level;
                if (centre == a00) {
                    link(bottom, right);
                    link(top, left);
                } else {
                    link(bottom, left);
                    link(right, top);
                }
            }
        }

        private void link(int a, int b) {
            attach(a, b);
            attach(b, a);
        }

        private void attach(int edge, int other) {
            if (partner[2 * edge] < 0) partner[2 * edge] = other;
            else if (partner[2 * edge + 1] < 0) partner[2 * edge + 1] = other;
            else throw new IllegalStateException("Contours: edge " + edge + " has more than two segments");
        }

        private int degree(int edge) {
            return (partner[2 * edge] >= 0 ? 1 : 0) + (partner[2 * edge + 1] >= 0 ? 1 : 0);
        }

        /** Walks the linked edges into lines: first from the open ends, then what is left, which are loops. */
        List<Line> join() {
            int edges = partner.length / 2;
            boolean[] done = new boolean[edges];
            List<Line> lines = new ArrayList<>();
            for (int pass = 1; pass <= 2; pass++)
                for (int e = 0; e < edges; e++)
                    if (!done[e] && degree(e) == pass) lines.add(walk(e, done));
            return lines;
        }

        private Line walk(int start, boolean[] done) {
            List<double[]> points = new ArrayList<>();
            int prev = -1, cur = start;
            while (true) {
                done[cur] = true;
                points.add(point(cur));
                int p0 = partner[2 * cur], p1 = partner[2 * cur + 1];
                int next = p0 != prev ? p0 : p1;
                if (next < 0) break;
                if (done[next]) {
                    if (next == start) points.add(point(start));   // a closed loop
                    break;
                }
                prev = cur;
                cur = next;
            }
            double[] lx = new double[points.size()], ly = new double[points.size()];
            for (int k = 0; k < lx.length; k++) {
                lx[k] = points.get(k)[0];
                ly[k] = points.get(k)[1];
            }
            return new Line(lx, ly);
        }

        /** Where f crosses the level on an edge, by linear interpolation between its two nodes. */
        private double[] point(int edge) {
            int node = edge / 2, i = node % nx, j = node / nx;
            boolean vertical = (edge & 1) == 1;
            int i2 = vertical ? i : i + 1, j2 = vertical ? j + 1 : j;
            double a = f[j][i], b = f[j2][i2], t = (level - a) / (b - a);
            return new double[] {xs[i] + t * (xs[i2] - xs[i]), ys[j] + t * (ys[j2] - ys[j])};
        }
    }
}
