package dev.jgrad.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;

/** What the report says about the machine it ran on, read from /proc and the JVM. */
final class MachineInfo {
    private MachineInfo() {}

    /** The CPU's model name, e.g. "AMD EPYC". */
    static String cpu() {
        return procField("/proc/cpuinfo", "model name").orElse(System.getProperty("os.arch"));
    }

    /** A file-name slug, e.g. {@code amd-epyc-2core}. */
    static String slug() {
        String s = cpu().toLowerCase(Locale.ROOT).replaceAll("\\(r\\)|\\(tm\\)|cpu|processor|@.*", " ")
                .trim().replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return s + "-" + Runtime.getRuntime().availableProcessors() + "core";
    }

    /** One line: CPU, cores, memory, vector width, JDK, OS. */
    static String describe() {
        String mem = procField("/proc/meminfo", "MemTotal")
                .map(v -> String.format(Locale.ROOT, "%.0f GiB", Long.parseLong(v.replaceAll("\\D", "")) / 1048576.0))
                .orElse("? GiB");
        return String.format(Locale.ROOT, "%s, %d cores, %s, %d-bit Vector API floats, JDK %s, %s %s",
                cpu(), Runtime.getRuntime().availableProcessors(), mem, FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.version"));
    }

    private static java.util.Optional<String> procField(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file)))
                if (line.startsWith(key)) return java.util.Optional.of(line.substring(line.indexOf(':') + 1).trim());
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc unreadable: fall back below
        }
        return java.util.Optional.empty();
    }
}
