package dev.jgrad.cli.charts;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes XChart charts as PNG to a temporary file beside the target, then renames it into place,
 * so a picture already there is never left half-written.
 */
public final class Png {
    private Png() {}

    /** One chart, {@code chart.getWidth() x chart.getHeight()} pixels. */
    public static void write(Chart<?, ?> chart, Path file) throws IOException {
        write(BitmapEncoder.getBufferedImage(chart), file);
    }

    /**
     * Charts side by side in one picture, left to right, each at its own size: the picture is the sum
     * of their widths by the largest height.
     */
    public static void writeRow(List<? extends Chart<?, ?>> charts, Path file) throws IOException {
        if (charts.isEmpty()) throw new IllegalArgumentException("Png.writeRow: no charts for " + file);
        int width = charts.stream().mapToInt(Chart::getWidth).sum();
        int height = charts.stream().mapToInt(Chart::getHeight).max().orElseThrow();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            for (Chart<?, ?> c : charts) {
                c.paint(g, c.getWidth(), c.getHeight());
                g.translate(c.getWidth(), 0);
            }
        } finally {
            g.dispose();
        }
        write(img, file);
    }

    /** An image already drawn. */
    public static void write(BufferedImage img, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer in this JDK");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Sets {@code java.awt.headless} unless the user chose: charts are drawn off-screen, also where there is no display. */
    public static void headless() {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }
}
