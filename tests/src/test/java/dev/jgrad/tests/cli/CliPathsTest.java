package dev.jgrad.tests.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Paths on the command line: relative ones are relative to the user's working directory (given
 * here to {@code Cli.run}), the printed ones are the real ones, and outputs that cannot be written
 * are bad usage before training starts. The training runs are tiny (softmax, 200 images, 1 epoch),
 * so a check that came too late would still end quickly, and fail.
 */
class CliPathsTest {

    /** A tiny training run on the committed subset, with {@code extra} appended. */
    private static String[] tinyTrain(String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--model", "softmax", "--epochs", "1", "--train-limit", "200",
                "--val-fraction", "0", "--device", "cpu", "--data-dir", CliRun.subset().toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void relativePathsAreRelativeToTheWorkingDirectoryAndPrintedAsTheRealOnes(@TempDir Path cwd) throws Exception {
        Files.createDirectory(cwd.resolve("runs"));
        CliRun trained = CliRun.jgrad(cwd, tinyTrain("--save", "runs/rel.safetensors", "--history", "./h.csv", "--plot", "c.png"));
        assertEquals(0, trained.code(), trained.both());
        for (String file : List.of("runs/rel.safetensors", "h.csv", "c.png"))
            assertTrue(Files.size(cwd.resolve(file)) > 0, file + " was not written in " + cwd);
        assertTrue(trained.out().contains("saved " + cwd.resolve("runs/rel.safetensors") + System.lineSeparator()), trained.both());
        assertTrue(trained.out().contains("wrote " + cwd.resolve("h.csv") + System.lineSeparator()), trained.both());
        assertTrue(trained.out().contains("wrote " + cwd.resolve("c.png") + System.lineSeparator()), trained.both());
        assertFalse(Files.exists(Path.of("runs/rel.safetensors")) || Files.exists(Path.of("c.png")),
                "written into the test JVM's own directory");

        // eval reads a relative checkpoint, and a relative data directory, from the same place.
        String relativeData = cwd.relativize(CliRun.subset()).toString();
        CliRun evaluated = CliRun.jgrad(cwd, "eval", "runs/rel.safetensors", "--data-dir", relativeData, "--device", "cpu");
        assertEquals(0, evaluated.code(), evaluated.both());
        assertTrue(evaluated.out().startsWith(cwd.resolve("runs/rel.safetensors") + " (softmax)"), evaluated.both());
    }

    @Test
    void surfaceWritesItsDefaultOutputIntoTheWorkingDirectory(@TempDir Path cwd) throws Exception {
        CliRun r = CliRun.jgrad(cwd, "surface", "saddle", "--steps", "3");
        assertEquals(0, r.code(), r.both());
        assertTrue(Files.size(cwd.resolve("surface.png")) > 0, r.both());
        assertTrue(r.out().contains("wrote " + cwd.resolve("surface.png")), r.both());
    }

    @ParameterizedTest(name = "train {0} into a missing directory")
    @ValueSource(strings = {"--save", "--history", "--plot"})
    void anOutputIntoAMissingDirectoryFailsBeforeTraining(String option, @TempDir Path cwd) {
        CliRun r = CliRun.jgrad(cwd, tinyTrain(option, "no/such/dir/out.file"));
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains(option + ": the directory " + cwd.resolve("no/such/dir") + " does not exist"), r.both());
        assertFalse(r.out().contains("training "), "training started: " + r.both());
    }

    @Test
    void anOutputThatIsADirectoryOrUnderAFileFailsBeforeTraining(@TempDir Path cwd) throws Exception {
        Files.createDirectory(cwd.resolve("adir"));
        Files.writeString(cwd.resolve("afile"), "x");
        CliRun dir = CliRun.jgrad(cwd, tinyTrain("--save", "adir"));
        assertEquals(2, dir.code(), dir.both());
        assertTrue(dir.err().contains("--save: " + cwd.resolve("adir") + " is a directory"), dir.both());
        CliRun underFile = CliRun.jgrad(cwd, tinyTrain("--plot", "afile/c.png"));
        assertEquals(2, underFile.code(), underFile.both());
        assertTrue(underFile.err().contains("--plot: " + cwd.resolve("afile") + " is not a directory"), underFile.both());
        assertFalse(dir.out().contains("training ") || underFile.out().contains("training "));
        CliRun surface = CliRun.jgrad(cwd, "surface", "--out", "missing/s.png");
        assertEquals(2, surface.code(), surface.both());
        assertFalse(Files.exists(cwd.resolve("missing")), surface.both());
    }

    @Test
    void anUnwritableOutputDirectoryFailsBeforeTraining(@TempDir Path cwd) throws Exception {
        Path locked = Files.createDirectory(cwd.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Assumptions.assumeFalse(Files.isWritable(locked), "this user (root?) may write into a read-only directory");
            CliRun r = CliRun.jgrad(cwd, tinyTrain("--history", "locked/h.csv"));
            assertEquals(2, r.code(), r.both());
            assertTrue(r.err().contains("--history: the directory " + locked + " is not writable"), r.both());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void benchOutMustBeADirectoryItCanMake(@TempDir Path cwd) throws Exception {
        Files.writeString(cwd.resolve("afile"), "x");
        CliRun r = CliRun.bench(cwd, "--engines", "machine", "--workloads", "copy256MB", "--out", "afile/results");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("--out: cannot create the directory " + cwd.resolve("afile/results")), r.both());
    }
}
