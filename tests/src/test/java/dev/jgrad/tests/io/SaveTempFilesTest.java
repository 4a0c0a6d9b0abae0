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
import java.util.List;
import java.util.Map;
import java.util.Set;
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
}
