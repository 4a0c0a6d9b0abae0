package dev.jgrad.tests.charts;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks that a chart file is a real picture: a PNG of the stated size, not blank, nothing left beside it. */
public final class PngAssert {
    private PngAssert() {}

    /**
     * Asserts that {@code file} starts with the PNG signature, decodes with ImageIO to
     * {@code width x height} pixels, has at least {@code minColours} distinct colours and between 1% and
     * 60% non-white pixels (drawn, not flooded), and that no temporary file is left in its directory.
     *
     * @return the decoded image, for further checks
     */
    public static BufferedImage chart(Path file, int width, int height, int minColours) throws IOException {
        BufferedImage img = chart(file, minColours);
        assertEquals(width + " x " + height, img.getWidth() + " x " + img.getHeight(), file + ": size");
        return img;
    }

    /** {@link #chart(Path, int, int, int)} for a picture whose size the caller checks itself. */
    public static BufferedImage chart(Path file, int minColours) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > 8 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G',
                file + " does not start with the PNG signature");
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " does not decode as an image");
        int width = img.getWidth(), height = img.getHeight();
        Set<Integer> colours = new HashSet<>();
        long inked = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) inked++;
            }
        assertTrue(colours.size() >= minColours, file + " has only " + colours.size() + " distinct colours");
        double share = inked / (double) ((long) width * height);
        assertTrue(share > 0.01 && share < 0.6, file + ": " + String.format("%.3f", share) + " of the pixels are not white");
        try (Stream<Path> beside = Files.list(file.toAbsolutePath().getParent())) {
            assertTrue(beside.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "a temporary file was left beside " + file);
        }
        return img;
    }

    /** How many pixels of {@code img} in columns {@code [x0, x1)} are within 8 per channel of {@code rgb}. */
    public static int count(BufferedImage img, int rgb, int x0, int x1) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = Math.max(0, x0); x < Math.min(img.getWidth(), x1); x++) {
                int p = img.getRGB(x, y);
                if (Math.abs(((p >> 16) & 255) - ((rgb >> 16) & 255)) <= 8 && Math.abs(((p >> 8) & 255) - ((rgb >> 8) & 255)) <= 8
                        && Math.abs((p & 255) - (rgb & 255)) <= 8) n++;
            }
        return n;
    }
}
