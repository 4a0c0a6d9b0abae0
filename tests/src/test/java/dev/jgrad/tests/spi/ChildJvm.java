package dev.jgrad.tests.spi;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of these test sources in a fresh JVM (this one's {@code java}), on this JVM's
 * class path with extra entries in front, and with none of this JVM's options: no
 * {@code --add-modules}, no {@code -D} settings except those given.
 */
final class ChildJvm {
    private ChildJvm() {}

    /** What the child printed (stdout and stderr, interleaved) and its exit code. */
    record Result(int exitCode, String output) {
        /** How many times {@code text} occurs in the output. */
        int count(String text) {
            int n = 0;
            for (int at = output.indexOf(text); at >= 0; at = output.indexOf(text, at + text.length())) n++;
            return n;
        }
    }

    static Result run(Class<?> main, List<Path> classPathFirst, List<String> jvmArgs, String... args)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cp = new ArrayList<>();
        for (Path p : classPathFirst) cp.add(p.toString());
        cp.add(System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-cp", String.join(File.pathSeparator, cp)));
        command.addAll(jvmArgs);
        command.add(main.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // the test JVM may run under the CUDA emulation's AddressSanitizer; the child needs none of it
        pb.environment().remove("LD_PRELOAD");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM " + command + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
