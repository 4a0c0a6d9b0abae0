package dev.jgrad.bench.compare;

import dev.jgrad.cli.charts.Png;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The two PNG bar charts of a {@link BenchReport}; kept apart so that a runtime without java.desktop still writes the tables. */
final class BenchCharts {
    private static final Color[] COLORS = {new Color(150, 150, 150), new Color(31, 119, 180), new Color(44, 160, 44),
            new Color(255, 127, 14), new Color(188, 189, 34), new Color(214, 39, 40), new Color(148, 103, 189)};
    private final BenchReport report;

    BenchCharts(BenchReport report) {
        this.report = report;
    }

    /** One row per workload, one bar per engine: its speed as a fraction of the fastest engine on that row. */
    void engines(Path file) throws IOException {
        List<String> cols = report.columns();
        List<Workload> rows = Workload.engineWorkloads().stream()
                .filter(w -> cols.stream().filter(c -> !Double.isNaN(report.rate(c, w))).count() >= 2).toList();
        int barH = 9, rowH = barH * cols.size() + 8, left = 200, width = 900, top = 50;
        BufferedImage img = canvas(width, top + rowH * rows.size() + 30);
        Graphics2D g = img.createGraphics();
        setUp(g, "Speed relative to the fastest engine on each workload (longer is faster; same run)");
        legend(g, cols, left, 36);
        int plotW = width - left - 70;
        for (int i = 0; i < rows.size(); i++) {
            Workload w = rows.get(i);
            int y = top + i * rowH;
            double best = cols.stream().mapToDouble(c -> report.rate(c, w)).filter(d -> !Double.isNaN(d)).max().orElse(1);
            g.setColor(Color.BLACK);
            g.drawString(w.id(), 8, y + rowH / 2 + 4);
            for (int j = 0; j < cols.size(); j++) {
                double r = report.rate(cols.get(j), w) / best;
                if (Double.isNaN(r)) continue;
                g.setColor(COLORS[BenchMain.ENGINES.indexOf(cols.get(j)) % COLORS.length]);
                int len = Math.max(1, (int) Math.round(plotW * r));
                g.fillRect(left, y + j * barH, len, barH - 2);
                g.setColor(Color.DARK_GRAY);
                g.drawString(r >= 0.01 ? String.format(Locale.ROOT, "%.2f", r) : "<0.01", left + len + 4, y + j * barH + barH - 2);
            }
        }
        save(img, g, file);
    }

    /** vectorized ÷ looped per workload, on a log scale from 1x to 1000x. */
    void vectorization(Path file) throws IOException {
        List<Workload> rows = Workload.engineWorkloads().stream()
                .filter(w -> !Double.isNaN(report.rate(BenchReport.JGRAD, w) / report.rate("jgrad-looped", w))).toList();
        int rowH = 16, left = 200, width = 900, top = 40;
        BufferedImage img = canvas(width, top + rowH * rows.size() + 40);
        Graphics2D g = img.createGraphics();
        setUp(g, "jgrad: vectorized (Vector API, both cores) over looped (scalar reference), log scale");
        int plotW = width - left - 80;
        for (int k = 0; k <= 3; k++) {
            int x = left + plotW * k / 3;
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(x, top - 4, x, top + rowH * rows.size());
            g.setColor(Color.DARK_GRAY);
            g.drawString((int) Math.pow(10, k) + "x", x - 8, top + rowH * rows.size() + 16);
        }
        for (int i = 0; i < rows.size(); i++) {
            Workload w = rows.get(i);
            double s = report.rate(BenchReport.JGRAD, w) / report.rate("jgrad-looped", w);
            int y = top + i * rowH;
            g.setColor(Color.BLACK);
            g.drawString(w.id(), 8, y + 11);
            int len = (int) Math.round(plotW * Math.max(0, Math.log10(s)) / 3);
            g.setColor(s >= 1 ? COLORS[2] : COLORS[5]);
            g.fillRect(left, y + 2, Math.max(1, len), rowH - 4);
            g.setColor(Color.DARK_GRAY);
            g.drawString(BenchReport.ratio(s), left + len + 4, y + 12);
        }
        save(img, g, file);
    }

    private static BufferedImage canvas(int w, int h) {
        System.setProperty("java.awt.headless", "true");
        return new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    }

    private static void setUp(Graphics2D g, String title) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 4000, 4000);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 8, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    }

    private static void legend(Graphics2D g, List<String> cols, int x, int y) {
        for (String c : cols) {
            g.setColor(COLORS[BenchMain.ENGINES.indexOf(c) % COLORS.length]);
            g.fillRect(x, y - 9, 10, 10);
            g.setColor(Color.BLACK);
            g.drawString(c, x + 14, y);
            x += 24 + g.getFontMetrics().stringWidth(c);
        }
    }

    private static void save(BufferedImage img, Graphics2D g, Path file) throws IOException {
        g.dispose();
        Png.write(img, file);
    }
}
