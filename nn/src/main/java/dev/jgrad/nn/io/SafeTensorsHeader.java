package dev.jgrad.nn.io;

import dev.jgrad.engine.Shapes;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The validated header of a safetensors file: its entries sorted by where their data starts, and
 * its {@code __metadata__}. {@link #parse} accepts a header only if every entry is F32 (or I64,
 * which PyTorch writes for integer buffers such as batch norm's {@code num_batches_tracked}) with a
 * non-negative integer shape whose byte size matches its {@code data_offsets}, and the entries
 * tile the data section exactly (from byte 0 to its end, no overlap, no gap), as the format
 * requires.
 *
 * <p>Against a hostile file: the header is at most {@link #MAX_HEADER_BYTES} long, parsing is
 * linear in its length (see {@link Json}: bounded number literals and nesting), and every message
 * names the file and quotes at most {@value Snippets#MAX_CHARS} characters of any string in it.
 */
record SafeTensorsHeader(List<Entry> entries, Map<String, String> metadata) {
    /** The format's own limit on the header's length (100 MB), which also bounds our allocation. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";
    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

    /**
     * One tensor: its name, shape, data bytes {@code [begin, end)} of the data section, and whether
     * it is stored as I64 (8 bytes per element) rather than F32.
     */
    record Entry(String name, int[] shape, long begin, long end, boolean int64) {
        int numel() {
            return Shapes.numel(shape);
        }
    }

    /**
     * Decodes and validates {@code headerBytes} (UTF-8 JSON, possibly space-padded) for a data
     * section of {@code dataBytes} bytes.
     *
     * @throws IOException naming {@code file} and, where there is one, the entry at fault
     */
    static SafeTensorsHeader parse(Path file, ByteBuffer headerBytes, long dataBytes) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": the header is not valid UTF-8", e);
        }
        if (!text.startsWith("{"))
            throw new IOException(file + ": the header does not start with '{' (not a safetensors file?)");
        Object root;
        try {
            root = Json.parse(text);
        } catch (Json.SyntaxException e) {
            throw new IOException(file + ": the header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map))
            throw new IOException(file + ": the header is not a JSON object");

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (var e : map.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) metadata = metadata(file, e.getValue());
            else entries.add(entry(file, name, e.getValue(), dataBytes));
        }
        checkTiling(file, entries, dataBytes);
        return new SafeTensorsHeader(List.copyOf(entries), metadata);
    }

    private static Map<String, String> metadata(Path file, Object value) throws IOException {
        if (!(value instanceof Map<?, ?> map))
            throw new IOException(file + ": " + METADATA_KEY + " must be an object of strings, got " + Snippets.value(value));
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : map.entrySet()) {
            if (!(e.getValue() instanceof String s))
                throw new IOException(file + ": " + METADATA_KEY + " entry " + Snippets.quote((String) e.getKey())
                        + " must be a string, got " + Snippets.value(e.getValue()));
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(Path file, String name, Object value, long dataBytes) throws IOException {
        String where = file + ": entry " + Snippets.quote(name);
        if (!(value instanceof Map<?, ?> info))
            throw new IOException(where + " must be an object with dtype, shape and data_offsets, got "
                    + Snippets.value(value));
        for (Object key : info.keySet())
            if (!ENTRY_KEYS.contains(key)) throw new IOException(where + " has an unknown field " + Snippets.quote((String) key));
        for (String key : ENTRY_KEYS)
            if (!info.containsKey(key)) throw new IOException(where + " has no " + key);

        Object dtype = info.get("dtype");
        if (!"F32".equals(dtype) && !"I64".equals(dtype))
            throw new IOException(where + " has dtype " + Snippets.bare(dtype)
                    + "; jgrad reads only F32 (float32) tensors, and I64 ones whose values float32 holds exactly");
        boolean int64 = "I64".equals(dtype);
        int width = int64 ? 8 : 4;

        if (!(info.get("shape") instanceof List<?> dims))
            throw new IOException(where + ": shape must be an array of non-negative integers, got "
                    + Snippets.value(info.get("shape")));
        int[] shape = new int[dims.size()];
        long numel = 1;
        for (int d = 0; d < shape.length; d++) {
            long size = nonNegative(dims.get(d), where + ": shape dimension " + d);
            if (size > Integer.MAX_VALUE) throw new IOException(where + ": shape dimension " + d + " is " + size + ", too large");
            shape[d] = (int) size;
            numel *= size;
            if (numel > Integer.MAX_VALUE)
                throw new IOException(where + ": shape " + Snippets.value(dims)
                        + " has more than 2^31-1 elements, more than a tensor holds");
        }

        if (!(info.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2)
            throw new IOException(where + ": data_offsets must be an array [begin, end], got "
                    + Snippets.value(info.get("data_offsets")));
        long begin = nonNegative(offsets.get(0), where + ": data_offsets begin");
        long end = nonNegative(offsets.get(1), where + ": data_offsets end");
        if (begin > end)
            throw new IOException(where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        if (end > dataBytes)
            throw new IOException(where + ": data_offsets [" + begin + ", " + end + "] go beyond the data section of "
                    + dataBytes + " bytes");
        if (end - begin != width * numel)
            throw new IOException(where + ": shape " + Snippets.cut(Shapes.str(shape)) + " of " + dtype + " needs "
                    + width * numel + " bytes, data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        return new Entry(name, shape, begin, end, int64);
    }

    private static long nonNegative(Object v, String what) throws IOException {
        if (v instanceof Long l && l >= 0) return l;
        if (v instanceof BigInteger b && b.signum() >= 0)
            throw new IOException(what + " is " + b + ", too large");
        throw new IOException(what + " must be a non-negative integer, got " + Snippets.value(v));
    }

    /** Sorted by begin, the entries must cover {@code [0, dataBytes)} back to back. */
    private static void checkTiling(Path file, List<Entry> entries, long dataBytes) throws IOException {
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        String previous = null;
        for (Entry e : entries) {
            if (e.begin() < at)
                throw new IOException(file + ": entry " + Snippets.quote(e.name()) + " at bytes [" + e.begin() + ", "
                        + e.end() + ") overlaps entry " + Snippets.quote(previous) + " which ends at " + at);
            if (e.begin() > at)
                throw new IOException(file + ": " + (e.begin() - at) + " bytes of the data section before entry "
                        + Snippets.quote(e.name()) + " (bytes [" + at + ", " + e.begin() + ")) belong to no entry");
            at = e.end();
            previous = e.name();
        }
        if (at != dataBytes)
            throw new IOException(file + ": the data section has " + dataBytes + " bytes but its entries end at " + at
                    + "; " + (dataBytes - at) + " trailing bytes belong to no entry");
    }
}
