package dev.jgrad.example.backend;

import dev.jgrad.conformance.Conformance;
import dev.jgrad.engine.Device;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DelegateConformanceTest {

    @Test
    void theBackendIsFoundThroughServiceLoader() {
        assertEquals("delegate-looped", Device.get("delegate").name());
        assertTrue(Device.all().stream().anyMatch(d -> d.name().equals("delegate-looped")), Device.report());
    }

    /** The documented call: the whole published suite on this backend. */
    @Test
    void delegateLoopedConforms() {
        Conformance.Result result = Conformance.run("delegate-looped");
        System.out.println(result.summary());
        result.assertPassed();
        assertTrue(result.tests() > 500, "the suite ran only " + result.tests() + " tests");
    }

    /** The same suite on the same backend with one op broken on purpose must fail, and name the op. */
    @Test
    void aBrokenKernelFailsTheSuite() {
        DelegatingBackendProvider.breakBinary = true;
        Conformance.Result result;
        try {
            result = Conformance.run("delegate-looped");
        } finally {
            DelegatingBackendProvider.breakBinary = false;
        }
        System.out.println("with binary ops broken: " + result.summary());
        assertFalse(result.failures().isEmpty(), "the suite did not notice a broken add");
        assertTrue(result.failures().keySet().stream().anyMatch(name -> name.startsWith("add[")),
                "no failing add test among " + result.failures().keySet());
        assertTrue(result.passed() > 0, "everything failed, not just the binary ops");
    }
}
