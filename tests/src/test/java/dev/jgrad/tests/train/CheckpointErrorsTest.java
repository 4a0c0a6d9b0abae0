package dev.jgrad.tests.train;

import dev.jgrad.engine.Device;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.SGD;
import dev.jgrad.nn.train.EarlyStopping;
import dev.jgrad.nn.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A checkpoint that does not fit the run, or is not one, is refused with a message naming the problem; saving is atomic. */
class CheckpointErrorsTest {
    static final Device D = Device.cpu();
    static final ArrayDataset DATA = Runs.classification(48, 11), VAL = Runs.classification(16, 12);

    /** One epoch of Adam with early stopping, checkpointed to {@code file}. */
    private static void write(Path file) {
        Module m = Runs.mlpWithDropout(D, 1, 8);
        new Trainer(m, new Adam(m.parameters(), 0.01f), Losses::crossEntropy).earlyStopping(new EarlyStopping(3, 0.0))
                .checkpoint(file).fit(Runs.shuffled(DATA, 16, 1, D), Runs.inOrder(VAL, 16, D), 1);
    }

    /** Resumes {@code file} into a trainer made by {@code make} over {@code model}; returns the message. */
    private static String refusal(Path file, Module model, Function<Module, Trainer> make, DataLoader train) {
        float[][] before = weights(model);
        Trainer t = make.apply(model).resumeFrom(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(train, Runs.inOrder(VAL, 16, D), 2));
        float[][] after = weights(model);
        for (int i = 0; i < before.length; i++) assertArrayEquals(before[i], after[i], "a refused checkpoint changes nothing");
        assertTrue(e.getMessage().contains(file.toString()), "the message names the file: " + e.getMessage());
        return e.getMessage();
    }

    private static float[][] weights(Module m) {
        return m.stateDict().values().stream().map(t -> t.toArray()).toArray(float[][]::new);
    }

