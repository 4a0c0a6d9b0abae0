package dev.jgrad.tests.charts;

import dev.jgrad.cli.charts.ChartStyle;
import dev.jgrad.cli.charts.TrainingChart;
import dev.jgrad.nn.train.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training chart: two panels for a classifier, the loss alone where there is no accuracy. */
class TrainingChartTest {
    private static final int TRAIN = ChartStyle.PALETTE[0].getRGB(), VALIDATION = ChartStyle.PALETTE[1].getRGB();

    private static History history(int epochs, boolean accuracy, boolean validation) {
        History h = new History();
        for (int e = 1; e <= epochs; e++)
            h.add(new History.Epoch(e, 2.0 / e, accuracy ? 0.5 + 0.04 * e : Double.NaN,
                    validation ? 2.2 / e : Double.NaN, accuracy && validation ? 0.48 + 0.04 * e : Double.NaN, 1.5, 1e-3));
        return h;
    }

    @Test
    void aClassifierGetsLossAndAccuracyPanelsSideBySide(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("run.png");
        TrainingChart.draw(history(10, true, true), png, "classifier", 900, 360);
        BufferedImage img = PngAssert.chart(png, 900, 360, 20);
        assertTrue(PngAssert.count(img, TRAIN, 0, 450) > 200, "train loss line in the left panel");
        assertTrue(PngAssert.count(img, TRAIN, 450, 900) > 200, "train accuracy line in the right panel");
        assertTrue(PngAssert.count(img, VALIDATION, 0, 450) > 200 && PngAssert.count(img, VALIDATION, 450, 900) > 200,
                "validation lines in both panels");
        assertEquals(0, PngAssert.count(img, TRAIN, 440, 460), "the two panels meet at the middle, where no line is drawn");
        // drawn again over the same file: replaced, nothing left beside it
        TrainingChart.draw(history(3, true, true), png, "classifier", 900, 360);
        PngAssert.chart(png, 900, 360, 20);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void aRunWithoutAccuracyGetsTheLossPanelAloneAcrossTheWholeWidth(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("regression.png");
        TrainingChart.draw(history(10, false, false), png, "regression", 900, 360);
        BufferedImage img = PngAssert.chart(png, 900, 360, 10);
        assertTrue(PngAssert.count(img, TRAIN, 440, 460) > 0, "one panel: the loss line crosses the middle");
        assertEquals(0, PngAssert.count(img, VALIDATION, 0, 900), "no validation set: no validation line");
    }

    @Test
    void theDefaultSizeAndBadRequests(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("default.png");
        TrainingChart.draw(history(1, true, false), png, "one epoch");
        PngAssert.chart(png, TrainingChart.WIDTH, TrainingChart.HEIGHT, 10);
        String m = assertThrows(IllegalArgumentException.class, () -> TrainingChart.draw(new History(), png, "empty")).getMessage();
        assertTrue(m.contains("no epochs"), m);
        m = assertThrows(IllegalArgumentException.class, () -> TrainingChart.draw(history(2, true, true), png, "tiny", 50, 40)).getMessage();
        assertTrue(m.contains("50 x 40"), m);
    }
}
