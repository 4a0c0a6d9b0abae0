package dev.jgrad.tests.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Providers that fail to load (a missing class, a class that is no provider, a throwing static
 * initializer, constructor or {@code type()}) are skipped and reported, and one whose probe throws
 * is reported unavailable; the CPU still works. They are registered for a child JVM only, by a
 * services file on its class path ahead of the engine's, so the suite never sees them.
 */
class BrokenProviderTest {

    @Test
    void brokenProvidersAreReportedAndSkipped(@TempDir Path dir) throws Exception {
        String b = BrokenProviders.class.getName() + "$";
        Path services = dir.resolve("META-INF/services/dev.jgrad.engine.BackendProvider");
        Files.createDirectories(services.getParent());
        Files.writeString(services, String.join("\n",
                "dev.jgrad.tests.spi.NoSuchProvider",
                b + "NotAProvider",
                b + "ThrowsInStaticInit",
                b + "ThrowsInConstructor",
                b + "ThrowsInType",
                b + "ThrowsInUnavailableReason") + "\n");

        ChildJvm.Result r = ChildJvm.run(BrokenProviderMain.class, List.of(dir),
                List.of("--add-modules", "jdk.incubator.vector", "-Djgrad.device=auto", "-Djgrad.cuda.emulate=false"));
        String out = r.output();
        assertEquals(0, r.exitCode(), "Device must survive broken providers:\n" + out);
        String report = out.substring(out.indexOf("report:\n"), out.indexOf("end of report"));

        for (String name : List.of("dev.jgrad.tests.spi.NoSuchProvider", b + "NotAProvider", b + "ThrowsInStaticInit",
                b + "ThrowsInConstructor", b + "ThrowsInType")) {
            assertTrue(report.lines().anyMatch(l -> l.startsWith("provider ") && l.contains(name) && l.endsWith("skipped")),
                    "the report must name " + name + " as skipped:\n" + report);
            assertTrue(out.lines().anyMatch(l -> l.startsWith("failure: ") && l.contains(name)), "loadFailures must list " + name);
        }
        assertTrue(report.contains("static initializer failure on purpose"), "with what it threw:\n" + report);
        assertTrue(report.contains("constructor failure on purpose"), report);
        assertTrue(report.contains("type() failure on purpose"), report);
        assertTrue(report.contains("not found"), "a missing class is named as such:\n" + report);
        assertTrue(report.contains("flaky (rank 1000): unavailable") && report.contains("probe failure on purpose"),
                "a provider whose probe throws is unavailable, with the reason:\n" + report);
        assertTrue(report.contains("cpu (rank 0): usable"), report);
        assertFalse(out.contains("must never be asked"), out);

        assertTrue(out.contains("default: cpu-vectorized"), "auto must pick the CPU past the broken ones:\n" + out);
        assertTrue(out.contains("sum: [11.0, 22.0, 33.0]"), out);
        assertTrue(out.contains("all: [cpu-looped, cpu-vectorized]"), out);
        assertTrue(out.contains("flaky: device 'flaky' is not usable here: ") && out.contains("probe failure on purpose"), out);
    }
}
