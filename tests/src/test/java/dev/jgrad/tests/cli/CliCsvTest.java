package dev.jgrad.tests.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrad train --csv}: cross-validated regression on the committed diabetes table, and bad usage. */
class CliCsvTest {

    static Path diabetes() throws Exception {
        return Path.of(CliCsvTest.class.getResource("/csv/diabetes.csv").toURI());
    }

    @Test
    void crossValidatesAnMlpAgainstLeastSquares() throws Exception {
        CliRun r = CliRun.jgrad("train", "--csv", diabetes().toString(), "--target", "y", "--folds", "4", "--epochs", "30",
                "--batch-size", "32", "--lr", "0.01", "--device", "cpu");
        assertEquals(0, r.code(), r.both());
        assertFalse(r.out().contains("acc"), "a regression reports no accuracy: " + r.out());
        // four folds of 442 shuffled rows: 110 or 111 held out each, every row held out once
        Matcher f = Pattern.compile("fold \\d/4 \\((\\d+) train, (\\d+) held out\\)").matcher(r.out());
        int held = 0, folds = 0;
        while (f.find()) {
            int train = Integer.parseInt(f.group(1)), test = Integer.parseInt(f.group(2));
            assertEquals(442, train + test, r.out());
            assertTrue(test == 110 || test == 111, r.out());
            held += test;
            folds++;
        }
        assertEquals(4, folds, r.out());
        assertEquals(442, held, r.out());
        assertTrue(r.out().contains("rmse") && r.out().contains("r2"), "the trainer's regression metrics: " + r.out());
        Matcher lin = Pattern.compile("linear regression\\s+cross-validated RMSE ([0-9.]+)").matcher(r.out());
        Matcher mlp = Pattern.compile("MLP\\s+cross-validated RMSE ([0-9.]+)").matcher(r.out());
        assertTrue(lin.find() && mlp.find(), r.out());
        // least squares on these ten features is known to reach an RMSE near 54-55 (y has std 77)
        double linear = Double.parseDouble(lin.group(1)), net = Double.parseDouble(mlp.group(1));
        assertTrue(linear > 50 && linear < 60, r.out());
        assertTrue(net > 40 && net < 77, "the MLP learned something: " + r.out());
    }

    @Test
    void missingValuesAreRejectedByDefaultAndImputedOnRequest(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("gaps.csv");
        StringBuilder sb = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 40; i++) sb.append(i % 7 == 3 ? "" : Integer.toString(i)).append(',').append(i % 5).append(',').append(2 * i).append('\n');
        Files.writeString(csv, sb);
        CliRun r = CliRun.jgrad("train", "--csv", csv.toString(), "--target", "y", "--epochs", "2", "--device", "cpu");
        assertEquals(1, r.code(), r.both());
        assertTrue(r.err().contains("column 'a': a missing value") && r.err().contains("--impute mean"), r.both());
        r = CliRun.jgrad("train", "--csv", csv.toString(), "--target", "y", "--epochs", "2", "--impute", "mean", "--device", "cpu");
        assertEquals(0, r.code(), r.both());
    }

    @Test
    void badUsageIsReportedBeforeAnyWork() throws Exception {
        CliRun r = CliRun.jgrad("train", "--csv", diabetes().toString());
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("--csv needs --target COLUMN"), r.both());
        r = CliRun.jgrad("train", "--csv", diabetes().toString(), "--target", "y", "--model", "lenet");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("--model is for Fashion-MNIST training"), r.both());
        r = CliRun.jgrad("train", "--target", "y");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("--target is for tabular regression"), r.both());
        r = CliRun.jgrad("train", "--csv", diabetes().toString(), "--target", "nope");
        assertEquals(1, r.code(), r.both());
        assertTrue(r.err().contains("no column 'nope'"), r.both());
    }
}
