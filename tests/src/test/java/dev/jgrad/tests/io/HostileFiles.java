package dev.jgrad.tests.io;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Helpers shared by the hostile-file tests: building files, and checking messages and models. */
final class HostileFiles {
    /**
     * The longest message accepted, beyond the file's path (which may appear more than once): a
     * few quoted snippets of at most ~100 characters each, and the words around them.
     */
    static final int MAX_MESSAGE_CHARS = 2_000;

    private HostileFiles() {}

    /** A safetensors file from a header string and a data section, the header unpadded. */
    static byte[] safetensors(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    /** Asserts that {@code message} names {@code file} and is short, apart from the path. */
    static void assertBoundedNamingFile(String file, String message, String what) {
        assertNotNull(message, what + ": no message");
        assertTrue(message.contains(file), what + ": the message should name " + file + ": " + head(message));
        int rest = message.replace(file, "").length();
        assertTrue(rest <= MAX_MESSAGE_CHARS,
                what + ": message of " + rest + " characters (beyond the path), more than " + MAX_MESSAGE_CHARS
                        + ": " + head(message));
    }

    static String head(String s) {
        return s == null || s.length() <= 300 ? s : s.substring(0, 300) + "... (" + s.length() + " characters)";
    }

    /** The values of a model's state dict, copied. */
    static Map<String, float[]> values(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toArray()));
        return out;
    }

    /** Asserts that {@code m} holds the same tensors (identity) with the same values (bits). */
    static void assertUnchanged(Map<String, float[]> before, Map<String, Tensor> identities, Module m, String what) {
        Map<String, Tensor> now = m.stateDict();
        assertEquals(before.keySet(), now.keySet(), what);
        for (var e : before.entrySet()) {
            assertSame(identities.get(e.getKey()), now.get(e.getKey()), what + ": " + e.getKey() + " was replaced");
            float[] v = now.get(e.getKey()).toArray();
            float[] b = e.getValue();
            assertEquals(b.length, v.length, what + ": " + e.getKey());
            for (int i = 0; i < b.length; i++)
                assertEquals(Float.floatToRawIntBits(b[i]), Float.floatToRawIntBits(v[i]),
                        what + ": " + e.getKey() + " element " + i + " changed");
        }
    }
}
