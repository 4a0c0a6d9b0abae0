package dev.jgrad.tests.io;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A rename is durable only once its directory is synced: after a power loss, an unsynced
 * directory may still name the old file, or none. This test watches the system calls of a save
 * (through {@code strace}, Linux only; skipped where it cannot run) and checks that the directory
 * is opened and {@code fsync}ed after the rename.
 */
class DirectoryFsyncTest {
    @TempDir
    Path dir;

    /** Saves one small tensor to {@code args[0]}: the child process that strace watches. */
    public static void main(String[] args) throws IOException {
        SafeTensors.save(Path.of(args[0]), Map.of("w", Tensor.of(Device.cpu(), new float[] {1, 2}, 2)));
    }

    @Test
    void theDirectoryIsSyncedAfterTheRename() throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "Linux only");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/strace")), "needs /usr/bin/strace");
        Path target = dir.resolve("m.safetensors");
        Path trace = dir.resolve("trace.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/strace", "-f", "-qq", "-o", trace.toString(),
                "-e", "trace=openat,fsync,fdatasync,rename,renameat,renameat2",
                java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                DirectoryFsyncTest.class.getName(), target.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the traced save did not finish");
        String out = Files.readString(dir.resolve("out.txt"));
        assumeTrue(p.exitValue() == 0 || !out.contains("ptrace"), "strace cannot trace here: " + out);
        assertEquals(0, p.exitValue(), "the traced save failed: " + out);
        assertTrue(Files.exists(target));

        List<String> lines = Files.readAllLines(trace);
        String dirName = Pattern.quote(dir.toAbsolutePath().toString());
        Pattern rename = Pattern.compile("rename.*\\.m\\.safetensors\\.\\d+\\.tmp.*" + Pattern.quote(target.toString()));
        Pattern openDir = Pattern.compile("openat\\(.*\"" + dirName + "/?\".*\\)\\s*=\\s*(\\d+)");
        int renamedAt = -1;
        for (int i = 0; i < lines.size(); i++)
            if (rename.matcher(lines.get(i)).find()) renamedAt = i;
        assertTrue(renamedAt >= 0, "no rename into place in the trace");
        String fd = null;
        for (int i = renamedAt + 1; i < lines.size(); i++) {
            Matcher m = openDir.matcher(lines.get(i));
            if (m.find()) fd = m.group(1);
            if (fd != null && lines.get(i).matches("^\\d+\\s+fsync\\(" + fd + "\\)\\s*=\\s*0.*")) return;
        }
        fail("no fsync of the directory after the rename; the trace after it:\n"
                + String.join("\n", lines.subList(renamedAt, Math.min(lines.size(), renamedAt + 20))));
    }
}
