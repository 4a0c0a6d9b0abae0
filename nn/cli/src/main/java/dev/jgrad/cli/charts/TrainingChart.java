package dev.jgrad.cli.charts;

import dev.jgrad.nn.train.History;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** A two-panel PNG line chart of a {@link History}: loss on the left, accuracy on the right. */
public final class TrainingChart {
    private static final int PANEL_W = 480, H = 360, MARGIN = 50;
    private static final Color TRAIN = new Color(31, 119, 180), VAL = new Color(255, 127, 14);

    private TrainingChart() {}

    public static void draw(History history, Path file, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(2 * PANEL_W, H + 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, MARGIN, 20);
        List<History.Epoch> e = history.epochs();
        panel(g, 0, "loss", e, History.Epoch::trainLoss, History.Epoch::valLoss, true);
        panel(g, PANEL_W, "accuracy", e, History.Epoch::trainAccuracy, History.Epoch::valAccuracy, false);
        g.dispose();
        Png.write(img, file);
    }

    private static void panel(Graphics2D g, int x0, String name, List<History.Epoch> epochs,
                              ToDoubleFunction<History.Epoch> train, ToDoubleFunction<History.Epoch> val,
                              boolean legendOnTop) {
        int top = 40, left = x0 + MARGIN, right = x0 + PANEL_W - 20, bottom = H - 10;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (History.Epoch e : epochs)
            for (double v : new double[] {train.applyAsDouble(e), val.applyAsDouble(e)})
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
        if (!(lo <= hi)) { lo = 0; hi = 1; }
        if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(left, top, right - left, bottom - top);
        g.drawString(name, left + 4, top - 4);
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            int y = bottom - (int) Math.round((bottom - top) * i / 4.0);
            g.drawString(String.format(Locale.ROOT, "%.3f", v), x0 + 4, y + 4);
        }
        int n = epochs.size();
        g.drawString("epoch 1", left, bottom + 14);
        g.drawString(Integer.toString(n), right - 12, bottom + 14);
        line(g, epochs, train, TRAIN, lo, hi, left, right, top, bottom);
        line(g, epochs, val, VAL, lo, hi, left, right, top, bottom);
        int legendY = legendOnTop ? top + 15 : bottom - 25;
        g.setColor(TRAIN);
        g.drawString("train", right - 80, legendY);
        g.setColor(VAL);
        g.drawString("validation", right - 80, legendY + 15);
    }

    private static void line(Graphics2D g, List<History.Epoch> epochs, ToDoubleFunction<History.Epoch> f, Color color,
                             double lo, double hi, int left, int right, int top, int bottom) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        int n = epochs.size(), px = -1, py = -1;
        for (int i = 0; i < n; i++) {
            double v = f.applyAsDouble(epochs.get(i));
            if (!Double.isFinite(v)) { px = -1; continue; }
            int x = n == 1 ? (left + right) / 2 : left + (int) Math.round((right - left) * i / (double) (n - 1));
            int y = bottom - (int) Math.round((bottom - top) * (v - lo) / (hi - lo));
            if (px >= 0) g.drawLine(px, py, x, y);
            g.fillOval(x - 3, y - 3, 6, 6);
            px = x;
            py = y;
        }
        g.setStroke(new BasicStroke(1f));
    }
}
