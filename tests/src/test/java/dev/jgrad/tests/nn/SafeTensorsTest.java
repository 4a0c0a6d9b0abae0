package dev.jgrad.tests.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.layers.BatchNorm1d;
import dev.jgrad.nn.layers.Linear;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** SafeTensors: bit-exact round trips, the byte layout of the spec, corrupt files, atomic saves. */
class SafeTensorsTest {
    private static final Device CPU = Device.cpu();

    @TempDir
    Path dir;

    private static Tensor random(Generator gen, int... shape) {
        return Tensor.randn(CPU, gen, shape);
    }

    private static void assertBitExact(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++)
            assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), what + " element " + i);
    }

    /** A safetensors file from a header string and a data section, with an unpadded header. */
    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    private static byte[] floatsLE(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    @Test
    void roundTripIsBitExactForValuesNamesAndShapes() throws IOException {
        long seed = System.nanoTime();
        Generator gen = new Generator(seed);
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("features.0.weight", random(gen, 8, 3, 3, 3));
        state.put("features.0.bias", random(gen, 8));
        state.put("scalar", Tensor.scalar(-1.5f));
        state.put("empty", Tensor.zeros(CPU, 2, 0, 3));
        state.put("special", Tensor.of(CPU, new float[] {-0f, Float.MIN_VALUE, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1e-40f}, 7));
        state.put("transposed view", random(gen, 4, 5).t());
        state.put("ünïcode \"quoted\" \\ name", random(gen, 2, 2));
        Path path = dir.resolve("model.safetensors");
        SafeTensors.save(path, state, Map.of("epoch", "3"));

        SafeTensors.Contents loaded = SafeTensors.read(path, CPU);
        assertEquals(new ArrayList<>(state.keySet()), new ArrayList<>(loaded.tensors().keySet()), "names in order");
        for (var e : state.entrySet())
            assertBitExact(e.getValue(), loaded.tensors().get(e.getKey()), e.getKey() + " (seed " + seed + ")");
        assertEquals(Map.of("format", "pt", "epoch", "3"), loaded.metadata());
        assertArrayEquals(new int[] {}, loaded.tensors().get("scalar").shape());
    }

    @Test
    void theWrittenBytesFollowTheSpec() throws IOException {
        Path path = dir.resolve("tiny.safetensors");
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("a", Tensor.of(CPU, new float[] {1f, 2f}, 2));
        state.put("b", Tensor.of(CPU, new float[] {-0.5f}, 1, 1));
        SafeTensors.save(path, state);
        byte[] bytes = Files.readAllBytes(path);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "the header is padded to a multiple of 8 bytes");
        String expected = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]}}";
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertEquals(expected, header.stripTrailing());
        assertTrue(header.substring(expected.length()).chars().allMatch(c -> c == ' '), "padding is spaces");
        byte[] data = Arrays.copyOfRange(bytes, 8 + (int) n, bytes.length);
        // 1.0f = 0x3f800000, 2.0f = 0x40000000, -0.5f = 0xbf000000, little-endian.
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0, (byte) 0xbf}, data);
    }

    @Test
    void readsAHandBuiltFile() throws IOException {
        // Entries out of data order, no metadata, an unpadded header with a newline and spaces.
        String header = "{\"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]},\n"
                + " \"a\": {\"data_offsets\": [0, 8], \"shape\": [2, 1], \"dtype\": \"F32\"}, "
                + "\"s\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [12, 16]}}  ";
        byte[] data = {0, 0, (byte) 0xc0, 0x3f, 0, 0, 0x20, (byte) 0xc1, 0, 0, (byte) 0x80, 0x7f, 0, 0, 0x28, 0x42};
        Path path = Files.write(dir.resolve("hand.safetensors"), file(header, data));
        SafeTensors.Contents c = SafeTensors.read(path, CPU);
        assertEquals(List.of("a", "b", "s"), new ArrayList<>(c.tensors().keySet()), "data order");
        assertArrayEquals(new int[] {2, 1}, c.tensors().get("a").shape());
        assertArrayEquals(new float[] {1.5f, -10f}, c.tensors().get("a").toArray());
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY}, c.tensors().get("b").toArray());
        assertEquals(42f, c.tensors().get("s").item());
        assertEquals(Map.of(), c.metadata());
    }

    /** {@code text} with {@code from} replaced, which must occur in it (so no corruption silently does nothing). */
    private static String edit(String text, String from, String to) {
        assertTrue(text.contains(from), "'" + from + "' not in " + text);
        return text.replace(from, to);
    }

    /** A model with parameters and buffers, initialized from {@code seed}. */
    private static Module model(long seed) {
        Init.manualSeed(seed);
        return new Sequential(new Linear(3, 4), new BatchNorm1d(4), new Linear(4, 2));
    }

    private static Map<String, float[]> snapshot(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toArray()));
        return out;
    }

    private static void assertUntouched(Map<String, float[]> before, Map<String, Tensor> identities, Module m) {
        Map<String, Tensor> now = m.stateDict();
        assertEquals(before.keySet(), now.keySet());
        for (var e : before.entrySet()) {
            assertSame(identities.get(e.getKey()), now.get(e.getKey()), e.getKey() + " was replaced");
            assertArrayEquals(e.getValue(), now.get(e.getKey()).toArray(), e.getKey() + " changed");
        }
    }

    @Test
    void loadIntoRestoresAModel() throws IOException {
        long seed = System.nanoTime();
        Module a = model(seed), b = model(seed + 1);
        Path path = dir.resolve("a.safetensors");
        SafeTensors.save(path, a.stateDict());
        SafeTensors.loadInto(path, b);
        for (var e : a.stateDict().entrySet())
            assertBitExact(e.getValue(), b.stateDict().get(e.getKey()), e.getKey() + " (seed " + seed + ")");
        assertTrue(b.namedParameters().get("0.weight").value().requiresGrad());
    }

    /** Corrupts a good checkpoint of the model; each must fail naming the file and leave the model as it was. */
    @Test
    void corruptFilesGiveClearErrorsAndLeaveTheModelUntouched() throws IOException {
        Module m = model(System.nanoTime());
        Path good = dir.resolve("good.safetensors");
        SafeTensors.save(good, model(7).stateDict());
        byte[] bytes = Files.readAllBytes(good);
        int n = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, n, StandardCharsets.UTF_8).stripTrailing();
        byte[] data = Arrays.copyOfRange(bytes, 8 + n, bytes.length);
        // The state dict starts 0.weight (4, 3) at data bytes [0, 48), then 0.bias (4,) at [48, 64).
        assertTrue(header.contains("\"0.weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}"), header);

        record Case(String name, byte[] bytes, String expect) {}
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("short", Arrays.copyOf(bytes, 5), "shorter than the 8-byte header length"));
        cases.add(new Case("truncated", Arrays.copyOf(bytes, bytes.length - 4), "go beyond the data section"));
        byte[] longHeader = bytes.clone();
        ByteBuffer.wrap(longHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length);
        cases.add(new Case("header-length", longHeader, "goes beyond the file"));
        byte[] hugeHeader = bytes.clone();
        ByteBuffer.wrap(hugeHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -8L);   // 2^64 - 8 as u64
        cases.add(new Case("header-length-u64", hugeHeader, "18446744073709551608 goes beyond the file"));
        cases.add(new Case("bad-json", file(edit(header, "},\"0.bias\"", "},,\"0.bias\""), data), "not valid JSON"));
        cases.add(new Case("not-object", file("[1, 2]", new byte[0]), "does not start with '{'"));
        cases.add(new Case("entry-not-object", file("{\"x\": 1}", new byte[0]), "entry \"x\" must be an object"));
        byte[] latin1 = file("{\"x\":{}}", new byte[0]);
        latin1[10] = (byte) 0xff;   // a lone 0xff byte inside the key
        cases.add(new Case("invalid-utf8", latin1, "not valid UTF-8"));
        cases.add(new Case("duplicate", file(edit(header, "\"0.bias\"", "\"0.weight\""), data), "duplicate key \"0.weight\""));
        cases.add(new Case("out-of-range", file(edit(header, "[0,48]", "[0,4800]"), data),
                "entry \"0.weight\": data_offsets [0, 4800] go beyond the data section"));
        cases.add(new Case("dtype", file(edit(header, "\"F32\",\"shape\":[4,3]", "\"F16\",\"shape\":[4,3]"), data),
                "entry \"0.weight\" has dtype F16"));
        cases.add(new Case("shape-size", file(edit(header, "[4,3]", "[4,4]"), data),
                "entry \"0.weight\": shape (4, 4) of F32 needs 64 bytes, data_offsets [0, 48] hold 48"));
        cases.add(new Case("negative-shape", file(edit(header, "[4,3]", "[-4,-3]"), data),
                "entry \"0.weight\": shape dimension 0 must be a non-negative integer, got -4"));
        cases.add(new Case("fractional-shape", file(edit(header, "[4,3]", "[4,3.0]"), data),
                "entry \"0.weight\": shape dimension 1 must be a non-negative integer, got 3.0"));
        cases.add(new Case("overlap", file(edit(header, "\"shape\":[4],\"data_offsets\":[48,64]",
                "\"shape\":[4],\"data_offsets\":[40,56]"), data), "overlaps entry"));
        cases.add(new Case("trailing", file(header, Arrays.copyOf(data, data.length + 4)), "4 trailing bytes belong to no entry"));
        cases.add(new Case("gap-first", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                new byte[8]), "4 bytes of the data section before entry \"a\" (bytes [0, 4)) belong to no entry"));
        cases.add(new Case("gap-middle", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]),
                "4 bytes of the data section before entry \"b\""));
        cases.add(new Case("missing-field", file(edit(header, ",\"shape\":[4,3]", ""), data), "has no shape"));
        cases.add(new Case("bad-metadata", file(edit(header, "\"format\":\"pt\"", "\"format\":1"), data),
                "__metadata__ entry \"format\" must be a string"));

        Map<String, float[]> before = snapshot(m);
        Map<String, Tensor> identities = new LinkedHashMap<>(m.stateDict());
        for (Case c : cases) {
            Path p = Files.write(dir.resolve(c.name() + ".safetensors"), c.bytes());
            IOException e = assertThrows(IOException.class, () -> SafeTensors.loadInto(p, m), c.name());
            assertTrue(e.getMessage().contains(p.toString()), c.name() + ": message should name the file: " + e.getMessage());
            assertTrue(e.getMessage().contains(c.expect()), c.name() + ": expected '" + c.expect() + "' in: " + e.getMessage());
            assertUntouched(before, identities, m);
        }
    }

    @Test
    void aFileThatDoesNotFitTheModelChangesNothing() throws IOException {
        Module m = model(System.nanoTime());
        Map<String, float[]> before = snapshot(m);
        Map<String, Tensor> identities = new LinkedHashMap<>(m.stateDict());

        Path wrongShape = dir.resolve("wider.safetensors");
        Init.manualSeed(3);
        SafeTensors.save(wrongShape, new Sequential(new Linear(5, 4), new BatchNorm1d(4), new Linear(4, 2)).stateDict());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.loadInto(wrongShape, m));
        assertTrue(e.getMessage().contains(wrongShape.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("entry \"0.weight\" has shape (4, 5), the model needs (4, 3)"), e.getMessage());
        assertUntouched(before, identities, m);

        Map<String, Tensor> partial = new LinkedHashMap<>(model(1).stateDict());
        partial.remove("2.bias");
        partial.put("extra", Tensor.zeros(CPU, 1));
        Path odd = dir.resolve("odd.safetensors");
        SafeTensors.save(odd, partial);
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.loadInto(odd, m));
        assertTrue(e.getMessage().contains("missing entry \"2.bias\""), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected entry \"extra\""), e.getMessage());
        assertUntouched(before, identities, m);
    }

    @Test
    void aFailedSaveLeavesTheExistingFileIntact() throws IOException {
        long seed = System.nanoTime();
        Generator gen = new Generator(seed);
        Path path = dir.resolve("checkpoint.safetensors");
        Map<String, Tensor> good = new LinkedHashMap<>();
        good.put("w", random(gen, 64, 64));
        SafeTensors.save(path, good);
        byte[] saved = Files.readAllBytes(path);

        Tensor unreadable = random(gen, 16);
        unreadable.close();   // its memory is gone: reading it mid-save throws
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("w", random(gen, 64, 64));
        bad.put("broken", unreadable);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.save(path, bad));
        assertTrue(e.getMessage().contains("\"broken\""), e.getMessage());
        assertArrayEquals(saved, Files.readAllBytes(path), "the earlier checkpoint must survive");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(path), files.toList(), "no temporary file is left behind");
        }
        assertBitExact(good.get("w"), SafeTensors.load(path).get("w"), "w");

        assertThrows(IllegalArgumentException.class, () -> SafeTensors.save(path, Map.of("__metadata__", good.get("w"))));
        assertThrows(IOException.class, () -> SafeTensors.save(dir.resolve("no/such/dir/x.safetensors"), good));
        assertArrayEquals(saved, Files.readAllBytes(path));
    }
}
