package dev.jgrad.tests.determinism;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU kernels give the same bits on one core as on two: {@link ThreadCountMain} runs in two
 * fresh JVMs, with {@code -Djgrad.cpu.threads=1} and {@code =2}, and every workload's hash (and a
 * LeNet-BN training run's) must be the same in both. Fresh JVMs also show that the bits do not
 * depend on what ran earlier in the process.
 */
class ThreadCountTest {
    @Test
    void oneThreadAndTwoThreadsGiveTheSameBits() throws Exception {
        List<String> one = run(1), two = run(2);
        assertTrue(one.size() > 10, "the child printed too little:\n" + String.join("\n", one));
        assertEquals(String.join("\n", one), String.join("\n", two), "1 thread (expected) vs 2 threads (actual)");
    }

    private static List<String> run(int threads) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Djgrad.cuda.emulate=false", "-Djgrad.cpu.threads=" + threads,
                ThreadCountMain.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM with " + threads + " threads did not finish in 300 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "the child JVM with " + threads + " threads failed:\n" + text);
        assertTrue(text.contains("done"), text);
        return text.lines().filter(l -> l.contains(" | ")).toList();
    }
}
