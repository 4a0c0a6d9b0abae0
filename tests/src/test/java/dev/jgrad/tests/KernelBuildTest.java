package dev.jgrad.tests;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA build, checked without a GPU: with nvcc present every kernel module is in the jar
 * (compiled for sm_80/sm_90 with no register spills, or the build would have failed), and the
 * spill check really fails on a kernel that spills.
 */
class KernelBuildTest {
    private static final Path SCRIPT = Path.of("../native-kernels/src/main/sh/build-kernels.sh");

    private static boolean nvccPresent() {
        return Files.isExecutable(Path.of("/usr/local/cuda/bin/nvcc")) || Files.isExecutable(Path.of("/usr/local/bin/nvcc"))
                || Files.isExecutable(Path.of("/usr/bin/nvcc"));
    }

    @Test
    void everyKernelModuleIsInTheJar() throws IOException {
        Properties p = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/dev/jgrad/kernels/kernels.properties")) {
            assertNotNull(in, "kernels.properties is missing from the native-kernels jar");
            p.load(in);
        }
        Assumptions.assumeTrue("true".equals(p.getProperty("built")), "built without nvcc: " + p.getProperty("reason"));
        for (String module : p.getProperty("modules").split(","))
            assertNotNull(getClass().getResource("/dev/jgrad/kernels/" + module + ".fatbin"), module + ".fatbin");
        assertTrue(p.getProperty("modules").contains("matmul"), p.getProperty("modules"));
    }

    @Test
    void aKernelThatSpillsFailsTheBuild(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(nvccPresent(), "nvcc is not installed");
        Path src = Files.createDirectories(tmp.resolve("cuda"));
        Files.copy(Path.of("../native-kernels/src/main/cuda/common.cuh"), src.resolve("common.cuh"));
        // 96 live floats per thread under a 32-register budget (1024 threads x 2 blocks) must spill.
        Files.writeString(src.resolve("spill.cu"), """
                #include "common.cuh"
                extern "C" __global__ void __launch_bounds__(1024, 2) spiller(float* out, const float* in, int n) {
                    float acc[96];
                    for (int i = 0; i < 96; i++) acc[i] = in[(threadIdx.x * 7 + i * 131) % n];
                    for (int r = 0; r < 8; r++)
                        for (int i = 0; i < 96; i++) acc[i] = acc[i] * acc[(i * 17 + r) % 96] + in[(i + r) % n];
                    float s = 0; for (int i = 0; i < 96; i++) s += acc[i] * (i + 1);
                    out[threadIdx.x] = s;
                }
                """);
        ProcessBuilder spill = new ProcessBuilder("bash", SCRIPT.toString(), src.toString(), tmp.resolve("out").toString())
                .redirectErrorStream(true);
        withoutSanitizer(spill);
        Process proc = spill.start();
        String output = new String(proc.getInputStream().readAllBytes());
        assertTrue(proc.waitFor(120, TimeUnit.SECONDS), "nvcc took too long");
        assertNotEquals(0, proc.exitValue(), "the build must fail on a spilling kernel:\n" + output);
        assertTrue(output.contains("spill.cu: spiller"), output);
    }

    @Test
    void withoutNvccTheBuildSucceedsAndSaysSo(@TempDir Path tmp) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "../native-kernels/src/main/cuda",
                tmp.toString()).redirectErrorStream(true);
        pb.environment().put("JGRAD_NVCC", "none");
        withoutSanitizer(pb);
        Process proc = pb.start();
        proc.getInputStream().readAllBytes();
        assertEquals(0, proc.waitFor());
        String props = Files.readString(tmp.resolve("kernels.properties"));
        assertTrue(props.contains("built=false") && props.contains("nvcc was not found"), props);
    }

    /** The test JVM runs with the emulation's AddressSanitizer preloaded; nvcc and its tools must not. */
    private static void withoutSanitizer(ProcessBuilder pb) {
        pb.environment().remove("LD_PRELOAD");
        pb.environment().remove("ASAN_OPTIONS");
        pb.environment().remove("UBSAN_OPTIONS");
    }
}
