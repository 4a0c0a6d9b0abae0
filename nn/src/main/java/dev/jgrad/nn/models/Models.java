package dev.jgrad.nn.models;

import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.AvgPool2d;
import dev.jgrad.nn.layers.BatchNorm1d;
import dev.jgrad.nn.layers.BatchNorm2d;
import dev.jgrad.nn.layers.Conv2d;
import dev.jgrad.nn.layers.Dropout;
import dev.jgrad.nn.layers.Flatten;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.layers.MaxPool2d;

import java.util.List;
import java.util.function.Supplier;

/**
 * The course's models for {@code (N, 1, 28, 28)} images and 10 classes, each producing logits
 * {@code (N, 10)}. {@link #byName} maps command-line names to builders.
 */
public final class Models {
    private Models() {}

    /** Model names, as {@code train --model} takes them. */
    public static final List<String> NAMES = List.of("softmax", "mlp", "lenet", "lenet-bn", "cnn");

    public static Module byName(String name) {
        Supplier<Module> builder = switch (name) {
            case "softmax" -> Models::softmaxRegression;
            case "mlp" -> Models::mlp;
            case "lenet" -> Models::lenet;
            case "lenet-bn" -> Models::lenetBatchNorm;
            case "cnn" -> Models::smallCnn;
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; choose one of " + NAMES);
        };
        return builder.get();
    }

    /** Softmax regression: flatten, one linear layer 784 -> 10. */
    public static Module softmaxRegression() {
        return new Sequential(new Flatten(), new Linear(784, 10));
    }

    /** MLP 784-256-10 with ReLU and dropout 0.2. */
    public static Module mlp() {
        return new Sequential(new Flatten(), new Linear(784, 256), Activation.relu(), new Dropout(0.2f),
                new Linear(256, 10));
    }

    /** LeNet-5 as in the classic course: sigmoid activations and average pooling. */
    public static Module lenet() {
        return new Sequential(
                new Conv2d(1, 6, 5, 1, 2, true), Activation.sigmoid(), new AvgPool2d(2),
                new Conv2d(6, 16, 5), Activation.sigmoid(), new AvgPool2d(2),
                new Flatten(),
                new Linear(16 * 5 * 5, 120), Activation.sigmoid(),
                new Linear(120, 84), Activation.sigmoid(),
                new Linear(84, 10));
    }

    /** LeNet with batch norm after every convolution and hidden linear layer. */
    public static Module lenetBatchNorm() {
        return new Sequential(
                new Conv2d(1, 6, 5, 1, 2, true), new BatchNorm2d(6), Activation.sigmoid(), new AvgPool2d(2),
                new Conv2d(6, 16, 5), new BatchNorm2d(16), Activation.sigmoid(), new AvgPool2d(2),
                new Flatten(),
                new Linear(16 * 5 * 5, 120), new BatchNorm1d(120), Activation.sigmoid(),
                new Linear(120, 84), new BatchNorm1d(84), Activation.sigmoid(),
                new Linear(84, 10));
    }

    /** A small modern CNN: two conv-BN-ReLU-pool blocks (32 and 64 channels), dropout, two linear layers. */
    public static Module smallCnn() {
        return new Sequential(
                new Conv2d(1, 32, 3, 1, 1, false), new BatchNorm2d(32), Activation.relu(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1, false), new BatchNorm2d(64), Activation.relu(), new MaxPool2d(2),
                new Flatten(), new Dropout(0.3f),
                new Linear(64 * 7 * 7, 128), Activation.relu(), new Dropout(0.3f),
                new Linear(128, 10));
    }
}
