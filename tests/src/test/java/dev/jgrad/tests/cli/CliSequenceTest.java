package dev.jgrad.tests.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrad sequence}: a short autoregression run end to end, its chart, and bad usage. */
class CliSequenceTest {

    @Test
    void trainsPredictsAheadAndDraws(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("k-step.png");
        CliRun r = CliRun.jgrad("sequence", "--steps", "400", "--train", "250", "--epochs", "3", "--horizons", "1,8",
                "--device", "cpu", "--plot", png.toString());
        assertEquals(0, r.code(), r.both());
        Matcher m = Pattern.compile("1-step test MSE ([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.both());
        // the series' variance is about 0.5 + 0.04: a model that learned nothing scores near it, noise alone 0.04
        assertTrue(Double.parseDouble(m.group(1)) < 0.2, r.both());
        assertTrue(r.out().contains("1-step-ahead MSE ") && r.out().contains("8-step-ahead MSE "), r.both());
        assertTrue(Files.size(png) > 1000, "a PNG was written");
    }

    @Test
    void tooManyTrainingWindowsIsBadUsage() {
        CliRun r = CliRun.jgrad("sequence", "--steps", "100", "--train", "90", "--horizons", "16");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("--train 90 must leave test windows"), r.both());
    }
}
