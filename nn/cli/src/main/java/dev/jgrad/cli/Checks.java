package dev.jgrad.cli;

import dev.jgrad.engine.Device;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Up-front checks of a command's arguments, run before it reads data or trains: each failure is a
 * {@link ParameterException} naming the option, the value and what is allowed, so picocli reports
 * it as bad usage (exit code 2) instead of a failure found halfway through the work.
 */
final class Checks {
    private final CommandSpec spec;

    Checks(CommandSpec spec) {
        this.spec = spec;
    }

    private ParameterException bad(String option, String message) {
        return new ParameterException(spec.commandLine(), option + ": " + message);
    }

    /** {@code value >= min}. */
    void atLeast(String option, long value, long min) {
        if (value < min) throw bad(option, "must be at least " + min + ", got " + value);
    }

    /** {@code value >= min}, and not NaN or infinite. */
    void atLeast(String option, double value, double min) {
        if (!Double.isFinite(value) || value < min)
            throw bad(option, "must be a finite number of at least " + fmt(min) + ", got " + fmt(value));
    }

    /** {@code value > 0}, and not NaN or infinite. */
    void positive(String option, double value) {
        if (!Double.isFinite(value) || value <= 0) throw bad(option, "must be a finite number above 0, got " + fmt(value));
    }

    /** {@code 0 <= value < 1}. */
    void fraction(String option, double value) {
        if (!(value >= 0 && value < 1)) throw bad(option, "must be in [0, 1), got " + fmt(value));
    }

    /**
     * A file the command will write: its directory exists and is writable, and the path is not a
     * directory or a read-only file. Checked before any work, so that hours of training are not lost
     * to a typo in the output's directory. {@code path} may be null (no output asked for).
     */
    void output(String option, Path path) {
        if (path == null) return;
        Path file = path.toAbsolutePath();
        Path dir = file.getParent();
        if (Files.isDirectory(file)) throw bad(option, file + " is a directory; give a file name");
        if (dir == null || !Files.exists(dir)) throw bad(option, "the directory " + dir + " does not exist; create it first");
        if (!Files.isDirectory(dir)) throw bad(option, dir + " is not a directory");
        if (!Files.isWritable(dir)) throw bad(option, "the directory " + dir + " is not writable");
        if (Files.exists(file) && !Files.isWritable(file)) throw bad(option, file + " exists and is not writable");
    }

    /** A directory the command will write into (created when missing): the nearest existing ancestor is a writable directory. */
    void outputDirectory(String option, Path dir) {
        Path d = dir.toAbsolutePath();
        if (Files.exists(d)) {
            if (!Files.isDirectory(d)) throw bad(option, d + " is not a directory");
            if (!Files.isWritable(d)) throw bad(option, "the directory " + d + " is not writable");
            return;
        }
        Path existing = d.getParent();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing))
            throw bad(option, "cannot create " + d + ": " + existing + " is not a writable directory");
    }

    /** A file the command will read. {@code path} may be null (not given). */
    void inputFile(String option, Path path) {
        if (path == null) return;
        if (!Files.exists(path)) throw bad(option, path.toAbsolutePath() + " does not exist");
        if (Files.isDirectory(path)) throw bad(option, path.toAbsolutePath() + " is a directory, not a file");
        if (!Files.isReadable(path)) throw bad(option, path.toAbsolutePath() + " is not readable");
    }

    /** A directory the command will read. {@code path} may be null (not given: the command's default). */
    void inputDirectory(String option, Path path) {
        if (path == null) return;
        if (!Files.isDirectory(path)) throw bad(option, path.toAbsolutePath() + " is not a directory");
    }

    /** The device called {@code name} ({@code auto}, a type or a kernel set), or bad usage naming the known ones. */
    Device device(String option, String name) {
        try {
            return Device.get(name);
        } catch (IllegalArgumentException e) {
            throw bad(option, e.getMessage());
        }
    }

    /** Bad usage that is not about one value, e.g. two options that exclude each other. */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** A float option's value as the user typed it (0.1, not 0.10000000149011612), a double's as it is. */
    private static String fmt(double v) {
        return (double) (float) v == v ? Float.toString((float) v) : Double.toString(v);
    }
}
