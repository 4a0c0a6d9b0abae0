package dev.jgrad.tests.io;

import dev.jgrad.conformance.Seeds;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.data.IdxReader;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.layers.BatchNorm1d;
import dev.jgrad.nn.layers.Linear;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static dev.jgrad.tests.io.HostileFiles.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Thousands of mutations of a real checkpoint (a small model's state dict, and a training
 * checkpoint with values) and of real IDX files (from the committed Fashion-MNIST subset): bit
 * flips, truncations, inserted and deleted bytes, changed length and dimension fields, number and
 * string literals blown up to a million characters, deep nesting. Each must either load or fail
 * with an {@link IOException} or {@link IllegalArgumentException} whose message is short and
 * names the file; never another exception, never a hang (each batch of cases has a time limit),
 * and a model that a failed load was aimed at must be unchanged. Reproduce a failure with the
 * printed {@code -Djgrad.test.seed=}.
 */
class FuzzFilesTest {
    private static final Device CPU = Device.cpu();
    private static final int CHECKPOINT_CASES = 3_000;
    private static final int IDX_CASES = 2_400;
    private static final int BATCH = 100;
    /** Per batch of {@value #BATCH} cases; a case takes milliseconds, a hang takes forever. */
    private static final Duration BATCH_LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static String seedLine() {
        return "seed " + Seeds.base() + " (rerun with -Djgrad.test.seed=" + Seeds.base() + ")";
    }

    private static Random random(String kind, int i) {
        return new Random(Seeds.forCase("FuzzFilesTest." + kind + "." + i));
    }

    private static Module model(long seed) {
        Init.manualSeed(seed);
        return new Sequential(new Linear(6, 8), new BatchNorm1d(8), new Linear(8, 3));
    }

    // ---------------------------------------------------------------- mutations

    /** A file as its three parts, when it has the shape of a safetensors file (else null). */
    private record Parts(long length, String header, byte[] data) {
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
    private static byte[] mutateSafetensors(byte[] b, Random r, StringBuilder log) {
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

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    // ---------------------------------------------------------------- checks

    /** Asserts that {@code t} is an allowed failure: IOException or IllegalArgumentException, short, naming the file. */
    private static void assertCleanFailure(Path file, Throwable t, String what) {
        if (!(t instanceof IOException) && !(t instanceof IllegalArgumentException))
            throw new AssertionError(what + ": " + t.getClass().getName() + " (only IOException or IllegalArgumentException"
                    + " may come out of a load)", t);
        try {
            assertBoundedNamingFile(file.toString(), t.getMessage(), what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage(), t);
        }
    }

    @Test
    void mutatedCheckpointsLoadOrFailCleanly() throws Exception {
        Map<String, Tensor> source = model(Seeds.forCase("FuzzFilesTest.source")).stateDict();
        Path weightsFile = dir.resolve("weights.safetensors");
        SafeTensors.save(weightsFile, source, Map.of("epoch", "3"));
        Path checkpointFile = dir.resolve("run.ckpt");
        new Checkpoint().put("model", source).set("epoch", 3).set("lr", 0.01).set("note", "fuzz").save(checkpointFile);
        byte[][] originals = {Files.readAllBytes(weightsFile), Files.readAllBytes(checkpointFile)};

        Module target = model(Seeds.forCase("FuzzFilesTest.target"));
        Map<String, Tensor> pristine = new LinkedHashMap<>();
        target.stateDict().forEach((k, v) -> pristine.put(k, Tensor.of(CPU, v.toArray(), v.shape())));
        Path file = dir.resolve("mutated.safetensors");
        int[] loaded = new int[1];
        for (int batch = 0; batch < CHECKPOINT_CASES; batch += BATCH) {
            int first = batch;
            assertTimeoutPreemptively(BATCH_LIMIT, () -> {
                for (int i = first; i < first + BATCH; i++) {
                    Random r = random("checkpoint", i);
                    boolean asCheckpoint = i % 3 == 2;
                    byte[] bytes = originals[asCheckpoint ? 1 : 0];
                    StringBuilder log = new StringBuilder();
                    int mutations = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
                    for (int m = 0; m < mutations; m++) bytes = mutateSafetensors(bytes, r, log);
                    Files.write(file, bytes);
                    String what = seedLine() + ", checkpoint case " + i + " (" + (asCheckpoint ? "Checkpoint.load" : "loadInto")
                            + "): " + log;
                    if (asCheckpoint) loaded[0] += loadCheckpoint(file, what);
                    else loaded[0] += loadInto(file, target, pristine, what);
                }
            }, () -> seedLine() + ": checkpoint cases " + first + ".." + (first + BATCH - 1) + " ran past " + BATCH_LIMIT);
        }
        System.out.println("FuzzFilesTest: " + CHECKPOINT_CASES + " mutated checkpoints, " + loaded[0] + " loaded, "
                + (CHECKPOINT_CASES - loaded[0]) + " rejected cleanly; " + seedLine());
    }

    private static int loadInto(Path file, Module target, Map<String, Tensor> pristine, String what) {
        Map<String, float[]> before = values(target);
        Map<String, Tensor> identities = new LinkedHashMap<>(target.stateDict());
        try {
            SafeTensors.loadInto(file, target);
        } catch (Throwable t) {
            assertCleanFailure(file, t, what);
            assertUnchanged(before, identities, target, what + ": a failed load changed the model");
            return 0;
        }
        target.loadStateDict(pristine);   // a clean load changed the model: put it back for the next case
        return 1;
    }

    private static int loadCheckpoint(Path file, String what) {
        try (Checkpoint c = Checkpoint.load(file, CPU)) {
            for (String key : List.of("epoch", "lr")) {
                try {
                    c.doubleValue(key);
                } catch (Throwable t) {
                    assertCleanFailure(file, t, what + " reading " + key);
                }
            }
            return 1;
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable t) {
            assertCleanFailure(file, t, what);
            return 0;
        }
    }

    // ---------------------------------------------------------------- IDX

    private static byte[] gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }

