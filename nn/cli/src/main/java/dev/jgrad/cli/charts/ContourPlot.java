package dev.jgrad.cli.charts;

import dev.jgrad.nn.analysis.SurfaceExplorer;
import dev.jgrad.nn.analysis.ToyProblem;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Draws a {@link SurfaceExplorer.Result} with java.awt (headless): filled contour bands of the
 * surface (levels at quantiles of f over the window, so steep and flat regions both show), or for
 * a one-dimensional problem the curve {@code f(x)}; each optimizer's path in its own colour with a
 * start marker and an end dot; a legend with each optimizer's learning rate and final loss.
 */
public final class ContourPlot {
    private static final int PLOT = 560, LEFT = 60, TOP = 40, LEGEND_W = 280, GRID = 280, LEVELS = 18;
    private static final Color[] PATH_COLORS = {
            new Color(214, 39, 40), new Color(255, 127, 14), new Color(44, 160, 44),
            new Color(148, 103, 189), new Color(31, 119, 180)};

    private ContourPlot() {}

    public static void draw(SurfaceExplorer.Result result, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        ToyProblem p = result.problem();
        double[] w = p.window();
        BufferedImage img = new BufferedImage(LEFT + PLOT + 20 + LEGEND_W, TOP + PLOT + 50, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(p.formula() + ", " + result.steps() + " steps", LEFT, 24);
        if (p.oneDimensional()) drawCurve(g, p, w);
        else drawContours(img, p, w);
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, PLOT, PLOT);
        axes(g, w, p.oneDimensional() ? "x" : "x", p.oneDimensional() ? "f(x)" : "y");
        java.awt.Shape clip = g.getClip();
        g.setClip(LEFT, TOP, PLOT + 1, PLOT + 1);
        for (int k = 0; k < result.trajectories().size(); k++)
            path(g, result.trajectories().get(k), PATH_COLORS[k % PATH_COLORS.length], w, p.oneDimensional(), k);
        g.setClip(clip);
        legend(g, result);
        g.dispose();
        Png.write(img, file);
    }

