package dev.jgrad.tests.train;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.BatchNorm1d;
import dev.jgrad.nn.layers.Dropout;
import dev.jgrad.nn.layers.Linear;

/** Small, seeded classification problems and models for the training tests. */
final class Runs {
    static final int FEATURES = 6, CLASSES = 3;

    private Runs() {}

    /**
     * {@code n} examples {@code x ~ N(0, 1)} of {@code FEATURES} values, labelled by the largest
     * entry of {@code x W} for a random {@code W}: learnable, not trivial.
     */
    static ArrayDataset classification(int n, long seed) {
        Generator gen = new Generator(seed);
        float[] w = new float[FEATURES * CLASSES], x = new float[n * FEATURES], y = new float[n];
        for (int i = 0; i < w.length; i++) w[i] = gen.nextGaussian();
        for (int i = 0; i < x.length; i++) x[i] = gen.nextGaussian();
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                double s = 0;
                for (int j = 0; j < FEATURES; j++) s += (double) x[i * FEATURES + j] * w[j * CLASSES + c];
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            y[i] = best;
        }
        return new ArrayDataset(x, y, FEATURES);
    }

    /** Linear, batch norm (running statistics are state too), ReLU, dropout, linear; weights from {@code Init.manualSeed(initSeed)}. */
    static Module mlpWithDropout(Device device, long initSeed, int hidden) {
        Init.manualSeed(initSeed);
        return new Sequential(new Linear(FEATURES, hidden), new BatchNorm1d(hidden), Activation.relu(), new Dropout(0.25f),
                new Linear(hidden, CLASSES)).to(device);
    }

    static DataLoader shuffled(ArrayDataset data, int batch, long shuffleSeed, Device device) {
        return DataLoader.builder(data).batchSize(batch).shuffle(new Generator(shuffleSeed)).device(device).build();
    }

    static DataLoader inOrder(ArrayDataset data, int batch, Device device) {
        return DataLoader.builder(data).batchSize(batch).device(device).build();
    }
}
