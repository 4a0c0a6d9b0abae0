package dev.jgrad.tests.train;

import dev.jgrad.engine.Device;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.SGD;
import dev.jgrad.nn.train.EarlyStopping;
import dev.jgrad.nn.train.History;
import dev.jgrad.nn.train.Trainer;
import dev.jgrad.nn.train.TrainingListener;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Resuming from a checkpoint takes exactly the steps of the uninterrupted run. Train {@value #EPOCHS}
 * epochs in one go, recording every step's loss; train {@value #SPLIT} epochs with checkpoints;
 * build everything anew from OTHER seeds (model, optimizer, loaders, trainer: whatever they do not
 * get from the checkpoint shows), resume, train to epoch {@value #EPOCHS}; the step losses after the
 * resume must be the uninterrupted run's, bit for bit, and so must the final weights. The model
 * has batch norm and dropout, the loader shuffles every epoch, early stopping is on (patient enough
 * not to stop), on every device, for Adam with a cosine schedule and SGD with momentum and a step
 * schedule.
 */
class ResumeTest {
    static final int EPOCHS = 4, SPLIT = 2, BATCH = 16, HIDDEN = 12;
    static final long DATA_SEED = 2024, INIT_SEED = 7, SHUFFLE_SEED = 8;

    record Setup(String name, Function<Module, Optimizer> optimizer, IntFunction<LrSchedule> schedule) {}

    static List<Setup> setups() {
        return List.of(
                new Setup("Adam, cosine", m -> new Adam(m.parameters(), 0.01f), total -> LrSchedule.cosine(0.01f, total, 1e-4f)),
                new Setup("SGD momentum 0.9, step", m -> new SGD(m.parameters(), 0.05f, 0.9f, 1e-4f),
                        total -> LrSchedule.step(0.05f, total / 3, 0.5f)));
    }

    /** A run's parts, built from seeds; the step losses it takes are recorded as float bits. */
    static final class Run {
        final Module model;
        final Trainer trainer;
        final DataLoader train, validation;
        final List<Integer> lossBits = new ArrayList<>();

        Run(Device d, Setup s, long initSeed, long shuffleSeed) {
            ArrayDataset trainData = Runs.classification(200, DATA_SEED), valData = Runs.classification(64, DATA_SEED + 1);
            model = Runs.mlpWithDropout(d, initSeed, HIDDEN);
            train = Runs.shuffled(trainData, BATCH, shuffleSeed, d);
            validation = Runs.inOrder(valData, 32, d);
            trainer = new Trainer(model, s.optimizer().apply(model), Losses::crossEntropy)
                    .schedule(s.schedule().apply(train.batchesPerEpoch() * EPOCHS))
                    .earlyStopping(new EarlyStopping(EPOCHS + 1, 0.0))
                    .listener(new TrainingListener() {
                        @Override
                        public void onStepEnd(StepEvent e) {
                            lossBits.add(Float.floatToIntBits(e.loss()));
                        }
                    });
        }

        float[][] weights() {
            return model.stateDict().values().stream().map(t -> t.toArray()).toArray(float[][]::new);
        }
    }

    @TestFactory
    Stream<DynamicTest> resumedRunTakesTheUninterruptedRunsSteps(@TempDir Path dir) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Device.all())
            for (Setup s : setups())
                tests.add(DynamicTest.dynamicTest(s.name() + " on " + d, () -> check(d, s, dir.resolve(d + "-" + s.name().hashCode() + ".ckpt"))));
        return tests.stream();
    }

    @org.junit.jupiter.api.Test
    void aRunThatStoppedEarlyStaysStopped(@TempDir Path dir) {
        Device d = Device.cpu();
        Path file = dir.resolve("stopped.ckpt");
        // Patience 1 and a huge min delta: epoch 1 improves on infinity, epoch 2 cannot, so it stops after 2.
        Function<Run, Trainer> early = r -> r.trainer.earlyStopping(new EarlyStopping(1, 1e9));
        Run first = new Run(d, setups().get(0), INIT_SEED, SHUFFLE_SEED);
        History h1 = early.apply(first).checkpoint(file).fit(first.train, first.validation, EPOCHS);
        assertEquals(2, h1.epochs().size());
        Run again = new Run(d, setups().get(0), INIT_SEED, SHUFFLE_SEED);
        boolean[] stopped = {false};
        History h2 = early.apply(again).listener(new TrainingListener() {
            @Override
            public void onFitEnd(FitEnd e) {
                stopped[0] = e.stoppedEarly() && e.bestEpoch() == 1;
            }
        }).resumeFrom(file).fit(again.train, again.validation, EPOCHS);
        assertEquals(List.of(), again.lossBits, "no step after a resume of a stopped run");
        assertEquals(2, h2.epochs().size());
        assertEquals(true, stopped[0], "the resumed fit reports the early stop and restores epoch 1");
        float[][] a = first.weights(), b = again.weights();
        for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], "both hold epoch 1's weights");
    }

    private static void check(Device d, Setup s, Path file) {
        Run whole = new Run(d, s, INIT_SEED, SHUFFLE_SEED);
        History wholeHistory = whole.trainer.fit(whole.train, whole.validation, EPOCHS);
        int perEpoch = whole.train.batchesPerEpoch();
        assertEquals(EPOCHS * perEpoch, whole.lossBits.size());

        Run first = new Run(d, s, INIT_SEED, SHUFFLE_SEED);
        first.trainer.checkpoint(file).fit(first.train, first.validation, SPLIT);
        assertEquals(whole.lossBits.subList(0, SPLIT * perEpoch), first.lossBits,
                s + " on " + d + ": the same seeds must give the same first epochs");

        Run resumed = new Run(d, s, INIT_SEED + 100, SHUFFLE_SEED + 100);
        History h = resumed.trainer.resumeFrom(file).fit(resumed.train, resumed.validation, EPOCHS);
        List<Integer> want = whole.lossBits.subList(SPLIT * perEpoch, EPOCHS * perEpoch);
        if (!want.equals(resumed.lossBits)) {
            int i = 0;
            while (i < Math.min(want.size(), resumed.lossBits.size()) && want.get(i).equals(resumed.lossBits.get(i))) i++;
            fail(s.name() + " on " + d + ": after the resume, step " + (SPLIT * perEpoch + i + 1) + " of the run has loss "
                    + (i < resumed.lossBits.size() ? Float.intBitsToFloat(resumed.lossBits.get(i)) : "none")
                    + ", the uninterrupted run " + Float.intBitsToFloat(want.get(i)) + " (" + resumed.lossBits.size()
                    + " steps after the resume, want " + want.size() + ")");
        }
        float[][] a = whole.weights(), b = resumed.weights();
        for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], "final state entry " + i + " on " + d);
        assertEquals(EPOCHS, h.epochs().size(), "the history holds the epochs before the resume too");
        for (int e = 0; e < EPOCHS; e++) {
            assertEquals(wholeHistory.epochs().get(e).trainLoss(), h.epochs().get(e).trainLoss(), 0.0, "train loss of epoch " + (e + 1));
            assertEquals(wholeHistory.epochs().get(e).valLoss(), h.epochs().get(e).valLoss(), 0.0, "val loss of epoch " + (e + 1));
            assertEquals(wholeHistory.epochs().get(e).trainAccuracy(), h.epochs().get(e).trainAccuracy(), 0.0);
        }
    }
}
