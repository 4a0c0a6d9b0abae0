package dev.jgrad.bench.check;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.Dataset;
import dev.jgrad.nn.data.FashionMnist;
import dev.jgrad.nn.data.Normalize;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.train.History;
import dev.jgrad.nn.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * LeNet on Fashion-MNIST, as {@code jgrad train --model lenet} runs it (Adam 2e-3, cosine
 * schedule, batch 128, seed 42) but without a validation split: {@link CheckSize#lenetEpochs}
 * epochs over the training set, then the test set. Writes {@code lenet.tsv}: {@code # key: value}
 * lines (test accuracy and loss, seconds), then one row per epoch.
 */
final class LeNetCheck {
    private LeNetCheck() {}

    /** Returns the test accuracy. */
    static double run(Device device, CheckSize size, Path dataDir, Path out) throws IOException {
        long seed = 42;
        Init.manualSeed(seed);
        Path dir = FashionMnist.locate(dataDir);
        long tLoad = System.nanoTime();
        ArrayDataset fullTrain = FashionMnist.train(dir), fullTest = FashionMnist.test(dir);
        Dataset train = limit(fullTrain, size.lenetTrain()), test = limit(fullTest, size.lenetTest());
        double loadSeconds = (System.nanoTime() - tLoad) / 1e9;
        Normalize norm = Normalize.fit(train);
        Module net = Models.byName("lenet").to(device);
        float lr = 2e-3f;
        Adam opt = new Adam(net.parameters(), lr);
        DataLoader trainLoader = DataLoader.builder(norm.apply(train)).batchSize(size.lenetBatch())
                .shuffle(new Generator(seed + 2)).device(device).build();
        Trainer trainer = new Trainer(net, opt, Losses::crossEntropy).output(System.out, false);
        trainer.schedule(LrSchedule.cosine(lr, trainLoader.batchesPerEpoch() * size.lenetEpochs(), 0f));
        System.out.printf(Locale.ROOT, "LeNet (%,d parameters) on %s: %d epochs, batch %d, %,d train / %,d test images%n",
                net.parameterCount(), device, size.lenetEpochs(), size.lenetBatch(), train.size(), test.size());
        History history = trainer.fit(trainLoader, null, size.lenetEpochs());
        long tTest = System.nanoTime();
        DataLoader testLoader = DataLoader.builder(norm.apply(test)).batchSize(512).device(device).build();
        Trainer.Evaluation result = Trainer.evaluate(net, testLoader, Losses::crossEntropy, 0);
        double testSeconds = (System.nanoTime() - tTest) / 1e9;
        double trainSeconds = history.epochs().stream().mapToDouble(History.Epoch::seconds).sum();
        System.out.printf(Locale.ROOT, "test accuracy %.4f (loss %.4f) on %,d images; training %.1f s%n",
                result.accuracy(), result.loss(), result.examples(), trainSeconds);

        StringBuilder tsv = new StringBuilder();
        tsv.append("# device: ").append(KernelCheck.describe(device)).append('\n');
        tsv.append(String.format(Locale.ROOT, "# setup: lenet, %,d parameters, Adam lr %g cosine, batch %d, seed %d%n",
                net.parameterCount(), lr, size.lenetBatch(), seed));
        tsv.append("# train_images: ").append(train.size()).append('\n');
        tsv.append("# test_images: ").append(result.examples()).append('\n');
        tsv.append(String.format(Locale.ROOT, "# test_accuracy: %.4f%n# test_loss: %.4f%n", result.accuracy(), result.loss()));
        tsv.append(String.format(Locale.ROOT, "# load_seconds: %.2f%n# train_seconds: %.2f%n# test_seconds: %.2f%n",
                loadSeconds, trainSeconds, testSeconds));
        tsv.append("epoch\ttrain_loss\ttrain_accuracy\tseconds\timages_per_second\n");
        for (History.Epoch e : history.epochs())
            tsv.append(String.format(Locale.ROOT, "%d\t%.6f\t%.6f\t%.3f\t%.0f%n", e.epoch(), e.trainLoss(), e.trainAccuracy(),
                    e.seconds(), train.size() / e.seconds()));
        Files.writeString(out, tsv);
        if (!Double.isFinite(result.loss())) throw new IllegalStateException("LeNet's test loss is " + result.loss());
        return result.accuracy();
    }

    private static Dataset limit(ArrayDataset data, int n) {
        if (n <= 0 || n >= data.size()) return data;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return data.subset(idx);
    }
}
