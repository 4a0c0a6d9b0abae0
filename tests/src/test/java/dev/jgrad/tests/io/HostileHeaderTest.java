package dev.jgrad.tests.io;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.layers.BatchNorm1d;
import dev.jgrad.nn.layers.Linear;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.jgrad.tests.io.HostileFiles.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Safetensors headers written to hurt: number literals of a million digits (which took the old
 * parser 28 s, through {@code BigInteger}), and huge keys and values that the old messages echoed
 * back whole. Each must be rejected quickly, with a short message that names the file.
 */
class HostileHeaderTest {
    private static final Device CPU = Device.cpu();

    @TempDir
    Path dir;

    private static String digits(int n) {
        return "9".repeat(n);
    }

    private static String entry(String shape, String offsets) {
        return "{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    /** Loads {@code bytes} as {@code name}; returns the exception, which must be an IOException. */
    private IOException reject(String name, byte[] bytes) throws IOException {
        Path p = Files.write(dir.resolve(name), bytes);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(p, CPU).tensors().values()
                .forEach(Tensor::close), name);
        assertBoundedNamingFile(p.toString(), e.getMessage(), name);
        return e;
    }

    @Test
    void aMillionDigitNumberIsRejectedInUnderASecond() throws IOException {
        byte[] data = new byte[4];
        for (int i = 0; i < 20; i++)   // warm-up, so that the time below is the parser's, not the JIT's
            reject("warm-" + (i % 2) + ".safetensors", safetensors("{\"a\":" + entry("[" + digits(70) + "]", "[0,4]") + "}", data));
        record Case(String name, String header) {}
        String million = digits(1_000_000);
        Case[] cases = {
                new Case("shape-int", "{\"a\":" + entry("[" + million + "]", "[0,4]") + "}"),
                new Case("offset-int", "{\"a\":" + entry("[1]", "[0," + million + "]") + "}"),
                new Case("negative", "{\"a\":" + entry("[-" + million + "]", "[0,4]") + "}"),
                new Case("fraction", "{\"a\":" + entry("[1." + million + "]", "[0,4]") + "}"),
                new Case("exponent", "{\"a\":" + entry("[1e" + million + "]", "[0,4]") + "}"),
                new Case("metadata", "{\"__metadata__\":{\"x\":" + million + "}}"),
                new Case("ten-million", "{\"a\":" + entry("[" + digits(10_000_000) + "]", "[0,4]") + "}"),
        };
        for (Case c : cases) {
            Path p = Files.write(dir.resolve(c.name() + ".safetensors"), safetensors(c.header(), data));
            long[] nanos = new long[1];
            Throwable e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                long t0 = System.nanoTime();
                Throwable x = assertThrows(Throwable.class, () -> SafeTensors.read(p, CPU));
                nanos[0] = System.nanoTime() - t0;
                return x;
            }, c.name() + ": the parser is not linear in the header size");
            assertTrue(nanos[0] < 1_000_000_000L, c.name() + ": rejected in " + nanos[0] / 1e6 + " ms, more than 1 s");
            assertInstanceOf(IOException.class, e, c.name());
            assertBoundedNamingFile(p.toString(), e.getMessage(), c.name());
            assertTrue(e.getMessage().contains("number"), c.name() + ": " + head(e.getMessage()));
        }
    }

    @Test
    void reasonableNumbersStillParse() throws IOException {
        // 63 characters of zeros-free digits would not fit a long; the offsets here are ordinary.
        String header = "{\"__metadata__\":{\"k\":\"v\"},\"a\":" + entry("[ 1 , 2 ]", "[0, 8]") + "}";
        Path p = Files.write(dir.resolve("ok.safetensors"), safetensors(header, new byte[8]));
        SafeTensors.Contents c = SafeTensors.read(p, CPU);
        assertArrayEquals(new int[] {1, 2}, c.tensors().get("a").shape());
        // An integer too large for a long, but short: the "too large" message, not a number-length one.
        IOException e = reject("big.safetensors", safetensors("{\"a\":" + entry("[" + digits(30) + "]", "[0,4]") + "}", new byte[4]));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void aHeaderOverTheFormatsLimitIsRejectedUnread() throws IOException {
        Path p = dir.resolve("long-header.safetensors");
        long n = 100_000_001L;
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(8 + n + 16);   // sparse: no 100 MB written
            f.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(n).array());
        }
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(p, CPU));
        assertBoundedNamingFile(p.toString(), e.getMessage(), "long header");
        assertTrue(e.getMessage().contains("exceeds the format's limit of 100000000 bytes"), e.getMessage());
    }

    @Test
    void deepNestingIsRejected() throws IOException {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        IOException e = reject("deep.safetensors", safetensors("{\"__metadata__\":" + deep + "}", new byte[0]));
        assertTrue(e.getMessage().contains("nesting deeper than"), e.getMessage());
    }

    @Test
    void errorMessagesQuoteHugeStringsShortly() throws IOException {
        String huge = "k".repeat(1_000_000);
        String hugeList = "[" + "1,".repeat(1_000_000) + "1]";
        byte[] four = new byte[4];
        record Case(String name, String header, String expect) {}
        Case[] cases = {
                new Case("duplicate-key", "{\"" + huge + "\":" + entry("[1]", "[0,4]") + ",\"" + huge + "\":"
                        + entry("[1]", "[0,4]") + "}", "duplicate key"),
                new Case("bad-dtype-of-huge-name", "{\"" + huge + "\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        "has dtype"),
                new Case("huge-dtype", "{\"a\":{\"dtype\":\"" + huge + "\",\"shape\":[1],\"data_offsets\":[0,4]}}", "has dtype"),
                new Case("huge-unknown-field", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"" + huge
                        + "\":1}}", "unknown field"),
                new Case("huge-entry-value", "{\"a\":" + hugeList + "}", "must be an object"),
                new Case("huge-shape-value", "{\"a\":{\"dtype\":\"F32\",\"shape\":\"" + huge + "\",\"data_offsets\":[0,4]}}",
                        "shape must be"),
                new Case("huge-offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":" + hugeList + "}}",
                        "data_offsets must be"),
                new Case("huge-metadata", "{\"__metadata__\":" + hugeList + "}", "__metadata__ must be"),
                new Case("huge-metadata-value", "{\"__metadata__\":{\"" + huge + "\":" + hugeList + "}}", "must be a string"),
                new Case("huge-shape-mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":" + hugeList + ",\"data_offsets\":[0,8]}}",
                        "needs 4 bytes"),
                new Case("huge-gap", "{\"" + huge + "\":" + entry("[1]", "[4,8]") + "}", "belong to no entry"),
                new Case("huge-overlap", "{\"" + huge + "\":" + entry("[1]", "[0,4]") + ",\"" + huge + "2\":"
                        + entry("[0]", "[2,2]") + "}", "overlaps"),
                new Case("huge-garbage-after", "{\"a\":" + entry("[1]", "[0,4]") + "}" + "x".repeat(1), "after the JSON value"),
        };
        for (Case c : cases) {
            byte[] data = c.name().equals("huge-gap") ? new byte[8] : c.name().equals("huge-shape-mismatch") ? new byte[8] : four;
            IOException e = reject(c.name() + ".safetensors", safetensors(c.header(), data));
            assertTrue(e.getMessage().contains(c.expect()), c.name() + ": expected '" + c.expect() + "' in " + head(e.getMessage()));
            if (c.header().contains(huge))
                assertTrue(e.getMessage().contains("...") || !e.getMessage().contains("kkkk"), c.name() + ": " + head(e.getMessage()));
        }
    }

    private static Module model() {
        Init.manualSeed(11);
        return new Sequential(new Linear(3, 4), new BatchNorm1d(4), new Linear(4, 2));
    }

    @Test
    void aModelMismatchWithHugeNamesGivesAShortMessage() throws IOException {
        Module m = model();
        Map<String, Tensor> state = new LinkedHashMap<>(m.stateDict());
        String huge = "n".repeat(1_000_000);
        state.put(huge, Tensor.zeros(CPU, 1));
        for (int i = 0; i < 5_000; i++) state.put("extra." + i, Tensor.zeros(CPU, 1));
        state.put("0.weight", Tensor.zeros(CPU, 1_000, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
        Path p = dir.resolve("mismatch.safetensors");
        SafeTensors.save(p, state);
        Map<String, float[]> before = values(m);
        Map<String, Tensor> identities = new LinkedHashMap<>(m.stateDict());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.loadInto(p, m));
        assertBoundedNamingFile(p.toString(), e.getMessage(), "mismatch");
        assertTrue(e.getMessage().contains("unexpected entry"), head(e.getMessage()));
        assertTrue(e.getMessage().contains("5001 unexpected entries") || e.getMessage().contains("more"), head(e.getMessage()));
        assertUnchanged(before, identities, m, "mismatch");
    }

    @Test
    void checkpointValuesAreQuotedShortly() throws IOException {
        String huge = "v".repeat(1_000_000);
        Path p = dir.resolve("values.ckpt");
        new Checkpoint().set("epoch", huge).set("lr", huge).save(p);
        try (Checkpoint c = Checkpoint.load(p, CPU)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.longValue("epoch"));
            assertBoundedNamingFile(p.toString(), e.getMessage(), "longValue");
            e = assertThrows(IllegalArgumentException.class, () -> c.doubleValue("lr"));
            assertBoundedNamingFile(p.toString(), e.getMessage(), "doubleValue");
        }
        Path other = dir.resolve("version.ckpt");
        SafeTensors.save(other, Map.of(), Map.of(Checkpoint.FORMAT_KEY, huge));
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(other, CPU));
        assertBoundedNamingFile(other.toString(), e.getMessage(), "version");
    }
}
