package dev.jgrad.tests.determinism;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.Dropout;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.train.Trainer;
import dev.jgrad.nn.train.TrainingListener;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A dropout layer that owns its generator draws its masks from it alone: other draws from
 * {@code Init.generator()}, and other dropout layers, do not move them; and a training checkpoint
 * saves the owned generator, so that a resume takes the uninterrupted run's steps bit for bit.
 */
class DropoutGeneratorTest {
    private static float[] masks(Dropout d, Device device, int calls) {
        float[] out = new float[calls * 1000];
        for (int c = 0; c < calls; c++)
            System.arraycopy(d.forward(Tensor.ones(device, 1000)).toArray(), 0, out, c * 1000, 1000);
        return out;
    }

    @TestFactory
    Stream<DynamicTest> ownedMasksIgnoreEveryOtherDraw() {
        return Device.all().stream().map(device -> DynamicTest.dynamicTest(device.name(), () -> {
            float[] alone = masks(new Dropout(0.5f, new Generator(3)), device, 3);
            Dropout owned = new Dropout(0.5f, new Generator(3)), shared = new Dropout(0.5f);
            float[] interleaved = new float[alone.length];
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 17; i++) Init.generator().nextFloat();
                shared.forward(Tensor.ones(device, 1000));
                System.arraycopy(owned.forward(Tensor.ones(device, 1000)).toArray(), 0, interleaved, c * 1000, 1000);
            }
            assertArrayEquals(alone, interleaved, device + ": an owned generator's masks must not depend on other draws");
        }));
    }

    /**
     * The default {@code new Dropout(p)} owns a generator too, seeded from {@code Init} when it is
     * built: after the same {@code Init.manualSeed} it gives the same masks however much else draws
     * from {@code Init.generator()} between its forward calls (another model training at the same
     * time, say). Until 2026-12-03 it drew each mask from {@code Init.generator()} itself.
     */
    @TestFactory
    Stream<DynamicTest> defaultDropoutMasksIgnoreLaterInitDraws() {
        return Device.all().stream().map(device -> DynamicTest.dynamicTest(device.name(), () -> {
            Init.manualSeed(21);
            float[] alone = masks(new Dropout(0.3f), device, 3);
            Init.manualSeed(21);
            Dropout d = new Dropout(0.3f);
            float[] interleaved = new float[alone.length];
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 17; i++) Init.generator().nextFloat();
                System.arraycopy(d.forward(Tensor.ones(device, 1000)).toArray(), 0, interleaved, c * 1000, 1000);
            }
            assertArrayEquals(alone, interleaved, device + ": a default dropout's masks must not depend on later Init draws");
        }));
    }

    @Test
    void aNullGeneratorIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(0.5f, null));
        assertEquals("Dropout: the generator must not be null", e.getMessage());
    }

    static final int EPOCHS = 4, SPLIT = 2, FEATURES = 5;

    private static ArrayDataset data(int n, long seed) {
        Generator g = new Generator(seed);
        float[] x = new float[n * FEATURES], y = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = g.nextGaussian();
        for (int i = 0; i < n; i++) y[i] = x[i * FEATURES] + x[i * FEATURES + 1] > 0 ? 1 : 0;
        return new ArrayDataset(x, y, FEATURES);
    }

    /** One run, built from seeds; the dropout layer owns a generator seeded from {@code seed}. */
    private static final class Run {
        final Module model;
        final Trainer trainer;
        final DataLoader train;
        final List<Integer> lossBits = new ArrayList<>();

        Run(Device d, long seed) {
            Init.manualSeed(seed);
            model = new Sequential(new Linear(FEATURES, 16), Activation.relu(), new Dropout(0.3f, new Generator(seed + 1)),
                    new Linear(16, 2)).to(d);
            train = DataLoader.builder(data(96, 5)).batchSize(16).shuffle(new Generator(seed + 2)).device(d).build();
            trainer = new Trainer(model, new Adam(model.parameters(), 0.01f), Losses::crossEntropy)
                    .listener(new TrainingListener() {
                        @Override
                        public void onStepEnd(StepEvent e) {
                            lossBits.add(Float.floatToIntBits(e.loss()));
                        }
                    });
        }
    }

    @TestFactory
    Stream<DynamicTest> aResumeRestoresTheOwnedGenerator(@TempDir Path dir) {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest(d.name(), () -> {
            Path file = dir.resolve(d.name() + ".ckpt");
            Run whole = new Run(d, 7);
            whole.trainer.fit(whole.train, null, EPOCHS);
            Run first = new Run(d, 7);
            first.trainer.checkpoint(file).fit(first.train, null, SPLIT);
            Run resumed = new Run(d, 70);   // other seeds: whatever the checkpoint does not restore shows
            resumed.trainer.resumeFrom(file).fit(resumed.train, null, EPOCHS);
            int perEpoch = whole.train.batchesPerEpoch();
            assertEquals(whole.lossBits.subList(SPLIT * perEpoch, EPOCHS * perEpoch), resumed.lossBits,
                    d + ": the steps after the resume must be the uninterrupted run's");
            List<Tensor> a = new ArrayList<>(whole.model.stateDict().values()), b = new ArrayList<>(resumed.model.stateDict().values());
            for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).toArray(), b.get(i).toArray(), d + ": state entry " + i);
        }));
    }
}