    private static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(raw);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** The first {@code count} items of a real IDX file, its header's first dimension lowered. */
    private static byte[] firstItems(byte[] idx, int count) {
        int rank = idx[3] & 0xFF;
        ByteBuffer b = ByteBuffer.wrap(idx);
        long item = 1;
        for (int d = 1; d < rank; d++) item *= b.getInt(4 + 4 * d);
        byte[] out = Arrays.copyOf(idx, (int) (4 + 4 * rank + count * item));
        ByteBuffer.wrap(out).putInt(4, count);
        return out;
    }

    private static byte[] mutateIdx(byte[] b, Random r, StringBuilder log) {
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

    @Test
    void mutatedIdxFilesLoadOrFailCleanly() throws Exception {
        Path subset = Path.of(FuzzFilesTest.class.getResource("/fashion-mnist-subset/README.md").toURI()).getParent();
        byte[] images = firstItems(gunzip(subset.resolve("t10k-images-idx3-ubyte.gz")), 24);
        byte[] labelsGz = Files.readAllBytes(subset.resolve("t10k-labels-idx1-ubyte.gz"));
        byte[] labels = gunzip(subset.resolve("t10k-labels-idx1-ubyte.gz"));
        Path file = dir.resolve("mutated-idx-ubyte");
        int[] loaded = new int[1];
        for (int batch = 0; batch < IDX_CASES; batch += BATCH) {
            int first = batch;
            assertTimeoutPreemptively(BATCH_LIMIT, () -> {
                for (int i = first; i < first + BATCH; i++) {
                    Random r = random("idx", i);
                    StringBuilder log = new StringBuilder();
                    int form = i % 4;   // raw images, raw labels, the real gzip file mutated, gzip of mutated raw
                    byte[] bytes = switch (form) {
                        case 0 -> mutateIdx(images, r, log.append("raw images: "));
                        case 1 -> mutateIdx(labels, r, log.append("raw labels: "));
                        case 2 -> mutateIdx(labelsGz, r, log.append("gzip bytes of the labels: "));
                        default -> gzip(mutateIdx(r.nextBoolean() ? images : labels, r, log.append("gzip of: ")));
                    };
                    Files.write(file, bytes);
                    String what = seedLine() + ", IDX case " + i + ": " + log;
                    try {
                        IdxReader.IdxArray a = switch (r.nextInt(3)) {
                            case 0 -> IdxReader.read(file);
                            case 1 -> IdxReader.readImages(file);
                            default -> IdxReader.readLabels(file);
                        };
                        long numel = 1;
                        for (int d : a.dims()) numel *= d;
                        assertEquals(numel, a.data().length, what + ": data length and dims disagree");
                        loaded[0]++;
                    } catch (Throwable t) {
                        if (t instanceof AssertionError e) throw e;
                        assertCleanFailure(file, t, what);
                    }
                }
            }, () -> seedLine() + ": IDX cases " + first + ".." + (first + BATCH - 1) + " ran past " + BATCH_LIMIT);
        }
        System.out.println("FuzzFilesTest: " + IDX_CASES + " mutated IDX files, " + loaded[0] + " loaded, "
                + (IDX_CASES - loaded[0]) + " rejected cleanly; " + seedLine());
    }
}
