package dev.jgrad.nn.data;

import dev.jgrad.engine.Shapes;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format): a big-endian magic {@code 0x00 0x00 type rank}, then
 * {@code rank} big-endian 32-bit dimensions, then the data row-major. Only unsigned-byte data
 * (type {@code 0x08}) is supported: images are rank 3 {@code (N, rows, cols)} (magic
 * {@code 0x00000803}), labels rank 1 {@code (N,)} (magic {@code 0x00000801}).
 *
 * <p>A file is read gzip-compressed when it starts with the gzip magic {@code 1f 8b} (whatever
 * its name), raw otherwise. Everything is checked before it is trusted: the magic, the type, the
 * rank, every dimension (positive, their product within {@link #MAX_DATA_BYTES}), and that the
 * data is exactly as long as the dimensions say (no truncation, no trailing bytes; for gzip also
 * the stream's own CRC). Bytes after the last complete gzip member are ignored, as
 * {@link GZIPInputStream} ignores them. Memory is allocated only as data actually arrives, so a header
 * that lies about its size cannot exhaust memory. Every problem is an {@link IOException} whose
 * message starts with the file's path and says what was wrong.
 */
public final class IdxReader {
    /** The IDX type code of unsigned bytes, the only one supported. */
    public static final int UNSIGNED_BYTE = 0x08;
    /** The largest rank accepted. */
    public static final int MAX_RANK = 4;
    /** The largest data section accepted (1 GiB; Fashion-MNIST's training images are 47 MB). */
    public static final long MAX_DATA_BYTES = 1L << 30;

    private IdxReader() {}

    /**
     * The contents of one IDX file: {@code dims}, and {@code data} holding
     * {@code product(dims)} unsigned bytes row-major.
     */
    public record IdxArray(Path file, int[] dims, byte[] data) {
        /** The first dimension: the number of items. */
        public int count() {
            return dims[0];
        }

        /** Bytes per item: the product of the dimensions after the first. */
        public int itemSize() {
            return data.length / dims[0];
        }

        /** Element {@code i} of the flat data as an unsigned value in {@code [0, 255]}. */
        public int unsigned(int i) {
            return data[i] & 0xFF;
        }

        @Override
        public String toString() {
            return "IdxArray(" + file + ", " + Shapes.str(dims) + ")";
        }
    }

    /** Reads an unsigned-byte IDX file of rank 3 {@code (N, rows, cols)}. */
    public static IdxArray readImages(Path file) throws IOException {
        return read(file, 3);
    }

    /** Reads an unsigned-byte IDX file of rank 1 {@code (N,)}. */
    public static IdxArray readLabels(Path file) throws IOException {
        return read(file, 1);
    }

    /** Reads an unsigned-byte IDX file of any rank from 1 to {@link #MAX_RANK}. */
    public static IdxArray read(Path file) throws IOException {
        return read(file, -1);
    }

    private static IdxArray read(Path file, int expectedRank) throws IOException {
        long fileSize = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in;
            try {
                in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
            } catch (ZipException | EOFException e) {   // a bad or cut gzip header
                throw corruptGzip(file, e);
            }
            try {
                return parse(file, in, gzip ? -1 : fileSize, expectedRank);
            } catch (ZipException | EOFException e) {
                if (!gzip) throw e;
                throw corruptGzip(file, e);
            } catch (IOException e) {
                if (gzip) checkGzipIntact(file, in, e);
                throw e;
            }
        }
    }

    /** {@code rawSize} is the file's size for an uncompressed file, -1 for a gzip stream. */
    private static IdxArray parse(Path file, InputStream in, long rawSize, int expectedRank) throws IOException {
        byte[] magic = new byte[4];
        int got = in.readNBytes(magic, 0, 4);
        if (got < 4)
            throw new IOException(file + ": truncated: " + got + " bytes, shorter than the 4-byte IDX magic");
        if (magic[0] != 0 || magic[1] != 0)
            throw new IOException(file + ": bad magic " + hex(magic) + ": an IDX file starts with 0x00 0x00, "
                    + "a type code and a rank (0x00000803 for images, 0x00000801 for labels)");
        int type = magic[2] & 0xFF, rank = magic[3] & 0xFF;
        if (type != UNSIGNED_BYTE)
            throw new IOException(file + ": IDX type code 0x" + Integer.toHexString(type) + " (" + typeName(type)
                    + ") is not supported; only unsigned bytes (0x08) are");
        if (rank < 1 || rank > MAX_RANK)
            throw new IOException(file + ": IDX rank " + rank + " is outside [1, " + MAX_RANK + "]");
        if (expectedRank > 0 && rank != expectedRank)
            throw new IOException(file + ": IDX rank is " + rank + ", expected " + expectedRank
                    + (expectedRank == 3 ? " for images (N, rows, cols)" : expectedRank == 1 ? " for labels (N,)" : ""));

        byte[] header = new byte[4 * rank];
        got = in.readNBytes(header, 0, header.length);
        if (got < header.length)
            throw new IOException(file + ": truncated in the header: " + got + " of the " + header.length
                    + " bytes of " + rank + " dimensions");
        int[] dims = new int[rank];
        long total = 1;
        for (int d = 0; d < rank; d++) {
            long size = ((header[4 * d] & 0xFFL) << 24) | ((header[4 * d + 1] & 0xFF) << 16)
                    | ((header[4 * d + 2] & 0xFF) << 8) | (header[4 * d + 3] & 0xFF);
            if (size <= 0 || size > Integer.MAX_VALUE)
                throw new IOException(file + ": dimension " + d + " is " + size + "; every dimension must be in [1, 2^31)");
            dims[d] = (int) size;
            total *= size;
            if (total > MAX_DATA_BYTES)
                throw new IOException(file + ": dimensions " + Arrays.toString(Arrays.copyOf(dims, d + 1))
                        + "... describe more than " + MAX_DATA_BYTES + " bytes of data, an absurd size for an IDX file");
        }
        String shape = Shapes.str(dims);
        int headerBytes = 4 + header.length;
        if (rawSize >= 0 && rawSize - headerBytes != total)
            throw new IOException(file + ": dimensions " + shape + " need " + total + " data bytes after the "
                    + headerBytes + "-byte header, the file has " + (rawSize - headerBytes)
                    + (rawSize - headerBytes < total ? " (truncated)" : " (trailing bytes after the data)"));

        byte[] data = readExactly(file, in, (int) total, shape);
        int extra = in.read();
        if (extra >= 0) {
            long trailing = 1 + in.transferTo(OutputStream.nullOutputStream());
            throw new IOException(file + ": " + trailing + " trailing bytes after the " + total
                    + " data bytes that dimensions " + shape + " describe");
        }
        return new IdxArray(file, dims, data);
    }

    private static IOException corruptGzip(Path file, IOException cause) {
        return new IOException(file + ": the gzip data is corrupt or truncated (" + cause.getMessage() + ")", cause);
    }

    /**
     * After a format error in a gzip file, reads the rest of the stream: if the gzip data itself is
     * damaged (its CRC or deflate stream), that is the cause worth reporting, not the garbage it decoded to.
     */
    private static void checkGzipIntact(Path file, InputStream in, IOException formatError) throws IOException {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (ZipException | EOFException e) {
            IOException corrupt = corruptGzip(file, e);
            corrupt.addSuppressed(formatError);
            throw corrupt;
        } catch (IOException ignored) {
            // Any other read failure: the format error stands.
        }
    }

    /** Reads {@code n} bytes, growing the buffer only as data arrives. */
    private static byte[] readExactly(Path file, InputStream in, int n, String shape) throws IOException {
        byte[] buf = new byte[Math.min(n, 1 << 20)];
        int filled = 0;
        while (filled < n) {
            if (filled == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
            int r = in.read(buf, filled, buf.length - filled);
            if (r < 0)
                throw new IOException(file + ": truncated: dimensions " + shape + " need " + n
                        + " data bytes, the data ends after " + filled);
            filled += r;
        }
        return buf;
    }

    private static String hex(byte[] b) {
        return String.format("0x%02x%02x%02x%02x", b[0] & 0xFF, b[1] & 0xFF, b[2] & 0xFF, b[3] & 0xFF);
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0B -> "short";
            case 0x0C -> "int";
            case 0x0D -> "float";
            case 0x0E -> "double";
            default -> "unknown";
        };
    }

}
