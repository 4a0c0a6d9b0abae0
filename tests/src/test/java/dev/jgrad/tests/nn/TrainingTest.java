package dev.jgrad.tests.nn;

import dev.jgrad.engine.Generator;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.cli.Cli;
import dev.jgrad.cli.charts.TrainingChart;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.FashionMnist;
import dev.jgrad.nn.data.Normalize;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.train.History;
import dev.jgrad.nn.train.Trainer;
import dev.jgrad.tests.charts.PngAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End-to-end training on the committed real subset of Fashion-MNIST (3,000 train / 1,000 test images). */
class TrainingTest {
    static Path subset() {
        try {
            return Path.of(TrainingTest.class.getResource("/fashion-mnist-subset/README.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void softmaxRegressionLearnsTheSubset(@TempDir Path tmp) throws Exception {
        Init.manualSeed(11);
        ArrayDataset train = FashionMnist.train(subset()), test = FashionMnist.test(subset());
        Normalize norm = Normalize.fit(train);
        Module model = Models.softmaxRegression();
        DataLoader trainLoader = DataLoader.builder(norm.apply(train)).batchSize(64).shuffle(new Generator(5)).build();
        DataLoader testLoader = DataLoader.builder(norm.apply(test)).batchSize(256).build();
        Trainer trainer = new Trainer(model, new Adam(model.parameters(), 0.002f), Losses::crossEntropy)
                .output(new PrintStream(new ByteArrayOutputStream()), false);
        History h = trainer.fit(trainLoader, testLoader, 8);
        Trainer.Evaluation r = Trainer.evaluate(model, testLoader, Losses::crossEntropy, 10);
        // Stated target: 1,000 held-out images, 8 epochs on 3,000: at least 0.76 (chance is 0.10).
        assertTrue(r.accuracy() >= 0.76, "softmax regression test accuracy " + r.accuracy());
        assertTrue(h.last().trainLoss() < h.epochs().get(0).trainLoss(), "training loss must fall");
        int total = 0;
        for (int[] row : r.confusion()) for (int v : row) total += v;
        assertEquals(1000, total);

        h.saveCsv(tmp.resolve("h.csv"));
        TrainingChart.draw(h, tmp.resolve("h.png"), "test");
        assertEquals(9, Files.readAllLines(tmp.resolve("h.csv")).size());
        PngAssert.chart(tmp.resolve("h.png"), TrainingChart.WIDTH, TrainingChart.HEIGHT, 20);
    }

    @Test
    void checkpointSavedByTrainGivesTheSameAccuracyInEval(@TempDir Path tmp) {
        Path ckpt = tmp.resolve("mlp.safetensors");
        String trained = run("train", "--model", "mlp", "--epochs", "2", "--data-dir", subset().toString(),
                "--device", "cpu", "--save", ckpt.toString());
        String evaluated = run("eval", ckpt.toString(), "--data-dir", subset().toString(), "--device", "cpu");
        double a = accuracy(trained), b = accuracy(evaluated);
        assertEquals(a, b, 0.0, "train said " + a + ", eval said " + b);
        assertTrue(evaluated.contains("confusion matrix"), evaluated);
    }

    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            assertEquals(0, Cli.run(args), () -> "jgrad " + String.join(" ", args) + " failed:\n" + buf);
        } finally {
            System.setOut(old);
        }
        return buf.toString();
    }

    private static double accuracy(String output) {
        Matcher m = Pattern.compile("test accuracy (\\d\\.\\d+)").matcher(output);
        assertTrue(m.find(), output);
        return Double.parseDouble(m.group(1));
    }
}
