package dev.jgrad.tests.conformance;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.cuda.CudaBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * CI runs the suite on the emulated CUDA device ({@code -Djgrad.cuda.emulate=true}, set by
 * tests/pom.xml). If the emulation fails to load, every CUDA test would quietly turn into a
 * skipped one; this test makes that a failure, with the reason.
 */
class EmulatedDeviceTest {

    @Test
    void theEmulatedCudaDeviceIsPresentWhenAskedFor() {
        Assumptions.assumeTrue(Boolean.getBoolean("jgrad.cuda.emulate"), "a run without the emulation (a GPU machine)");
        Device d = Device.all().stream().filter(x -> x.name().equals("cuda (emulated)")).findFirst()
                .orElseGet(() -> fail("-Djgrad.cuda.emulate=true but there is no 'cuda (emulated)' device: "
                        + Device.unavailable().get("cuda")));
        assertTrue(((CudaBackend) d.backend()).emulated());
        assertFalse(Device.get("auto").name().startsWith("cuda"), "auto must never pick the emulated device");
    }
}
