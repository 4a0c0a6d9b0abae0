package dev.jgrad.nn.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The temporary files of an atomic save, and their cleanup. A save of {@code dir/name} writes
 * {@code dir/.name.<digits>.tmp}, holding an exclusive {@link FileLock} on it from creation until
 * it is renamed into place (or deleted after a failure), and then syncs {@code dir}.
 *
 * <p><b>The cleanup rule.</b> A save killed before its rename leaves its temporary file behind;
 * the next save of the same target removes such files, best effort (a file it cannot remove is
 * left, and the save goes on). A file is removed only if all of these hold: its name is
 * {@code .name.<digits>.tmp} for this very target (the pattern this class, and earlier versions
 * of {@link SafeTensors}, use); it is a regular file, not a link; it was last modified more than
 * {@link #STALE_AFTER} before this save started; no save in this JVM is writing it; and its lock
 * can be taken (so no save in another process is writing it). The lock is what protects a slow
 * concurrent save whose file has not changed for a while (a long {@code fsync}); the age covers
 * the instant between another process creating its file and locking it, and file systems with
 * coarse timestamps. Should a concurrent save's file be removed all the same, that save fails
 * at its rename with an {@link IOException} and the target is left as it was: nothing is lost.
 */
final class AtomicSave {
    /** How much older than the running save a temporary file must be to count as abandoned. */
    static final Duration STALE_AFTER = Duration.ofSeconds(10);

    /** The temporary files that saves in this JVM are writing now (never opened by the cleanup). */
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();

    private AtomicSave() {}

    /** A save in progress: its locked temporary file, open for writing. */
    record Temp(Path path, FileChannel channel, FileLock lock) {}

    /**
     * Removes the abandoned temporary files of {@code target} (see the class comment), then
     * creates, opens and locks a new one.
     */
    static Temp begin(Path target) throws IOException {
        removeStale(target, Instant.now());
        Path dir = target.getParent();
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(prefix(target) + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            if (!WRITING.add(tmp)) continue;
            FileChannel ch;
            try {
                ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                WRITING.remove(tmp);
                if (attempt < 100) continue;
                throw e;
            } catch (IOException | RuntimeException e) {
                WRITING.remove(tmp);
                throw e;
            }
            try {
                return new Temp(tmp, ch, ch.lock());
            } catch (IOException | RuntimeException e) {
                ch.close();
                Files.deleteIfExists(tmp);
                WRITING.remove(tmp);
                throw e;
            }
        }
    }

    /** Ends a save: releases the lock, closes the file, and deletes it unless it was renamed. */
    static void end(Temp temp) throws IOException {
        try {
            temp.channel().close();   // releases the lock
            Files.deleteIfExists(temp.path());
        } finally {
            WRITING.remove(temp.path());
        }
    }

    private static String prefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    /** Removes {@code target}'s abandoned temporary files older than {@code saveStart} by {@link #STALE_AFTER}. */
    static void removeStale(Path target, Instant saveStart) {
        Pattern ours = Pattern.compile(Pattern.quote(prefix(target)) + "[0-9]+\\.tmp");
        FileTime cutoff = FileTime.from(saveStart.minus(STALE_AFTER));
        DirectoryStream.Filter<Path> filter = p -> ours.matcher(p.getFileName().toString()).matches();
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(target.getParent(), filter)) {
            for (Path p : candidates) removeIfAbandoned(p.toAbsolutePath(), cutoff);
        } catch (IOException | RuntimeException e) {
            // Best effort: an unlistable directory fails the save later, with its own message.
        }
    }

    private static void removeIfAbandoned(Path p, FileTime cutoff) {
        if (WRITING.contains(p)) return;
        try {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return;
            if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).compareTo(cutoff) >= 0) return;
            // NOFOLLOW_LINKS: a link swapped in after the check above is not followed.
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException heldInThisJvm) {
                    return;
                }
                if (lock == null) return;   // another process holds it: a save in progress
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            // Best effort: what cannot be removed now is tried again by the next save.
        }
    }

    /**
     * Makes a rename in {@code dir} durable by syncing the directory. Where the platform cannot
     * open a directory as a file (Windows), there is nothing to sync and this does nothing.
     *
     * @throws IOException if the directory was opened but syncing it failed
     */
    static void syncDirectory(Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        try (ch) {
            ch.force(true);
        }
    }
}
