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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
                    for (int m = 0; m < mutations; m++) bytes = Mutations.mutateSafetensors(bytes, r, log);
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
                        case 0 -> Mutations.mutateIdx(images, r, log.append("raw images: "));
                        case 1 -> Mutations.mutateIdx(labels, r, log.append("raw labels: "));
                        case 2 -> Mutations.mutateIdx(labelsGz, r, log.append("gzip bytes of the labels: "));
                        default -> gzip(Mutations.mutateIdx(r.nextBoolean() ? images : labels, r, log.append("gzip of: ")));
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
