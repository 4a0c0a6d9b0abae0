package dev.jgrad.tests.io;

import dev.jgrad.nn.data.IdxReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static dev.jgrad.tests.io.HostileFiles.assertBoundedNamingFile;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A gzip header whose flags announce fields the file does not hold (found by
 * {@link FuzzFilesTest}): the old reader let the {@code EOFException} of the
 * {@code GZIPInputStream} constructor out, with no message and no file name.
 */
class HostileIdxTest {
    @TempDir
    Path dir;

    @Test
    void aGzipHeaderThatEndsEarlyNamesTheFile() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 7});   // labels (1,) = {7}
        }
        byte[] bytes = gz.toByteArray();
        assertArrayEquals(new int[] {1}, IdxReader.readLabels(Files.write(dir.resolve("ok.gz"), bytes)).dims());
        for (int flags : new int[] {0xFF, 0x04, 0x08, 0x10, 0x02}) {   // FEXTRA, FNAME, FCOMMENT, FHCRC and all
            byte[] bad = bytes.clone();
            bad[3] = (byte) flags;
            Path p = Files.write(dir.resolve("flags-" + flags + ".gz"), java.util.Arrays.copyOf(bad, 12));
            IOException e = assertThrows(IOException.class, () -> IdxReader.readLabels(p), "flags " + flags);
            assertBoundedNamingFile(p.toString(), e.getMessage(), "flags " + flags);
            assertTrue(e.getMessage().contains("gzip"), e.getMessage());
        }
    }
}