    private static Function<Module, Trainer> adam() {
        return m -> new Trainer(m, new Adam(m.parameters(), 0.01f), Losses::crossEntropy).earlyStopping(new EarlyStopping(3, 0.0));
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "\"" + p + "\" in: " + message);
    }

    @Test
    void mismatchesAreNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("run.ckpt");
        write(file);
        DataLoader shuffled = Runs.shuffled(DATA, 16, 1, D);

        assertMentions(refusal(file, Runs.mlpWithDropout(D, 1, 9), adam(), shuffled), "does not fit the model", "has shape", "(8, 6)", "(9, 6)");
        assertMentions(refusal(file, Runs.mlpWithDropout(D, 1, 8),
                m -> new Trainer(m, new SGD(m.parameters(), 0.1f, 0.9f, 0f), Losses::crossEntropy).earlyStopping(new EarlyStopping(3, 0.0)),
                shuffled), "saved by dev.jgrad.nn.optim.Adam", "dev.jgrad.nn.optim.SGD");
        assertMentions(refusal(file, Runs.mlpWithDropout(D, 1, 8),
                m -> new Trainer(m, new Adam(m.parameters(), 0.01f, 0.8f, 0.999f, 1e-8f, 0f, false), Losses::crossEntropy)
                        .earlyStopping(new EarlyStopping(3, 0.0)), shuffled), "settings", "beta1=0.9", "beta1=0.8");
        assertMentions(refusal(file, Runs.mlpWithDropout(D, 1, 8), adam(), Runs.inOrder(DATA, 16, D)),
                "train_shuffle", "training loader's shuffle");
        assertMentions(refusal(file, Runs.mlpWithDropout(D, 1, 8),
                m -> new Trainer(m, new Adam(m.parameters(), 0.01f), Losses::crossEntropy), shuffled), "early stopping", "has none");
        assertMentions(refusal(file, Runs.mlpWithDropout(D, 1, 8),
                m -> adam().apply(m).generator("augment", new dev.jgrad.engine.Generator(1)), shuffled), "user.augment");

        // The same file without the optimizer's entries.
        Path noOptimizer = dir.resolve("no-optimizer.ckpt");
        try (Checkpoint c = Checkpoint.load(file, D)) {
            Checkpoint copy = new Checkpoint();
            c.values().forEach((k, v) -> { if (!k.startsWith("optimizer.")) copy.set(k, v); });
            for (String prefix : List.of("model", "early_stopping.best_weights")) copy.put(prefix, c.tensors(prefix));
            copy.save(noOptimizer);
        }
        assertMentions(refusal(noOptimizer, Runs.mlpWithDropout(D, 1, 8), adam(), shuffled), "no optimizer state");
    }

    @Test
    void notACheckpointOrDamagedIsAnIOError(@TempDir Path dir) throws IOException {
        Module m = Runs.mlpWithDropout(D, 1, 8);
        Path weights = dir.resolve("weights.safetensors");
        SafeTensors.save(weights, m.stateDict());
        Trainer t = adam().apply(m);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> t.resumeFrom(weights));
        assertMentions(e.getCause().getMessage(), weights.toString(), "not a training checkpoint");

        Path file = dir.resolve("run.ckpt"), cut = dir.resolve("cut.ckpt");
        write(file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 7));
        e = assertThrows(UncheckedIOException.class, () -> t.resumeFrom(cut));
        assertMentions(e.getCause().getMessage(), cut.toString());
        assertThrows(UncheckedIOException.class, () -> t.resumeFrom(dir.resolve("missing.ckpt")));
    }

    @Test
    void aFailedSaveLeavesThePreviousCheckpointWhole(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("run.ckpt");
        Module m = Runs.mlpWithDropout(D, 1, 8);
        Optimizer opt = new Adam(m.parameters(), 0.01f);
        Trainer t = new Trainer(m, opt, Losses::crossEntropy).checkpoint(file);
        t.fit(Runs.shuffled(DATA, 16, 1, D), null, 1);
        byte[] before = Files.readAllBytes(file);
        assertThrows(IllegalStateException.class, () -> new Trainer(m, opt, Losses::crossEntropy).saveCheckpoint(file),
                "nothing to save before a fit");
        m.parameters().get(0).value().close();        // the next save cannot read this tensor
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> t.saveCheckpoint(file));
        assertMentions(e.getMessage(), file.toString());
        assertArrayEquals(before, Files.readAllBytes(file), "the earlier checkpoint is untouched");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void valuesReadBackExactlyAndAbsentOnesAreNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("values.ckpt");
        double[] doubles = {0.1, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.NEGATIVE_INFINITY, 1.0 / 3};
        Checkpoint c = new Checkpoint().set("n", Long.MIN_VALUE).set("s", "text, with \"quotes\"");
        for (int i = 0; i < doubles.length; i++) c.set("d" + i, doubles[i]);
        c.put("t", dev.jgrad.engine.Tensor.of(D, new float[] {1, 2, 3}, 3));
        c.save(file);
        try (Checkpoint back = Checkpoint.load(file, D)) {
            assertEquals(Long.MIN_VALUE, back.longValue("n"));
            assertEquals("text, with \"quotes\"", back.string("s"));
            for (int i = 0; i < doubles.length; i++)
                assertEquals(Double.doubleToRawLongBits(doubles[i]), Double.doubleToRawLongBits(back.doubleValue("d" + i)), "d" + i);
            assertArrayEquals(new float[] {1, 2, 3}, back.tensor("t").toArray());
            assertMentions(assertThrows(IllegalArgumentException.class, () -> back.string("absent")).getMessage(), file.toString(), "absent");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> back.longValue("s")).getMessage(), "not an integer");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> back.tensor("u")).getMessage(), "no tensor \"u\"");
        }
        SafeTensors.save(file, Map.of("t", dev.jgrad.engine.Tensor.of(D, new float[] {1}, 1)), Map.of(Checkpoint.FORMAT_KEY, "99"));
        assertMentions(assertThrows(IOException.class, () -> Checkpoint.load(file, D)).getMessage(), "version 99");
    }
}
