package dev.jgrad.tests.train;

import dev.jgrad.engine.Device;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.train.History;
import dev.jgrad.nn.train.Trainer;
import dev.jgrad.nn.train.TrainingListener;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Listeners hear every step and epoch in order, with the numbers the history records; the trainer itself prints nothing and logs through System.Logger. */
class ListenerTest {
    @Test
    void eventsComeInOrderWithTheMetrics() {
        Device d = Device.cpu();
        var model = Runs.mlpWithDropout(d, 2, 8);
        List<String> order = new ArrayList<>();
        List<TrainingListener.StepEvent> steps = new ArrayList<>();
        List<TrainingListener.EpochEvent> epochs = new ArrayList<>();
        TrainingListener.FitEnd[] end = new TrainingListener.FitEnd[1];
        Trainer t = new Trainer(model, new Adam(model.parameters(), 0.01f), Losses::crossEntropy).listener(new TrainingListener() {
            @Override public void onFitStart(FitStart e) { order.add("fit " + e.firstEpoch() + ".." + e.epochs() + " x" + e.batchesPerEpoch()); }
            @Override public void onEpochStart(EpochStart e) { order.add("epoch " + e.epoch()); }
            @Override public void onStepEnd(StepEvent e) { steps.add(e); }
            @Override public void onEpochEnd(EpochEvent e) { epochs.add(e); order.add("end " + e.epoch()); }
            @Override public void onFitEnd(FitEnd e) { end[0] = e; order.add("done"); }
        });
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        History h;
        try {
            System.setOut(new PrintStream(console, true));
            System.setErr(new PrintStream(console, true));
            h = t.fit(Runs.shuffled(Runs.classification(50, 1), 16, 2, d), Runs.inOrder(Runs.classification(20, 3), 20, d), 2);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertEquals("", console.toString(), "a trainer without listeners' output prints nothing");
        assertEquals(List.of("fit 1..2 x4", "epoch 1", "end 1", "epoch 2", "end 2", "done"), order);
        assertEquals(8, steps.size());
        for (int i = 0; i < steps.size(); i++) {
            TrainingListener.StepEvent s = steps.get(i);
            assertEquals(i + 1, s.step());
            assertEquals(i % 4 + 1, s.batch());
            assertEquals(i < 4 ? 1 : 2, s.epoch());
            assertEquals(i % 4 == 3 ? 2 : 16, s.batchSize(), "50 examples in batches of 16: the last has 2");
            assertTrue(s.metrics().containsKey("accuracy"), s.metrics().toString());
        }
        // The last step's running numbers are the epoch's.
        for (int e = 0; e < 2; e++) {
            History.Epoch r = h.epochs().get(e);
            assertEquals(r, epochs.get(e).result());
            assertEquals(50, epochs.get(e).examples());
            assertEquals(r.trainLoss(), steps.get(4 * e + 3).epochLoss(), 0.0);
            assertEquals(r.trainAccuracy(), steps.get(4 * e + 3).metrics().get("accuracy"), 0.0);
            double sum = 0;
            for (int i = 4 * e; i < 4 * e + 4; i++) sum += (double) steps.get(i).loss() * steps.get(i).batchSize();
            assertEquals(sum / 50, r.trainLoss(), 1e-12, "epoch loss is the example-weighted mean of the step losses");
        }
        assertEquals(h, end[0].history());
    }

    @Test
    void epochLinesGoToTheSystemLogger() {
        Logger jul = Logger.getLogger(Trainer.LOGGER);
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override public void publish(LogRecord r) { records.add(r); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        Level old = jul.getLevel();
        jul.setLevel(Level.FINE);
        jul.addHandler(handler);
        try {
            Device d = Device.cpu();
            var model = Runs.mlpWithDropout(d, 2, 8);
            new Trainer(model, new Adam(model.parameters(), 0.01f), Losses::crossEntropy)
                    .fit(Runs.shuffled(Runs.classification(32, 1), 16, 2, d), null, 2);
        } finally {
            jul.removeHandler(handler);
            jul.setLevel(old);
        }
        List<String> epochLines = records.stream().filter(r -> r.getLevel() == Level.FINE)
                .map(r -> r.getMessage()).filter(m -> m.startsWith("epoch ")).toList();
        assertEquals(2, epochLines.size(), records.stream().map(LogRecord::getMessage).toList().toString());
        assertTrue(epochLines.get(0).startsWith("epoch 1/2: train loss ") && epochLines.get(0).contains("accuracy"), epochLines.get(0));
    }
}
