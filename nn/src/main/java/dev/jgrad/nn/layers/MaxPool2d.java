package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/** Max-pooling of {@code (N, C, H, W)} over square windows. */
public class MaxPool2d extends Module {
    private final int kernel, stride, padding;

    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.maxPool2d(kernel, stride, padding);
    }
}
