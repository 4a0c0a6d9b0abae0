package dev.jgrad.conformance;

import dev.jgrad.engine.Device;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs jgrad's conformance suite on a backend: every op against an independent float64
 * reference (forward and gradients), on awkward shapes, strided views, NaN and Inf, launch-limit
 * sizes, dropout masks, tie-breaking and transfers between devices. This is the call a
 * third-party backend makes from one of its own tests:
 *
 * <pre>{@code
 * @Test
 * void myBackendConforms() {
 *     Conformance.assertConforms("my-device");   // the name its BackendProvider's variant reports
 * }
 * }</pre>
 *
 * <p>The backend is found the way every backend is, by {@link java.util.ServiceLoader} through
 * its {@code BackendProvider}; the suite then runs on the named devices only. Inside jgrad's own
 * build the same test classes run under Surefire on every device of {@link Device#all()}.
 *
 * <p>Inputs are fresh on every run; a failure names its case and the seed, and
 * {@code -Djgrad.test.seed=} replays it. The suite needs JUnit Jupiter and the JUnit Platform
 * launcher at run time (this artifact's dependencies).
 */
public final class Conformance {

    /** Every test class of the suite, in the order they run. */
    public static final List<Class<?>> SUITE = List.of(ConformanceTest.class, NanInfTest.class, LaunchLimitTest.class,
            SoftmaxRangeTest.class, SoftmaxSizeClassTest.class, TieBreakingTest.class, DropoutTest.class,
            DeviceTransferTest.class, ZeroSizeTest.class,
            PowAtZeroTest.class, LossOptionsTest.class);

    private static volatile List<Device> underTest;

    private Conformance() {}

    /**
     * The devices the suite runs on: those named in the current {@link #run} call, otherwise
     * every device of {@link Device#all()}.
     */
    public static List<Device> devices() {
        List<Device> d = underTest;
        return d != null ? d : Device.all();
    }

    /** The device types that cannot run here, with the reason; empty while {@link #run} names its devices. */
    static Map<String, String> unavailable() {
        return underTest != null ? Map.of() : Device.unavailable();
    }

    /**
     * Runs the whole suite on the named devices and returns what happened.
     *
     * @param deviceNames device names as {@link Device#get(String)} takes them, e.g. {@code cpu-looped}
     * @throws IllegalArgumentException if no device is named, or a name is unknown or cannot run here
     */
    public static synchronized Result run(String... deviceNames) {
        if (deviceNames.length == 0) throw new IllegalArgumentException("Conformance.run: name at least one device");
        List<Device> devices = new ArrayList<>();
        for (String name : deviceNames) devices.add(Device.get(name));
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(SUITE.stream().map(DiscoverySelectors::selectClass).toList())
                .build();
        Collector collector = new Collector();
        underTest = List.copyOf(devices);
        try {
            Launcher launcher = LauncherFactory.create();
            launcher.execute(request, collector);
        } finally {
            underTest = null;
        }
        return new Result(devices.stream().map(Device::name).toList(), collector.passed.get(), collector.skipped.get(),
                Collections.unmodifiableMap(collector.failures));
    }

    /**
     * Runs the suite on the named devices and throws if any test failed (or none ran).
     *
     * @throws AssertionError listing each failed test with its message (the first ten in full)
     */
    public static void assertConforms(String... deviceNames) {
        run(deviceNames).assertPassed();
    }

    /**
     * The outcome of one {@link #run}: the devices, the counts, and each failure by test name.
     */
    public record Result(List<String> devices, long passed, long skipped, Map<String, Throwable> failures) {

        /** Tests that ran to an outcome (passed or failed). */
        public long tests() {
            return passed + failures.size();
        }

        /** One line: devices and counts. */
        public String summary() {
            return "conformance on " + String.join(", ", devices) + ": " + tests() + " tests, " + passed + " passed, "
                    + failures.size() + " failed, " + skipped + " skipped";
        }

        /** Throws an {@link AssertionError} naming every failure, or if no test ran at all. */
        public void assertPassed() {
            if (tests() == 0) throw new AssertionError(summary() + ": no test ran");
            if (failures.isEmpty()) return;
            StringBuilder sb = new StringBuilder(summary());
            int shown = 0;
            for (Map.Entry<String, Throwable> f : failures.entrySet()) {
                sb.append("\n  ").append(f.getKey());
                if (shown++ < 10) sb.append(": ").append(f.getValue());
            }
            AssertionError error = new AssertionError(sb.toString());
            failures.values().stream().limit(10).forEach(error::addSuppressed);
            throw error;
        }
    }

    /** Counts the leaf tests and keeps each failure under its display name. */
    private static final class Collector implements TestExecutionListener {
        final AtomicLong passed = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final Map<String, Throwable> failures = Collections.synchronizedMap(new LinkedHashMap<>());

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            if (id.isTest()) skipped.incrementAndGet();
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            switch (result.getStatus()) {
                case SUCCESSFUL -> { if (id.isTest()) passed.incrementAndGet(); }
                case ABORTED -> { if (id.isTest()) skipped.incrementAndGet(); }
                // a container that fails (a test factory that throws) counts as a failure too
                case FAILED -> failures.put(id.getDisplayName(),
                        result.getThrowable().orElse(new AssertionError("failed without an exception")));
            }
        }
    }
}
