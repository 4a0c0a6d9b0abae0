package dev.jgrad.tests.nn;

import dev.jgrad.nn.data.IdxReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** IdxReader: well-formed files raw and gzipped, and every kind of corrupt file. */
class IdxReaderTest {
    @TempDir
    Path dir;

    /** An IDX file: magic {@code 0 0 type rank}, big-endian dims, then {@code data}. */
    private static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        return b.put(data).array();
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(raw);
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** The read fails with an IOException whose message names the file and contains {@code what}. */
    private static void assertBad(Path file, String what, Executable read) {
        IOException e = assertThrows(IOException.class, read, what);
        assertTrue(e.getMessage().contains(file.toString()), "message should name the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(what), "message should say '" + what + "': " + e.getMessage());
    }

    @Test
    void readsRawAndGzipDetectedByMagicNotByName() throws IOException {
        long seed = System.nanoTime();
        byte[] pixels = randomBytes(5 * 4 * 3, seed);
        byte[] file = idx(0x08, new int[] {5, 4, 3}, pixels);
        for (Path p : new Path[] {write("raw", file), write("raw-named.gz", file), write("gz-without-suffix", gzip(file)),
                write("gz.gz", gzip(file))}) {
            IdxReader.IdxArray a = IdxReader.readImages(p);
            assertArrayEquals(new int[] {5, 4, 3}, a.dims(), p.toString());
            assertEquals(5, a.count());
            assertEquals(12, a.itemSize());
            assertArrayEquals(pixels, a.data(), p + " (seed " + seed + ")");
            assertEquals(pixels[7] & 0xFF, a.unsigned(7));
        }
        byte[] labels = {0, 9, 255 - 256, 3};
        IdxReader.IdxArray l = IdxReader.readLabels(write("labels", idx(0x08, new int[] {4}, labels)));
        assertEquals(255, l.unsigned(2));
        assertArrayEquals(new int[] {4}, l.dims());
    }

    @Test
    void badMagicAndUnsupportedHeaders() throws IOException {
        Path notIdx = write("not-idx", "hello, world".getBytes());
        assertBad(notIdx, "bad magic", () -> IdxReader.read(notIdx));
        Path floats = write("floats", idx(0x0D, new int[] {2}, new byte[8]));
        assertBad(floats, "type code 0xd (float) is not supported", () -> IdxReader.read(floats));
        Path rank0 = write("rank0", idx(0x08, new int[] {}, new byte[1]));
        assertBad(rank0, "rank 0", () -> IdxReader.read(rank0));
        Path labels = write("labels", idx(0x08, new int[] {3}, new byte[3]));
        assertBad(labels, "rank is 1, expected 3", () -> IdxReader.readImages(labels));
        Path images = write("images", idx(0x08, new int[] {1, 2, 2}, new byte[4]));
        assertBad(images, "rank is 3, expected 1", () -> IdxReader.readLabels(images));
    }

    @Test
    void wrongOrAbsurdDimensions() throws IOException {
        Path zero = write("zero-dim", idx(0x08, new int[] {3, 0, 2}, new byte[0]));
        assertBad(zero, "dimension 1 is 0", () -> IdxReader.read(zero));
        Path huge = write("huge-dim", idx(0x08, new int[] {-1}, new byte[4]));   // 0xFFFFFFFF
        assertBad(huge, "dimension 0 is 4294967295", () -> IdxReader.read(huge));
        Path absurd = write("absurd", idx(0x08, new int[] {60000, 60000, 28}, new byte[16]));
        assertBad(absurd, "absurd size", () -> IdxReader.read(absurd));
        Path absurdGz = write("absurd.gz", gzip(idx(0x08, new int[] {60000, 60000, 28}, new byte[16])));
        assertBad(absurdGz, "absurd size", () -> IdxReader.read(absurdGz));
        Path mismatch = write("mismatch", idx(0x08, new int[] {4, 28, 28}, new byte[3 * 28 * 28]));
        assertBad(mismatch, "need 3136 data bytes", () -> IdxReader.readImages(mismatch));
    }

    @Test
    void truncatedFiles() throws IOException {
        byte[] good = idx(0x08, new int[] {10, 28, 28}, randomBytes(10 * 784, 1));
        Path empty = write("empty", new byte[0]);
        assertBad(empty, "truncated", () -> IdxReader.read(empty));
        Path inHeader = write("cut-in-header", Arrays.copyOf(good, 10));
        assertBad(inHeader, "truncated in the header", () -> IdxReader.read(inHeader));
        Path inData = write("cut-in-data", Arrays.copyOf(good, good.length - 1));
        assertBad(inData, "(truncated)", () -> IdxReader.read(inData));
        // Truncated inside the uncompressed IDX data but a complete gzip stream.
        Path gzShort = write("short.gz", gzip(Arrays.copyOf(good, good.length - 100)));
        assertBad(gzShort, "truncated: dimensions (10, 28, 28) need 7840 data bytes", () -> IdxReader.read(gzShort));
    }

    @Test
    void trailingBytes() throws IOException {
        byte[] good = idx(0x08, new int[] {3}, new byte[] {1, 2, 3});
        byte[] longer = Arrays.copyOf(good, good.length + 5);
        Path raw = write("trailing", longer);
        assertBad(raw, "trailing bytes", () -> IdxReader.read(raw));
        Path gz = write("trailing.gz", gzip(longer));
        assertBad(gz, "5 trailing bytes", () -> IdxReader.read(gz));
    }

    @Test
    void corruptGzip() throws IOException {
        byte[] compressed = gzip(idx(0x08, new int[] {20, 28, 28}, randomBytes(20 * 784, 2)));
        Path cut = write("cut.gz", Arrays.copyOf(compressed, compressed.length / 2));
        assertBad(cut, "gzip data is corrupt or truncated", () -> IdxReader.read(cut));
        byte[] flipped = compressed.clone();
        flipped[compressed.length - 6] ^= 0x55;   // inside the CRC-32 trailer
        Path badCrc = write("bad-crc.gz", flipped);
        assertBad(badCrc, "gzip data is corrupt", () -> IdxReader.read(badCrc));
        byte[] garbled = compressed.clone();
        for (int i = 20; i < 60; i++) garbled[i] ^= (byte) 0xA7;   // the deflate stream itself
        Path badBody = write("garbled.gz", garbled);
        assertBad(badBody, "gzip data is corrupt", () -> IdxReader.read(badBody));
        byte[] badHeader = compressed.clone();
        badHeader[2] = 7;   // compression method must be 8 (deflate)
        Path badMethod = write("bad-method.gz", badHeader);
        assertBad(badMethod, "gzip data is corrupt", () -> IdxReader.read(badMethod));
    }
}
