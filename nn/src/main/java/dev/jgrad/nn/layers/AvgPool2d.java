package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/** Average-pooling of {@code (N, C, H, W)} over square windows (padding counts as zeros). */
public class AvgPool2d extends Module {
    private final int kernel, stride, padding;

    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.avgPool2d(kernel, stride, padding);
    }
}
