package dev.jgrad.tests.spi;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector} trains on the looped kernels:
 * no NoClassDefFoundError, one warning that names the flag, and the devices report says why
 * {@code cpu-vectorized} is missing.
 */
class NoVectorApiTest {
    private static final String WARNING = "jgrad: the CPU runs the looped kernels (cpu-looped), not the vectorized ones";
    private static final String FLAG = "--add-modules jdk.incubator.vector";

    @Test
    void withoutTheVectorApiTheCpuTrainsOnTheLoopedKernelsAndWarnsOnce() throws Exception {
        ChildJvm.Result r = ChildJvm.run(NoVectorApiMain.class, List.of(), List.of("-Djgrad.device=cpu"));
        String out = r.output();
        assertEquals(0, r.exitCode(), "the child JVM failed:\n" + out);
        assertFalse(out.contains("NoClassDefFoundError"), out);
        assertFalse(out.contains("Using incubator modules"), "the child must run without the Vector API:\n" + out);
        assertEquals(1, r.count(WARNING), "the fallback warning must appear exactly once:\n" + out);
        int warning = out.indexOf(WARNING);
        String warningLine = out.substring(warning, out.indexOf('\n', warning));
        assertTrue(warningLine.contains(FLAG), "the warning must name the flag: " + warningLine);
        assertTrue(out.contains("\ndevice cpu-looped\n") || out.startsWith("device cpu-looped\n"),
                "the CPU must be cpu-looped:\n" + out);

        List<Float> losses = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^loss (\\d+) (\\S+)$").matcher(out);
        while (m.find()) losses.add(Float.parseFloat(m.group(2)));
        assertEquals(NoVectorApiMain.STEPS, losses.size(), "one loss per step:\n" + out);
        float first = losses.getFirst(), last = losses.getLast();
        assertTrue(Float.isFinite(last) && last < 0.7f * first, "the loss must fall: " + losses);

        assertTrue(out.contains("cpu-vectorized: device 'cpu-vectorized' is not usable here: ") && out.contains(FLAG),
                "asking for cpu-vectorized must say why not:\n" + out);
        String report = out.substring(out.indexOf("report:\n"));
        assertTrue(report.contains("  cpu-looped: usable"), report);
        Matcher line = Pattern.compile("(?m)^  cpu-vectorized: unavailable, (.*)$").matcher(report);
        assertTrue(line.find(), "the report must list cpu-vectorized as unavailable:\n" + report);
        assertTrue(line.group(1).contains(FLAG), "with the flag that gives it: " + line.group(1));
    }
}
