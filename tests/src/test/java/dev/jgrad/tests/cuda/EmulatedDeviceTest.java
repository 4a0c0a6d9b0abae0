package dev.jgrad.tests.cuda;

import dev.jgrad.conformance.Ref;
import dev.jgrad.conformance.RefOps;
import dev.jgrad.conformance.Seeds;

import dev.jgrad.engine.Device;
import dev.jgrad.cuda.CudaBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * CI runs the suite on the emulated CUDA devices ({@code -Djgrad.cuda.emulate=both}, set by
 * tests/pom.xml: the FFM driver and JCuda over the emulation's libcuda.so.1). If the emulation
 * fails to load, every CUDA test would quietly turn into a skipped one; this test makes that a
 * failure, with the reason.
 */
class EmulatedDeviceTest {

    @Test
    void theEmulatedCudaDevicesArePresentWhenAskedFor() {
        String mode = System.getProperty("jgrad.cuda.emulate", "false");
        Assumptions.assumeFalse(mode.equals("false"), "a run without the emulation (a GPU machine)");
        List<String> expected = switch (mode) {
            case "true" -> List.of("cuda (emulated)");
            case "jcuda" -> List.of("cuda (emulated via JCuda)");
            default -> List.of("cuda (emulated)", "cuda (emulated via JCuda)");
        };
        List<String> names = Device.all().stream().map(Device::name).toList();
        for (String name : expected) {
            if (!names.contains(name))
                fail("-Djgrad.cuda.emulate=" + mode + " but there is no '" + name + "' device (have " + names + "): "
                        + Device.unavailable().get("cuda"));
            Device d = Device.get(name);
            assertTrue(((CudaBackend) d.backend()).emulated(), name + " must say it is emulated");
        }
        assertFalse(Device.get("auto").name().startsWith("cuda"), "auto must never pick an emulated device");
    }
}
