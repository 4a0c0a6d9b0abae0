package dev.jgrad.cli.charts;

import dev.jgrad.nn.analysis.SurfaceExplorer;
import dev.jgrad.nn.analysis.ToyProblem;
import java.awt.Color;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a {@link SurfaceExplorer.Result} with XChart: the contour lines of the surface over its
 * window ({@value #BANDS} bands split at quantiles of f over a {@value #GRID} x {@value #GRID} grid,
 * so steep and flat regions both show; pale blue low to pale orange high; traced by
 * {@link Contours}), or for a one-dimensional problem the curve {@code f(x)}; each optimizer's path
 * in its own colour, a dot per step and a large dot at its end, the common start as a black
 * square; a legend naming each optimizer with its learning rate, final loss and, on a saddle,
 * whether it escaped (its final loss is below the problem's {@code escapeBelow}, also in the legend).
 */
public final class ContourPlot {
    /** The default picture size, in pixels. */
    public static final int WIDTH = 1000, HEIGHT = 640;
    /** Grid points per side over which f is sampled; quantile bands of f, so {@code BANDS - 1} levels. */
    static final int GRID = 201, BANDS = 18;
    private static final Color[] PATH_COLORS = {
            new Color(214, 39, 40), new Color(255, 127, 14), new Color(44, 160, 44),
            new Color(148, 103, 189), new Color(31, 119, 180)};
    private static final Color LOW = new Color(140, 175, 230), HIGH = new Color(235, 170, 100);

    private ContourPlot() {}

    /** {@link #draw(SurfaceExplorer.Result, Path, int, int)} at {@link #WIDTH} x {@link #HEIGHT}. */
    public static void draw(SurfaceExplorer.Result result, Path file) throws IOException {
        draw(result, file, WIDTH, HEIGHT);
    }

    /**
     * Writes the plot of {@code result} to {@code file} (through a temporary file renamed into
     * place), {@code width x height} pixels.
     */
    public static void draw(SurfaceExplorer.Result result, Path file, int width, int height) throws IOException {
        if (width < 300 || height < 200)
            throw new IllegalArgumentException("ContourPlot: the picture must be at least 300 x 200 pixels, got " + width + " x " + height);
        Png.headless();
        ToyProblem p = result.problem();
        double[] w = p.window();
        boolean saddle = !Double.isNaN(p.escapeBelow()), oneD = p.oneDimensional();
        String title = p.formula() + ", " + result.steps() + " steps";
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("x").yAxisTitle(oneD ? "f(x)" : "y").build();
        var s = ChartStyle.apply(chart.getStyler());
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setXAxisMin(w[0]).setXAxisMax(w[1]).setYAxisMin(w[2]).setYAxisMax(w[3]);
        s.setPlotContentSize(1.0);   // the axes span exactly the window
        s.setPlotGridLinesVisible(oneD);
        s.setMarkerSize(5);
        if (oneD) curve(chart, p, w);
        else contours(chart, p, w);
        List<SurfaceExplorer.Trajectory> paths = result.trajectories();
        for (int k = 0; k < paths.size(); k++)
            path(chart, paths.get(k), PATH_COLORS[k % PATH_COLORS.length], oneD, saddle);
        SurfaceExplorer.Trajectory first = paths.getFirst();
        XYSeries start = chart.addSeries("start", new double[] {first.points()[0][0]},
                new double[] {oneD ? first.losses()[0] : first.points()[0][1]});
        start.setLabel(String.format(Locale.ROOT, "start (%.3g, %.3g)", p.start()[0], p.start()[1]));
        start.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        start.setMarker(scaled(SeriesMarkers.SQUARE, 2)).setMarkerColor(Color.BLACK);
        note(chart, "note: ends", "large dot: where each path ends");
        if (saddle) note(chart, "note: escaped", String.format(Locale.ROOT, "escaped: final loss < %.3g", p.escapeBelow()));
        Png.write(chart, file);
    }

    private static void contours(XYChart chart, ToyProblem p, double[] w) {
        double[] xs = new double[GRID], ys = new double[GRID];
        for (int i = 0; i < GRID; i++) {
            xs[i] = w[0] + (w[1] - w[0]) * i / (GRID - 1);
            ys[i] = w[2] + (w[3] - w[2]) * i / (GRID - 1);
        }
        double[][] pts = new double[GRID * GRID][];
        for (int j = 0; j < GRID; j++)
            for (int i = 0; i < GRID; i++) pts[j * GRID + i] = new double[] {xs[i], ys[j]};
        double[] flat = p.evaluate(pts);
        double[][] f = new double[GRID][];
        for (int j = 0; j < GRID; j++) f[j] = Arrays.copyOfRange(flat, j * GRID, (j + 1) * GRID);
        double[] levels = Contours.quantileLevels(f, BANDS);
        for (int k = 0; k < levels.length; k++) {
            List<Contours.Line> lines = Contours.at(xs, ys, f, levels[k]);
            if (lines.isEmpty()) continue;
            // one series per level, its lines separated by NaN points, where XChart lifts the pen
            int n = lines.stream().mapToInt(l -> l.size() + 1).sum();
            double[] lx = new double[n], ly = new double[n];
            int at = 0;
            for (Contours.Line l : lines) {
                System.arraycopy(l.xs(), 0, lx, at, l.size());
                System.arraycopy(l.ys(), 0, ly, at, l.size());
                at += l.size();
                lx[at] = ly[at] = Double.NaN;
                at++;
            }
            XYSeries s = chart.addSeries("contour " + k, lx, ly);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(blend(LOW, HIGH, levels.length == 1 ? 0 : k / (levels.length - 1.0)));
            s.setLineWidth(1f);
            boolean end = k == 0 || k == levels.length - 1;
            s.setShowInLegend(end);
            if (k == 0) s.setLabel(String.format(Locale.ROOT, "contour f = %.3g (lowest of %d)", levels[k], levels.length));
            else if (end) s.setLabel(String.format(Locale.ROOT, "contour f = %.3g (highest)", levels[k]));
        }
    }

    private static void curve(XYChart chart, ToyProblem p, double[] w) {
        int n = 561;
        double[][] pts = new double[n][];
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = w[0] + (w[1] - w[0]) * i / (n - 1.0);
            pts[i] = new double[] {x[i], 0};
        }
        XYSeries s = chart.addSeries("f(x)", x, p.evaluate(pts));
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(Color.GRAY);
        s.setLineWidth(2f);
    }

    private static void path(XYChart chart, SurfaceExplorer.Trajectory t, Color color, boolean oneD, boolean saddle) {
        double[][] pts = t.points();
        double[] x = new double[pts.length], y = new double[pts.length];
        for (int i = 0; i < pts.length; i++) {
            x[i] = finiteOrNaN(pts[i][0]);
            y[i] = finiteOrNaN(oneD ? t.losses()[i] : pts[i][1]);
        }
        XYSeries s = chart.addSeries(t.optimizer(), x, y);
        s.setLabel(String.format(Locale.ROOT, "%s (lr %s): final loss %.4g%s", t.optimizer(), trimLr(t.lr()),
                t.finalLoss(), saddle ? (t.escaped() ? ", escaped" : ", stuck") : ""));
        s.setLineColor(color).setLineWidth(2f);
        s.setMarker(scaled(SeriesMarkers.CIRCLE, 0.6)).setMarkerColor(color);
        XYSeries end = chart.addSeries(t.optimizer() + " end", new double[] {x[x.length - 1]}, new double[] {y[y.length - 1]});
        end.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        end.setMarker(scaled(SeriesMarkers.CIRCLE, 2)).setMarkerColor(color);
        end.setShowInLegend(false);
    }

    /** A line of text in the legend: a series with no point to draw and an invisible line sample. */
    private static void note(XYChart chart, String name, String text) {
        XYSeries s = chart.addSeries(name, new double[] {Double.NaN}, new double[] {Double.NaN});
        s.setLabel(text);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(new Color(0, 0, 0, 0));
    }

    /** A marker drawn {@code factor} times the chart's marker size (XChart has one size per chart). */
    private static Marker scaled(Marker marker, double factor) {
        return new Marker() {
            @Override
            public void paint(Graphics2D g, double x, double y, int size) {
                marker.paint(g, x, y, Math.max(1, (int) Math.round(size * factor)));
            }
        };
    }

    private static double finiteOrNaN(double v) {
        return Double.isFinite(v) ? v : Double.NaN;   // a diverged step leaves a gap instead of stretching nothing
    }

    private static Color blend(Color a, Color b, double t) {
        return new Color((int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t),
                (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
                (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
    }

    private static String trimLr(float lr) {
        return String.format(Locale.ROOT, "%.4g", lr).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
