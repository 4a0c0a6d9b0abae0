package dev.jgrad.tests.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.jgrad.tests.io.HostileFiles.head;
import static dev.jgrad.tests.io.HostileFiles.safetensors;

/**
 * The mutations of {@link FuzzFilesTest}: each takes a file's bytes and a random stream, appends
 * what it did to a log (printed on failure), and returns the mutated bytes. The JSON-aware ones
 * rewrite the header's length field to match, so that the mutation reaches the parser.
 */
final class Mutations {
    private Mutations() {}


    /** A file as its three parts, when it has the shape of a safetensors file (else null). */
    record Parts(long length, String header, byte[] data) {
        static Parts of(byte[] b) {
            if (b.length < 8) return null;
            long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n < 0 || n > b.length - 8) return null;
            return new Parts(n, new String(b, 8, (int) n, StandardCharsets.UTF_8), Arrays.copyOfRange(b, 8 + (int) n, b.length));
        }

        byte[] bytes() {
            return safetensors(header, data);
        }
    }

    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+");
    private static final Pattern STRING = Pattern.compile("\"([^\"\\\\]*)\"");

    private static int size(Random r) {
        int k = r.nextInt(100);
        return k < 40 ? 65 + r.nextInt(100) : k < 75 ? 1_000 + r.nextInt(9_000) : k < 97 ? 100_000 : 1_000_000;
    }

    /** One random mutation of a safetensors file; {@code log} says what was done. */
    static byte[] mutateSafetensors(byte[] b, Random r, StringBuilder log) {
        Parts parts = Parts.of(b);
        int kind = r.nextInt(11);
        if (parts == null && kind >= 5) kind = r.nextInt(5);
        switch (kind) {
            case 0 -> {
                byte[] out = b.clone();
                int flips = 1 + r.nextInt(8);
                int headerEnd = parts == null ? out.length : (int) Math.min(out.length, 8 + parts.length());
                for (int f = 0; f < flips && out.length > 0; f++) {
                    int at = r.nextInt(10) < 7 && headerEnd > 0 ? r.nextInt(headerEnd) : r.nextInt(out.length);
                    out[at] ^= (byte) (1 << r.nextInt(8));
                }
                log.append("flip ").append(flips).append(" bits; ");
                return out;
            }
            case 1 -> {
                int len = b.length == 0 ? 0 : r.nextInt(b.length);
                log.append("truncate to ").append(len).append("; ");
                return Arrays.copyOf(b, len);
            }
            case 2 -> {
                int at = r.nextInt(b.length + 1), n = 1 + r.nextInt(16);
                byte[] ins = new byte[n];
                String json = "{}[]\",:0123456789-.eE \\u";
                for (int i = 0; i < n; i++)
                    ins[i] = r.nextBoolean() ? (byte) json.charAt(r.nextInt(json.length())) : (byte) r.nextInt(256);
                log.append("insert ").append(n).append(" bytes at ").append(at).append("; ");
                return splice(b, at, 0, ins);
            }
            case 3 -> {
                if (b.length == 0) return b;
                int at = r.nextInt(b.length), n = Math.min(1 + r.nextInt(16), b.length - at);
                log.append("delete ").append(n).append(" bytes at ").append(at).append("; ");
                return splice(b, at, n, new byte[0]);
            }
            case 4 -> {
                long n = parts != null ? parts.length() : 0;
                long[] choices = {n + 1 + r.nextInt(16), n - 1 - r.nextInt(16), 0, r.nextLong(), Long.MAX_VALUE,
                        Long.MIN_VALUE, -1, b.length, b.length - 8L, 100_000_001L, 1L << 31, (1L << 32) + n};
                long v = choices[r.nextInt(choices.length)];
                byte[] out = b.length >= 8 ? b.clone() : Arrays.copyOf(b, 8);
                ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
                log.append("header length := ").append(v).append("; ");
                return out;
            }
            case 5, 6 -> {   // a number blown up, or made odd
                List<int[]> spans = spans(NUMBER, parts.header(), 0);
                if (spans.isEmpty()) return b;
                int[] s = spans.get(r.nextInt(spans.size()));
                String[] odd = {"9".repeat(size(r)), "-" + "1".repeat(size(r)), "1." + "5".repeat(size(r)),
                        "1e" + "9".repeat(size(r)), "0" + "0".repeat(r.nextInt(5)), "1e400", "-0", "4.0", "1E2",
                        "18446744073709551616", "9223372036854775807", "2147483648", "-9223372036854775808"};
                String v = odd[r.nextInt(odd.length)];
                log.append("number ").append(s[0]).append(" := ").append(head(v).length() > 40 ? v.length() + " chars" : v).append("; ");
                return new Parts(0, replace(parts.header(), s, v), parts.data()).bytes();
            }
            case 7 -> {   // a string blown up or made odd
                List<int[]> spans = spans(STRING, parts.header(), 1);
                if (spans.isEmpty()) return b;
                int[] s = spans.get(r.nextInt(spans.size()));
                String[] odd = {"k".repeat(size(r)), "\\u0000", "\\ud800", "\\uZZZZ", "\\", "é".repeat(size(r) / 2),
                        "__metadata__", "", "\\\"", "F16", "\u0001"};
                String v = odd[r.nextInt(odd.length)];
                log.append("string at ").append(s[0]).append(" := ").append(v.length() > 40 ? v.length() + " chars" : v).append("; ");
                return new Parts(0, replace(parts.header(), s, v), parts.data()).bytes();
            }
            case 8 -> {   // a structural change to the JSON
                String h = parts.header();
                String[] values = {"null", "true", "{}", "[]", "[1]", "\"x\"", "[".repeat(1 + r.nextInt(2000)),
                        "[".repeat(70) + "]".repeat(70), "[" + "1,".repeat(size(r)) + "1]",
                        "{\"a\":".repeat(80) + "1" + "}".repeat(80)};
                String v = values[r.nextInt(values.length)];
                List<int[]> spans = new ArrayList<>(spans(NUMBER, h, 0));
                spans.addAll(spans(Pattern.compile("\\[[^\\[\\]]*\\]"), h, 0));
                spans.addAll(spans(Pattern.compile("\\{[^{}]*\\}"), h, 0));
                if (spans.isEmpty()) return b;
                int[] s = spans.get(r.nextInt(spans.size()));
                log.append("value at ").append(s[0]).append(" := ").append(v.length() > 40 ? v.length() + " chars" : v).append("; ");
                return new Parts(0, replace(h, s, v), parts.data()).bytes();
            }
            case 9 -> {   // an entry duplicated or removed
                String h = parts.header();
                List<int[]> entries = spans(Pattern.compile("\"[^\"]*\":\\{\"dtype\"[^}]*\\}"), h, 0);
                if (entries.isEmpty()) return b;
                int[] s = entries.get(r.nextInt(entries.size()));
                String entry = h.substring(s[0], s[1]);
                boolean dup = r.nextBoolean();
                log.append(dup ? "duplicate " : "remove ").append("entry at ").append(s[0]).append("; ");
                String changed = dup ? h.substring(0, s[1]) + "," + entry + h.substring(s[1])
                        : replace(h, s, "\"zz\":{}").replace(",\"zz\":{}", "");
                return new Parts(0, changed, parts.data()).bytes();
            }
            default -> {   // the data section's bytes: a clean load of other values
                byte[] out = b.clone();
                int dataStart = (int) (8 + parts.length());
                if (dataStart >= out.length) return out;
                for (int f = 0; f < 4; f++) out[dataStart + r.nextInt(out.length - dataStart)] ^= (byte) (1 << r.nextInt(8));
                log.append("flip data bits; ");
                return out;
            }
        }
    }

    private static List<int[]> spans(Pattern p, String s, int group) {
        List<int[]> out = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) out.add(new int[] {m.start(group), m.end(group)});
        return out;
    }

    private static String replace(String s, int[] span, String with) {
        return s.substring(0, span[0]) + with + s.substring(span[1]);
    }

    static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }


    static byte[] mutateIdx(byte[] b, Random r, StringBuilder log) {
        int kind = r.nextInt(8);
        switch (kind) {
            case 0, 1 -> {
                int rank = b.length >= 4 ? b[3] & 0xFF : 0;
                int headerEnd = (int) Math.min(b.length, 4 + 4L * Math.min(rank, 4));
                byte[] out = b.clone();
                int flips = 1 + r.nextInt(6);
                for (int f = 0; f < flips && out.length > 0; f++) {
                    int at = kind == 0 && headerEnd > 0 ? r.nextInt(headerEnd) : r.nextInt(out.length);
                    out[at] ^= (byte) (1 << r.nextInt(8));
                }
                log.append("flip ").append(flips).append(kind == 0 ? " header" : "").append(" bits; ");
                return out;
            }
            case 2 -> {
                int len = b.length == 0 ? 0 : r.nextInt(b.length);
                log.append("truncate to ").append(len).append("; ");
                return Arrays.copyOf(b, len);
            }
            case 3 -> {
                int at = r.nextInt(b.length + 1), n = 1 + r.nextInt(16);
                byte[] ins = new byte[n];
                r.nextBytes(ins);
                log.append("insert ").append(n).append(" bytes at ").append(at).append("; ");
                return splice(b, at, 0, ins);
            }
            case 4 -> {
                if (b.length == 0) return b;
                int at = r.nextInt(b.length), n = Math.min(1 + r.nextInt(16), b.length - at);
                log.append("delete ").append(n).append(" bytes at ").append(at).append("; ");
                return splice(b, at, n, new byte[0]);
            }
            case 5, 6 -> {   // a dimension field set to something odd
                int rank = b.length >= 4 ? b[3] & 0xFF : 0;
                int dims = (b.length - 4) / 4;
                if (rank == 0 || dims <= 0) return b;
                int d = r.nextInt(Math.min(Math.min(rank, 4), dims));
                int[] choices = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30, 1 << 15, r.nextInt(),
                        ByteBuffer.wrap(b).getInt(4 + 4 * d) + r.nextInt(5) - 2, 1};
                int v = choices[r.nextInt(choices.length)];
                byte[] out = b.clone();
                ByteBuffer.wrap(out).putInt(4 + 4 * d, v);
                log.append("dimension ").append(d).append(" := ").append(Integer.toUnsignedString(v)).append("; ");
                return out;
            }
            default -> {   // the magic's type or rank byte
                if (b.length < 4) return b;
                byte[] out = b.clone();
                int at = 2 + r.nextInt(2);
                out[at] = (byte) (r.nextBoolean() ? r.nextInt(256) : new int[] {0, 1, 3, 4, 5, 8, 9, 0x0D, 0xFF}[r.nextInt(9)]);
                log.append("magic byte ").append(at).append(" := ").append(out[at] & 0xFF).append("; ");
                return out;
            }
        }
    }

}
