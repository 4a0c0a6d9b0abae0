package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

/**
 * 2-D convolution: input {@code (N, in, H, W)}, weight {@code (out, in, k, k)}, bias {@code (out)},
 * output {@code (N, out, (H + 2p - k)/s + 1, (W + 2p - k)/s + 1)}.
 */
public class Conv2d extends Module {
    public final Parameter weight;
    public final Parameter bias;
    private final int stride, padding;

    public Conv2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0, true);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean withBias) {
        float bound = (float) (1.0 / Math.sqrt(in * kernel * kernel));
        weight = parameter("weight", Init.uniform(bound, out, in, kernel, kernel));
        bias = withBias ? parameter("bias", Init.uniform(bound, out)) : null;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.conv2d(weight.value(), bias == null ? null : bias.value(), stride, padding);
    }
}