    private static void drawContours(BufferedImage img, ToyProblem p, double[] w) {
        double[][] pts = new double[GRID * GRID][];
        for (int r = 0; r < GRID; r++)
            for (int c = 0; c < GRID; c++)
                pts[r * GRID + c] = new double[] {w[0] + (w[1] - w[0]) * (c + 0.5) / GRID,
                        w[3] - (w[3] - w[2]) * (r + 0.5) / GRID};
        double[] f = p.evaluate(pts);
        double[] sorted = f.clone();
        Arrays.sort(sorted);
        double[] cuts = new double[LEVELS - 1];
        for (int i = 1; i < LEVELS; i++) cuts[i - 1] = sorted[(int) ((long) i * (sorted.length - 1) / LEVELS)];
        int[] band = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            int b = Arrays.binarySearch(cuts, f[i]);
            band[i] = b >= 0 ? b : -b - 1;
        }
        int scale = PLOT / GRID;
        for (int r = 0; r < GRID; r++)
            for (int c = 0; c < GRID; c++) {
                int b = band[r * GRID + c];
                boolean edge = (c + 1 < GRID && band[r * GRID + c + 1] != b) || (r + 1 < GRID && band[(r + 1) * GRID + c] != b);
                int rgb = edge ? 0x808080 : shade(b / (double) (LEVELS - 1));
                for (int dy = 0; dy < scale; dy++)
                    for (int dx = 0; dx < scale; dx++) img.setRGB(LEFT + c * scale + dx, TOP + r * scale + dy, rgb);
            }
    }

    /** Low values pale blue, high values pale yellow. */
    private static int shade(double t) {
        int r = (int) (205 + 45 * t), gr = (int) (222 + 20 * t), b = (int) (245 - 85 * t);
        return (r << 16) | (gr << 8) | b;
    }

    private static void drawCurve(Graphics2D g, ToyProblem p, double[] w) {
        double[][] pts = new double[PLOT][];
        for (int i = 0; i < PLOT; i++) pts[i] = new double[] {w[0] + (w[1] - w[0]) * i / (PLOT - 1.0), 0};
        double[] f = p.evaluate(pts);
        Path2D.Double curve = new Path2D.Double();
        for (int i = 0; i < PLOT; i++) {
            double px = LEFT + i, py = toY(f[i], w);
            if (i == 0) curve.moveTo(px, py);
            else curve.lineTo(px, py);
        }
        g.setColor(new Color(120, 120, 120));
        g.setStroke(new BasicStroke(2f));
        g.draw(curve);
        g.setStroke(new BasicStroke(1f));
    }

    private static double toX(double x, double[] w) {
        return LEFT + PLOT * (x - w[0]) / (w[1] - w[0]);
    }

    private static double toY(double y, double[] w) {
        return TOP + PLOT * (w[3] - y) / (w[3] - w[2]);
    }

    private static void axes(Graphics2D g, double[] w, String xName, String yName) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 4; i++) {
            double x = w[0] + (w[1] - w[0]) * i / 4, y = w[2] + (w[3] - w[2]) * i / 4;
            int px = (int) toX(x, w), py = (int) toY(y, w);
            g.drawString(String.format(Locale.ROOT, "%.2f", x), px - 12, TOP + PLOT + 16);
            g.drawString(String.format(Locale.ROOT, "%.2f", y), LEFT - 40, py + 4);
        }
        g.drawString(xName, LEFT + PLOT / 2, TOP + PLOT + 32);
        g.drawString(yName, 8, TOP + PLOT / 2);
    }

    private static void path(Graphics2D g, SurfaceExplorer.Trajectory t, Color color, double[] w, boolean oneD, int k) {
        double[][] pts = t.points();
        Path2D.Double line = new Path2D.Double();
        for (int i = 0; i < pts.length; i++) {
            double px = toX(pts[i][0], w), py = oneD ? toY(t.losses()[i], w) : toY(pts[i][1], w);
            px = Math.max(-1e4, Math.min(1e4, px));
            py = Math.max(-1e4, Math.min(1e4, py));
            if (i == 0) line.moveTo(px, py);
            else line.lineTo(px, py);
        }
        g.setColor(color);
        g.setStroke(new BasicStroke(oneD ? 1.5f : 2f));
        g.draw(line);
        g.setStroke(new BasicStroke(1f));
        double[] last = pts[pts.length - 1];
        double ex = toX(last[0], w), ey = oneD ? toY(t.finalLoss(), w) : toY(last[1], w);
        g.fillOval((int) ex - 5, (int) ey - 5, 10, 10);
        if (k == 0) {
            g.setColor(Color.BLACK);
            double sx = toX(pts[0][0], w), sy = oneD ? toY(t.losses()[0], w) : toY(pts[0][1], w);
            g.drawRect((int) sx - 5, (int) sy - 5, 10, 10);
        }
    }

    private static void legend(Graphics2D g, SurfaceExplorer.Result result) {
        int x = LEFT + PLOT + 20, y = TOP + 10;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.setColor(Color.BLACK);
        g.drawString("optimizer (lr): final loss", x, y);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        boolean saddle = !Double.isNaN(result.problem().escapeBelow());
        for (int k = 0; k < result.trajectories().size(); k++) {
            SurfaceExplorer.Trajectory t = result.trajectories().get(k);
            y += 22;
            g.setColor(PATH_COLORS[k % PATH_COLORS.length]);
            g.fillRect(x, y - 10, 14, 10);
            g.setColor(Color.BLACK);
            String tag = saddle ? (t.escaped() ? "  escaped" : "  stuck") : "";
            g.drawString(String.format(Locale.ROOT, "%s (%s): %.4g%s", t.optimizer(), trimLr(t.lr()), t.finalLoss(), tag),
                    x + 20, y);
        }
        y += 30;
        g.drawString("square: start; dot: end", x, y);
        if (saddle) g.drawString(String.format(Locale.ROOT, "escaped: final loss < %.3g", result.problem().escapeBelow()),
                x, y + 18);
    }

    private static String trimLr(float lr) {
        return String.format(Locale.ROOT, "%.4g", lr).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
