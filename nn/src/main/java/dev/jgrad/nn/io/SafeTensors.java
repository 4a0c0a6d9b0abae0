package dev.jgrad.nn.io;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads state dicts in the safetensors format, so checkpoints move between jgrad and
 * PyTorch ({@code safetensors.torch.load_file} / {@code save_file}).
 *
 * <p>The layout: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of
 * UTF-8 JSON {@code {"__metadata__": {...}, "name": {"dtype": "F32", "shape": [d0, d1, ...],
 * "data_offsets": [begin, end]}, ...}} (written padded with spaces so that {@code N} is a multiple
 * of 8); then the data section, each tensor's elements row-major as little-endian float32 at bytes
 * {@code [begin, end)} of the section, the tensors back to back with nothing in between. A tensor
 * of shape {@code (d0, d1, ...)} takes {@code 4 * d0 * d1 * ...} bytes; shape {@code []} is a scalar.
 *
 * <p>dtypes: jgrad writes every tensor as F32, batch norm's {@code num_batches_tracked} included
 * (PyTorch's {@code load_state_dict} copies it into its int64 buffer). It reads F32, and I64
 * entries (what PyTorch saves for {@code num_batches_tracked}) as floats, rejecting a value that
 * float32 does not hold exactly; any other dtype is an error naming it.
 *
 * <p>Saving writes a temporary file {@code .name.<digits>.tmp} in the target's directory, renames
 * it over the target and syncs the directory, so a failed or killed save leaves any earlier
 * checkpoint intact. Each save also removes the temporary files that killed saves of the same
 * target left behind, by the rule given in {@code AtomicSave}: only files of that pattern, last
 * modified over 10 s before the save began, that no save (in this process or another) holds
 * locked. Loading validates the whole header against the file before it creates any tensor; a bad
 * file gives an {@link IOException} naming the file and the entry at fault, and quoting at most 100
 * characters of any name or value from the file.
 */
public final class SafeTensors {
    private static final int CHUNK_FLOATS = 1 << 18;
    /** The most mismatches that one {@link #loadInto} message lists; the rest are counted. */
    private static final int MAX_LISTED_PROBLEMS = 10;

    private SafeTensors() {}

    /** The tensors of a file, in data order, and its {@code __metadata__}. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Saves {@code tensors} with metadata {@code {"format": "pt"}}, as PyTorch's writer does. */
    public static void save(Path file, Map<String, Tensor> tensors) throws IOException {
        save(file, tensors, Map.of());
    }

    /**
     * Saves {@code tensors} (any device, any layout) under their names, in the map's order, with
     * {@code metadata} added to {@code {"format": "pt"}}. Atomic: the file is either the old one or
     * the complete new one.
     *
     * @throws IllegalArgumentException for an empty or reserved name
     * @throws IOException if writing fails; the target is then unchanged, except when the rename
     *                     succeeded and only syncing the directory failed (the message says so)
     */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        for (var e : tensors.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getKey().equals(SafeTensorsHeader.METADATA_KEY))
                throw new IllegalArgumentException("safetensors save " + file + ": bad tensor name " + Snippets.quote(e.getKey()));
            if (e.getValue() == null)
                throw new IllegalArgumentException("safetensors save " + file + ": tensor " + Snippets.quote(e.getKey())
                        + " is null");
        }
        byte[] header = header(tensors, metadata);
        Path target = file.toAbsolutePath();
        AtomicSave.Temp tmp = AtomicSave.begin(target);
        try {
            FileChannel out = tmp.channel();
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            writeFully(out, length);
            writeFully(out, ByteBuffer.wrap(header));
            ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
            for (var e : tensors.entrySet()) writeData(file, out, chunk, e.getKey(), e.getValue());
            out.force(true);
            // Renamed while still locked, so that no other process's cleanup can take it first.
            try {
                Files.move(tmp.path(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp.path(), target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (Throwable t) {
            try {
                AtomicSave.end(tmp);
            } catch (IOException suppressed) {
                t.addSuppressed(suppressed);
            }
            throw t;
        }
        AtomicSave.end(tmp);
        try {
            AtomicSave.syncDirectory(target.getParent());
        } catch (IOException e) {
            throw new IOException(file + " is saved, but syncing its directory failed, so the new file may not survive"
                    + " a power loss: " + e.getMessage(), e);
        }
    }

    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{").append(Json.quote(SafeTensorsHeader.METADATA_KEY)).append(":{");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.putAll(metadata);
        boolean first = true;
        for (var e : meta.entrySet()) {
            json.append(first ? "" : ",").append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
            first = false;
        }
        json.append('}');
        long at = 0;
        for (var e : tensors.entrySet()) {
            int[] shape = e.getValue().shape();
            long bytes = 4L * Shapes.numel(shape);
            json.append(',').append(Json.quote(e.getKey())).append(":{\"dtype\":\"F32\",\"shape\":[");
            for (int d = 0; d < shape.length; d++) json.append(d == 0 ? "" : ",").append(shape[d]);
            json.append("],\"data_offsets\":[").append(at).append(',').append(at + bytes).append("]}");
            at += bytes;
        }
        json.append('}');
        byte[] raw = json.toString().getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(raw, (raw.length + 7) / 8 * 8);
        Arrays.fill(padded, raw.length, padded.length, (byte) ' ');
        return padded;
    }

    private static void writeData(Path file, FileChannel out, ByteBuffer chunk, String name, Tensor t) throws IOException {
        float[] values;
        try {
            values = t.toArray();
        } catch (RuntimeException e) {
            throw new IOException("safetensors save " + file + ": cannot read tensor " + Snippets.quote(name) + ": "
                    + e.getMessage(), e);
        }
        for (int start = 0; start < values.length; start += CHUNK_FLOATS) {
            int count = Math.min(CHUNK_FLOATS, values.length - start);
            chunk.clear();
            chunk.asFloatBuffer().put(values, start, count);
            chunk.limit(4 * count);
            writeFully(out, chunk);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }

    /** The tensors of {@code file} on the default device, in data order. */
    public static Map<String, Tensor> load(Path file) throws IOException {
        return read(file, Device.defaultDevice()).tensors();
    }

    /**
     * Reads {@code file} onto {@code device}. The header is validated in full (see
     * {@link SafeTensors}) before any tensor is created.
     *
     * @throws IOException naming the file and the entry at fault
     */
    public static Contents read(Path file, Device device) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            if (size < 8)
                throw new IOException(file + ": truncated: " + size + " bytes, shorter than the 8-byte header length");
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, in, lengthBytes, 0);
            long n = lengthBytes.flip().getLong();
            if (n < 0 || n > size - 8)
                throw new IOException(file + ": the header length " + Long.toUnsignedString(n) + " goes beyond the file ("
                        + size + " bytes, so at most " + (size - 8) + " header bytes)");
            if (n > SafeTensorsHeader.MAX_HEADER_BYTES)
                throw new IOException(file + ": the header length " + n + " exceeds the format's limit of "
                        + SafeTensorsHeader.MAX_HEADER_BYTES + " bytes");
            ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
            readFully(file, in, headerBytes, 8);
            long dataStart = 8 + n;
            SafeTensorsHeader header = SafeTensorsHeader.parse(file, headerBytes.flip(), size - dataStart);

            Map<String, Tensor> tensors = new LinkedHashMap<>();
            try {
                ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
                for (SafeTensorsHeader.Entry e : header.entries()) {
                    float[] values = new float[e.numel()];
                    if (e.int64()) {
                        readInt64(file, in, e, dataStart, values);
                        tensors.put(e.name(), Tensor.of(device, values, e.shape()));
                        continue;
                    }
                    for (int startFloat = 0; startFloat < values.length; startFloat += CHUNK_FLOATS) {
                        int count = Math.min(CHUNK_FLOATS, values.length - startFloat);
                        chunk.clear().limit(4 * count);
                        readFully(file, in, chunk, dataStart + e.begin() + 4L * startFloat);
                        chunk.flip().asFloatBuffer().get(values, startFloat, count);
                    }
                    tensors.put(e.name(), Tensor.of(device, values, e.shape()));
                }
            } catch (IOException | RuntimeException | Error t) {
                tensors.values().forEach(Tensor::close);
                throw t;
            }
            return new Contents(tensors, header.metadata());
        }
    }

    /**
     * An I64 entry (PyTorch's integer buffers, such as batch norm's {@code num_batches_tracked})
     * as floats; a value that float32 cannot hold exactly (beyond 2^24 in magnitude, unless a
     * multiple of a power of two that it rounds to without loss) is an error, not a rounding.
     */
    private static void readInt64(Path file, FileChannel in, SafeTensorsHeader.Entry e, long dataStart, float[] values)
            throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(8 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < values.length; start += CHUNK_FLOATS) {
            int count = Math.min(CHUNK_FLOATS, values.length - start);
            chunk.clear().limit(8 * count);
            readFully(file, in, chunk, dataStart + e.begin() + 8L * start);
            chunk.flip();
            for (int i = 0; i < count; i++) {
                long v = chunk.getLong();
                float f = v;
                if ((long) f != v || f == 0x1p63f)
                    throw new IOException(file + ": entry " + Snippets.quote(e.name()) + " holds the int64 " + v
                            + " at element " + (start + i) + ", which float32 (jgrad's tensors) cannot hold exactly");
                values[start + i] = f;
            }
        }
    }

    private static int problem(List<String> problems, int count, String problem) {
        if (problems.size() < MAX_LISTED_PROBLEMS) problems.add(problem);
        return count + 1;
    }

    private static void readFully(Path file, FileChannel in, ByteBuffer b, long position) throws IOException {
        long at = position;
        while (b.hasRemaining()) {
            int r = in.read(b, at);
            if (r < 0) throw new IOException(file + ": the file ended early at byte " + at + " (changed while reading?)");
            at += r;
        }
    }

    /**
     * Loads {@code file} into {@code model}: the file's names and shapes must match
     * {@link Module#stateDict()} exactly (nothing missing, nothing extra; only an
     * {@linkplain Module#optionalStateKeys optional} buffer such as batch norm's
     * {@code num_batches_tracked} may be absent, and then keeps its value). On any error, in the
     * file or in the match, the model is left untouched.
     *
     * @throws IOException if the file is malformed
     * @throws IllegalArgumentException naming the file and each mismatching entry
     */
    public static void loadInto(Path file, Module model) throws IOException {
        Map<String, Tensor> loaded = load(file);
        try {
            Map<String, Tensor> expected = model.stateDict();
            List<String> problems = new ArrayList<>();
            int count = 0;
            for (var e : expected.entrySet()) {
                Tensor t = loaded.get(e.getKey());
                if (t == null && model.optionalStateKeys().contains(e.getKey())) continue;   // kept (an older file)
                if (t == null) count = problem(problems, count, "missing entry " + Snippets.quote(e.getKey()));
                else if (!Arrays.equals(t.shape(), e.getValue().shape()))
                    count = problem(problems, count, "entry " + Snippets.quote(e.getKey()) + " has shape "
                            + Snippets.cut(Shapes.str(t.shape())) + ", the model needs " + Shapes.str(e.getValue().shape()));
            }
            for (String name : loaded.keySet())
                if (!expected.containsKey(name))
                    count = problem(problems, count, "unexpected entry " + Snippets.quote(name) + " (not in the model)");
            if (count > problems.size()) problems.add("and " + (count - problems.size()) + " more (" + count + " in all)");
            if (count > 0)
                throw new IllegalArgumentException(file + " does not fit the model: " + String.join("; ", problems));
            model.loadStateDict(loaded);
        } finally {
            // The model holds its own references (loadStateDict detaches); ours go.
            loaded.values().forEach(Tensor::close);
        }
    }
}
