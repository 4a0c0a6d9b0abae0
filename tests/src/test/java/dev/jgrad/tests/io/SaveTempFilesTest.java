package dev.jgrad.tests.io;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A save killed between creating its temporary file and renaming it leaves the temporary file
 * behind; the old code never removed one (24 killed saves left 22 files, 166 MB). A later save of
 * the same target must remove those of its own naming pattern that are older than it and not in
 * use, and nothing else.
 */
class SaveTempFilesTest {
    @TempDir
    Path dir;

    private Path aged(Path p) throws IOException {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        return p;
    }

    private Set<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void aSaveRemovesStaleTempFilesOfItsTargetOnly() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Map<String, Tensor> state = Map.of("w", Tensor.of(Device.cpu(), new float[] {1, 2, 3}, 3));
        // What a save killed mid-write left behind, named as the old code named them.
        Path crashed1 = aged(Files.createTempFile(dir, ".model.safetensors.", ".tmp"));
        Path crashed2 = aged(Files.write(dir.resolve(".model.safetensors.42.tmp"), new byte[1000]));
        // Not ours to remove: another target's, other names, a fresh one, one a save is writing now.
        Path otherTarget = aged(Files.createTempFile(dir, ".other.safetensors.", ".tmp"));
        Path noDot = aged(Files.write(dir.resolve("model.safetensors.42.tmp"), new byte[1]));
        Path notDigits = aged(Files.write(dir.resolve(".model.safetensors.backup.tmp"), new byte[1]));
        Path userFile = aged(Files.write(dir.resolve(".model.safetensors.tmp"), new byte[1]));
        Path fresh = Files.write(dir.resolve(".model.safetensors.7.tmp"), new byte[1]);
        Files.setLastModifiedTime(fresh, FileTime.from(Instant.now().plus(1, ChronoUnit.HOURS)));
        Path busy = aged(Files.write(dir.resolve(".model.safetensors.99.tmp"), new byte[1]));

        try (FileChannel ch = FileChannel.open(busy, StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            assertTrue(lock.isValid());
            SafeTensors.save(target, state);
        }
        Set<String> left = names();
        assertFalse(left.contains(crashed1.getFileName().toString()), "stale temp file kept: " + left);
        assertFalse(left.contains(crashed2.getFileName().toString()), "stale temp file kept: " + left);
        for (Path keep : List.of(target, otherTarget, noDot, notDigits, userFile, fresh, busy))
            assertTrue(left.contains(keep.getFileName().toString()), keep.getFileName() + " was removed: " + left);
        assertEquals(8 - 2 + 1, left.size(), "nothing else: " + left);
        assertArrayEquals(new float[] {1, 2, 3}, SafeTensors.load(target).get("w").toArray());

        // The next save, with the lock released, removes the abandoned one too.
        SafeTensors.save(target, state);
        assertFalse(names().contains(busy.getFileName().toString()), "abandoned temp file kept: " + names());
    }

    @Test
    void aSaveToAFreshDirectoryStillWorksAndLeavesNoTempFile() throws IOException {
        Path target = dir.resolve("sub").resolve("x.safetensors");
        Files.createDirectories(target.getParent());
        SafeTensors.save(target, Map.of("w", Tensor.zeros(Device.cpu(), 2)));
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertEquals(List.of(target), s.toList());
        }
    }

    /**
     * Two threads save the same target over and over while a third ages every temporary file it
     * sees to an hour old, so that each save's cleanup finds the other's file "stale": only the
     * lock and the in-process registry keep it. Every save must succeed.
     */
    @Test
    void concurrentSavesNeverRemoveEachOthersFiles() throws Exception {
        Path target = dir.resolve("shared.safetensors");
        Map<String, Tensor> state = Map.of("w", Tensor.zeros(Device.cpu(), 256, 1024));   // 1 MB: a save takes a while
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Thread ager = new Thread(() -> {
            while (!done.get()) {
                try (Stream<Path> s = Files.list(dir)) {
                    for (Path p : s.toList())
                        if (p.getFileName().toString().endsWith(".tmp")) {
                            try {
                                aged(p);
                            } catch (IOException gone) {
                                // renamed or removed meanwhile
                            }
                        }
                } catch (IOException e) {
                    failures.add(e);
                }
            }
        });
        List<Thread> savers = new ArrayList<>();
        for (int t = 0; t < 2; t++)
            savers.add(new Thread(() -> {
                for (int i = 0; i < 40; i++) {
                    try {
                        SafeTensors.save(target, state);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }));
        ager.start();
        savers.forEach(Thread::start);
        for (Thread t : savers) t.join(120_000);
        done.set(true);
        ager.join(10_000);
        assertTrue(failures.isEmpty(), () -> failures.size() + " saves failed, the first: " + failures.peek());
        assertEquals(Set.of("shared.safetensors"), names());
    }

    /**
     * Holds a temporary file of the saves' pattern locked, aged to an hour, as a save in another
     * process that is slow to finish would: the child of {@link #anotherProcessesSaveIsLeftAlone}.
     */
    public static void main(String[] args) throws Exception {
        Path p = Path.of(args[0]);
        // Aged before it is locked: setting the time opens and closes the file, and closing any
        // descriptor of a file drops all of this process's POSIX locks on it.
        Files.setLastModifiedTime(Files.createFile(p), FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            System.out.println("locked " + lock.isValid());
            System.out.flush();
            System.in.read();   // until the parent has saved
        }
    }

    @Test
    void anotherProcessesSaveIsLeftAlone() throws Exception {
        Path target = dir.resolve("model.safetensors");
        Path theirs = dir.resolve(".model.safetensors.1234567.tmp");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                SaveTempFilesTest.class.getName(), theirs.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("locked"));
            assertEquals("locked true", line, "the child could not lock its file");
            SafeTensors.save(target, Map.of("w", Tensor.zeros(Device.cpu(), 3)));
            assertTrue(Files.exists(theirs), "a file locked by another process's save was removed");
        } finally {
            child.getOutputStream().close();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        SafeTensors.save(target, Map.of("w", Tensor.zeros(Device.cpu(), 3)));   // unlocked now, and old
        assertFalse(Files.exists(theirs), "an abandoned temporary file was kept");
    }
}
