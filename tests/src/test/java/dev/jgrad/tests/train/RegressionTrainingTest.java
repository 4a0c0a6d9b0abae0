package dev.jgrad.tests.train;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.SyntheticRegression;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.SGD;
import dev.jgrad.nn.train.History;
import dev.jgrad.nn.train.Metric;
import dev.jgrad.nn.train.ProgressBar;
import dev.jgrad.nn.train.Trainer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A regression trains with regression metrics (MSE, MAE, R²) and no accuracy column; a classifier
 * gets accuracy. The validation metrics of the last epoch are checked against a float64 reference
 * computed here from the final weights.
 */
class RegressionTrainingTest {
    static final float[] W = {2f, -3.4f};
    static final float B = 4.2f;

    @Test
    void regressionReportsMseMaeAndR2AndNoAccuracy() {
        for (Device d : Device.all()) {
            long seed = System.nanoTime();
            ArrayDataset train = SyntheticRegression.generate(W, B, 400, 0.5f, seed);
            ArrayDataset val = SyntheticRegression.generate(W, B, 120, 0.5f, seed + 1);
            Init.manualSeed(seed);
            Linear model = (Linear) new Linear(2, 1).to(d);
            DataLoader trainLoader = DataLoader.builder(train).batchSize(20).shuffle(new Generator(seed)).device(d).build();
            DataLoader valLoader = DataLoader.builder(val).batchSize(50).device(d).build();
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            Trainer trainer = new Trainer(model, new SGD(model.parameters(), 0.05f), (o, y) -> Losses.mse(o.reshape(y.shape()), y))
                    .listener(new ProgressBar(new PrintStream(console, true, StandardCharsets.UTF_8), 120, false));
            History h = trainer.fit(trainLoader, valLoader, 4);

            String where = " on " + d + ", seed " + seed;
            assertEquals(List.of("mse", "rmse", "mae", "r2"), h.metricNames(), where);
            assertEquals("epoch,train_loss,train_mse,train_rmse,train_mae,train_r2,val_loss,val_mse,val_rmse,val_mae,val_r2,seconds,lr",
                    h.toCsv().lines().findFirst().orElseThrow(), where);
            assertTrue(Double.isNaN(h.last().trainAccuracy()), "no accuracy for a regression" + where);
            String printed = console.toString(StandardCharsets.UTF_8);
            assertFalse(printed.contains("acc"), "the console shows no accuracy for a regression:\n" + printed);
            assertTrue(printed.contains("mse") && printed.contains("r2"), printed);

            // float64 reference from the final weights: prediction w . x + b per validation example.
            float[] w = model.weight.value().toArray();
            double b = model.bias.value().toArray()[0];
            float[] x = val.features(), y = val.labels();
            double sse = 0, sae = 0, mean = 0, sst = 0;
            for (float v : y) mean += v;
            mean /= y.length;
            for (int i = 0; i < y.length; i++) {
                double e = (double) w[0] * x[2 * i] + (double) w[1] * x[2 * i + 1] + b - y[i];
                sse += e * e;
                sae += Math.abs(e);
                sst += (y[i] - mean) * (y[i] - mean);
            }
            History.Epoch last = h.last();
            assertEquals(sse / y.length, last.valMetric("mse"), 1e-5 * sse / y.length, "val mse" + where);
            assertEquals(sae / y.length, last.valMetric("mae"), 1e-5 * sae / y.length, "val mae" + where);
            assertEquals(1 - sse / sst, last.valMetric("r2"), 1e-5, "val r2" + where);
            assertEquals(sse / y.length, last.valLoss(), 1e-5 * sse / y.length, "val loss is the MSE here" + where);
            assertTrue(last.valMetric("r2") > 0.9, "4 epochs fit the line: r2 " + last.valMetric("r2") + where);
            // The training MSE metric and the MSE loss average the same squared errors.
            for (History.Epoch e : h.epochs())
                assertEquals(e.trainLoss(), e.trainMetric("mse"), 1e-5 * e.trainLoss(), "epoch " + e.epoch() + where);
        }
    }

    @Test
    void classifierReportsAccuracyAndExplicitMetricsReplaceTheDefaults() {
        Device d = Device.cpu();
        ArrayDataset data = Runs.classification(96, 5);
        var model = Runs.mlpWithDropout(d, 3, 8);
        Trainer trainer = new Trainer(model, new Adam(model.parameters(), 0.01f), dev.jgrad.nn.loss.Losses::crossEntropy);
        History h = trainer.fit(Runs.shuffled(data, 32, 1, d), null, 2);
        assertEquals("epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,lr", h.toCsv().lines().findFirst().orElseThrow());
        double acc = h.last().trainAccuracy();
        assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);

        var regression = new Linear(2, 1);
        Trainer only = new Trainer(regression, new SGD(regression.parameters(), 0.01f), (o, y) -> Losses.mse(o.reshape(y.shape()), y))
                .metrics(Metric.mae());
        History r = only.fit(DataLoader.builder(SyntheticRegression.generate(W, B, 40, 0.1f, 1)).batchSize(10).build(), null, 1);
        assertEquals(List.of("mae"), r.metricNames());
    }
}
