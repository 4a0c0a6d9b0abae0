package dev.jgrad.tests.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrad latent}: a short GRU-against-MLP run end to end, its chart, and bad usage. */
class CliLatentTest {

    @Test
    void trainsBothModelsOfOneSizeAndScoresThem(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("latent.png");
        CliRun r = CliRun.jgrad("latent", "--steps", "600", "--train", "400", "--updates", "120", "--device", "cpu",
                "--plot", png.toString());
        assertEquals(0, r.code(), r.both());
        Matcher gru = Pattern.compile("GRU \\(hidden 16, (\\d+) parameters\\): 1-step test MSE ([0-9.]+)").matcher(r.out());
        Matcher mlp = Pattern.compile("MLP \\(tau 16, hidden (\\d+), (\\d+) parameters\\): 1-step test MSE ([0-9.]+)").matcher(r.out());
        assertTrue(gru.find() && mlp.find(), r.both());
        // GRU(1, 16) + Linear(16, 1): 3 * 16 * (1 + 16 + 2) + 17 = 929; the MLP (16 + 2) H + 1 within half a unit's 18
        assertEquals(929, Long.parseLong(gru.group(1)), r.both());
        assertTrue(Math.abs(Long.parseLong(mlp.group(2)) - 929) <= 9, r.both());
        // the series' variance is about 0.5 + 0.04: a model that learned nothing scores near it, noise alone 0.04
        assertTrue(Double.parseDouble(gru.group(2)) < 0.3, r.both());
        assertTrue(Double.parseDouble(mlp.group(3)) < 0.3, r.both());
        assertTrue(r.out().contains("    120 "), "the loss table ends at the last update: " + r.both());
        assertTrue(Files.size(png) > 1000, "a PNG was written");
    }

    @Test
    void aTrainingPartShorterThanAChunkIsBadUsage() {
        CliRun r = CliRun.jgrad("latent", "--steps", "100", "--train", "30", "--chunk", "50");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("--train 30 must be at least 51"), r.both());
    }
}
