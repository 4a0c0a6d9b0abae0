package dev.jgrad.tests.report;

import dev.jgrad.engine.Device;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the finished tests per device, so a run shows how many tests each backend passed, the
 * emulated CUDA device's included. A test belongs to the device whose name appears in its display
 * name or in a parent's ("matmul[17x33] on cuda (emulated)"); the rest count as device-independent.
 * The table is printed when the run ends and written to {@code target/tests-per-device.txt}
 * (registered through META-INF/services, so surefire and the JUnit console both load it).
 */
public final class DeviceCountListener implements TestExecutionListener {
    private static final String NONE = "(no device in the name)";
    private final Map<String, int[]> counts = new LinkedHashMap<>();
    private List<String> devices = List.of();
    private TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
        List<String> names = new ArrayList<>();
        try {
            for (Device d : Device.all()) names.add(d.name());
        } catch (RuntimeException | Error e) {
            // Device discovery failing is reported by the tests themselves.
        }
        for (String n : names) counts.put(n, new int[3]);
        counts.put(NONE, new int[3]);
        names.sort(Comparator.comparingInt(String::length).reversed());  // "cuda (emulated)" before "cuda"
        devices = names;
    }

    private String deviceOf(TestIdentifier id) {
        for (TestIdentifier t = id; t != null; t = plan.getParent(t).orElse(null))
            for (String d : devices) if (t.getDisplayName().contains(d)) return d;
        return NONE;
    }

    @Override
    public synchronized void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest()) return;
        int slot = switch (result.getStatus()) {
            case SUCCESSFUL -> 0;
            case FAILED -> 1;
            case ABORTED -> 2;
        };
        counts.computeIfAbsent(deviceOf(id), k -> new int[3])[slot]++;
    }

    @Override
    public synchronized void executionSkipped(TestIdentifier id, String reason) {
        if (id.isTest()) counts.computeIfAbsent(deviceOf(id), k -> new int[3])[2]++;
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan testPlan) {
        StringBuilder sb = new StringBuilder("Tests per device (passed / failed / skipped):\n");
        for (var e : counts.entrySet()) {
            int[] c = e.getValue();
            if (c[0] + c[1] + c[2] == 0 && e.getKey().equals(NONE)) continue;
            sb.append(String.format("  %-26s %6d / %d / %d%n", e.getKey(), c[0], c[1], c[2]));
        }
        System.out.print(sb);
        try {
            Path out = Path.of(System.getProperty("jgrad.tests.report", "target/tests-per-device.txt"));
            if (out.getParent() != null) Files.createDirectories(out.getParent());
            Files.writeString(out, sb.toString());
        } catch (IOException | RuntimeException e) {
            System.err.println("could not write the per-device test counts: " + e);
        }
    }
}
