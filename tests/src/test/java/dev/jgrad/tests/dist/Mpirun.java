package dev.jgrad.tests.dist;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code mpirun -np N java ... MAIN ARGS} with these tests' class path, and returns what
 * the job printed, its exit status and how long it took. A job that outlives its limit is killed
 * (mpirun and every rank) and reported as such.
 */
final class Mpirun {
    private Mpirun() {}

    record Job(int exitCode, String output, double seconds, boolean killed) {}

    /** The mpirun on PATH, or a failure that says how to install it. */
    static String mpirun() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "mpirun");
            if (Files.isExecutable(p)) return p.toString();
        }
        throw new AssertionError("mpirun is not on PATH: the distributed tests need Open MPI "
                + "(apt-get install libopenmpi-dev openmpi-bin; ./jgrad test installs them when run as root)");
    }

    static Job run(int ranks, double limitSeconds, List<String> jvmArgs, Class<?> main, String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Through env: Open MPI's mpirun rewrites the class path of an application named java (for
        // its own Java bindings) and breaks it ("Could not find or load main class /dir:-cp").
        List<String> command = new ArrayList<>(List.of(mpirun(), "--allow-run-as-root", "--oversubscribe", "--bind-to", "none",
                "-np", Integer.toString(ranks), "/usr/bin/env", java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Djgrad.cpu.threads=1", "-cp", System.getProperty("java.class.path")));
        command.addAll(jvmArgs);
        command.add(main.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // the test JVM may run under the CUDA emulation's AddressSanitizer; the ranks need none of it
        pb.environment().remove("LD_PRELOAD");
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the process was killed
            }
        }, "mpirun-output");
        reader.start();
        boolean done = p.waitFor((long) (limitSeconds * 1000), TimeUnit.MILLISECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(10_000);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        return new Job(done ? p.exitValue() : -1, text, seconds, !done);
    }
}
