package dev.jgrad.tests.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrad gradients}: a small run of the four configurations end to end, and bad usage. */
class CliGradientsTest {

    @Test
    void printsEachRunsLayerNormsAndDraws(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("norms.png");
        CliRun r = CliRun.jgrad("gradients", "--layers", "3", "--width", "8", "--epochs", "2", "--examples", "128",
                "--device", "cpu", "--plot", png.toString());
        assertEquals(0, r.code(), r.both());
        for (String run : new String[] {"default init ", "default init, batch norm ", "N(0, 1) init ", "N(0, 1) init, batch norm "})
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(run) && l.matches(".*(\\d\\.\\d{3}e[-+]\\d\\d\\s+){3}\\d\\.\\d{4}")),
                    run + ": " + r.both());
        assertTrue(Files.size(png) > 1000, "a PNG was written");
    }

    @Test
    void oneLayerIsBadUsage() {
        CliRun r = CliRun.jgrad("gradients", "--layers", "1");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("--layers"), r.both());
    }
}
