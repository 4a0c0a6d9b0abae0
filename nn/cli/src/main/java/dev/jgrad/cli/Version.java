package dev.jgrad.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * jgrad's version for {@code --version} / {@code -V}: the Maven project version, which the build
 * writes into {@code dev/jgrad/cli/version.properties} (resource filtering), so it is right both
 * in the jar and when the command runs from {@code target/classes}. Every jgrad command names this
 * class as its {@code versionProvider}.
 */
public final class Version implements IVersionProvider {
    private static final String RESOURCE = "version.properties";

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String current() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in == null)
                throw new IllegalStateException("dev/jgrad/cli/" + RESOURCE + " is not on the class path; build jgrad-cli with Maven");
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dev/jgrad/cli/" + RESOURCE, e);
        }
        String v = p.getProperty("version", "");
        if (v.isBlank() || v.contains("${"))
            throw new IllegalStateException("dev/jgrad/cli/" + RESOURCE + " holds no version ('" + v
                    + "'): it was not filtered by Maven; build jgrad-cli with Maven");
        return v.strip();
    }

    /** Two lines: jgrad's version, and the Java runtime's. */
    @Override
    public String[] getVersion() {
        return new String[] {"jgrad " + current(),
                "Java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + "), "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
    }
}
