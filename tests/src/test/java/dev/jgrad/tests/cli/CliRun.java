package dev.jgrad.tests.cli;

import dev.jgrad.bench.compare.BenchMain;
import dev.jgrad.cli.Cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.IntSupplier;

/** One in-process run of a jgrad command line: its exit code and what it printed on each stream. */
record CliRun(int code, String out, String err) {

    /** {@code jgrad ARGS} with relative paths resolved against {@code workingDirectory}. */
    static CliRun jgrad(Path workingDirectory, String... args) {
        return capture(() -> Cli.run(workingDirectory, args));
    }

    /** {@code jgrad ARGS} in the test JVM's working directory. */
    static CliRun jgrad(String... args) {
        return capture(() -> Cli.run(args));
    }

    /** {@code jgrad bench ARGS} (BenchMain) with relative paths resolved against {@code workingDirectory}. */
    static CliRun bench(Path workingDirectory, String... args) {
        return capture(() -> BenchMain.run(workingDirectory, args));
    }

    /** The committed Fashion-MNIST subset (3,000 train / 1,000 test images). */
    static Path subset() {
        try {
            return Path.of(CliRun.class.getResource("/fashion-mnist-subset/README.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code out} and {@code err} together, for failure messages. */
    String both() {
        return "exit code " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }

    /** {@code text} with every run of white space as one space: the help, whatever its wrapping. */
    static String flat(String text) {
        return text.replaceAll("\\s+", " ");
    }

    private static synchronized CliRun capture(IntSupplier run) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = run.getAsInt();
        } finally {
            System.out.flush();
            System.err.flush();
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
