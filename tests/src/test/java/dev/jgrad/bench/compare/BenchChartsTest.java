package dev.jgrad.bench.compare;

import dev.jgrad.tests.charts.PngAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's two bar charts are real pictures with a bar colour per engine. */
class BenchChartsTest {
    private static final List<String> ENGINES = List.of("jgrad-looped", "jgrad-vectorized", "pytorch", "dl4j");

    /** Microseconds per call: looped 40x slower than vectorized everywhere except on one workload, where it is 2x faster. */
    private static BenchReport report(boolean oneSlower) {
        Map<String, Map<Workload, Double>> micros = new LinkedHashMap<>();
        for (String e : ENGINES) {
            Map<Workload, Double> m = new LinkedHashMap<>();
            for (Workload w : Workload.engineWorkloads()) {
                double us = switch (e) {
                    case "jgrad-looped" -> oneSlower && w == Workload.ADD_10K ? 5 : 400;
                    case "jgrad-vectorized" -> 10;
                    case "pytorch" -> 12;
                    default -> 30;
                };
                if (!(e.equals("dl4j") && w == Workload.ADAM_1M)) m.put(w, us);
            }
            micros.put(e, m);
        }
        return new BenchReport(micros, Workload.engineWorkloads(), Map.of(), Map.of(), true, 1);
    }

    @Test
    void theEnginesChartHasABarColourForEveryEngine(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("engines.png");
        new BenchCharts(report(false)).engines(png);
        BufferedImage img = PngAssert.chart(png, 20);
        assertEquals(BenchCharts.HEIGHT, img.getHeight());
        assertTrue(img.getWidth() >= 900, "width " + img.getWidth());
        for (String e : ENGINES) {
            int rgb = BenchCharts.COLORS[BenchMain.ENGINES.indexOf(e)].getRGB();
            assertTrue(PngAssert.count(img, rgb, 0, img.getWidth()) > 100, e + "'s bars are missing");
        }
    }

    @Test
    void theVectorizationChartShowsSlowerWorkloadsInTheirOwnColour(@TempDir Path dir) throws Exception {
        Path all = dir.resolve("faster.png"), one = dir.resolve("one-slower.png");
        new BenchCharts(report(false)).vectorization(all);
        new BenchCharts(report(true)).vectorization(one);
        BufferedImage a = PngAssert.chart(all, 10), b = PngAssert.chart(one, 10);
        int faster = BenchCharts.FASTER.getRGB(), slower = BenchCharts.SLOWER.getRGB();
        assertTrue(PngAssert.count(a, faster, 0, a.getWidth()) > 1000, "bars of the faster workloads");
        assertEquals(0, PngAssert.count(a, slower, 0, a.getWidth()), "nothing slower, no bar in the slower colour");
        assertTrue(PngAssert.count(b, slower, 0, b.getWidth()) > 100, "the slower workload's bar");
    }
}
