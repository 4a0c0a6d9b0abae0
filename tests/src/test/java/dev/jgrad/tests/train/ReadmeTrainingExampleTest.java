package dev.jgrad.tests.train;

import dev.jgrad.engine.Device;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.train.History;
import dev.jgrad.nn.train.ProgressBar;
import dev.jgrad.nn.train.Trainer;
import dev.jgrad.nn.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's listener-and-resume example, verbatim between the markers, so that it compiles and runs. */
class ReadmeTrainingExampleTest {
    @Test
    void listenerAndResumeExampleRuns(@TempDir Path dir) {
        Device dev = Device.cpu();
        int epochs = 4;
        Module model = Runs.mlpWithDropout(dev, 1, 8);
        Optimizer optimizer = new Adam(model.parameters(), 1e-2f);
        DataLoader train = Runs.shuffled(Runs.classification(64, 1), 16, 2, dev), val = Runs.inOrder(Runs.classification(16, 3), 16, dev);
        LrSchedule schedule = LrSchedule.cosine(1e-2f, epochs * train.batchesPerEpoch(), 0f);
        Path file = dir.resolve("run.ckpt");
        PrintStream out = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream()));
        try {
            // README training example begins
            Trainer trainer = new Trainer(model, optimizer, Losses::crossEntropy).schedule(schedule)
                    .listener(new ProgressBar())                 // the console view; the trainer prints nothing itself
                    .listener(new TrainingListener() {
                        @Override public void onEpochEnd(EpochEvent e) {
                            System.out.printf("epoch %d: val accuracy %.4f%n", e.epoch(), e.result().valAccuracy());
                        }
                    })
                    .checkpoint(file);                           // after every epoch: weights, optimizer, schedule, RNG
            trainer.fit(train, val, 2);                          // stopped after epoch 2 of 4: a crash, a time limit...
            // Later, maybe in another JVM: build model, optimizer, loaders and schedule as before, then
            History h = new Trainer(model, optimizer, Losses::crossEntropy).schedule(schedule)
                    .resumeFrom(file).fit(train, val, epochs);   // epochs 3 and 4, the same losses bit for bit
            // README training example ends
            assertEquals(epochs, h.epochs().size());
        } finally {
            System.setOut(out);
        }
    }
}
