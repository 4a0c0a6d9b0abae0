package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

/**
 * {@code y = x W^T + b}: input {@code (N, in)}, weight {@code (out, in)}, bias {@code (out)},
 * output {@code (N, out)}. Weights start Kaiming-uniform-like as in PyTorch
 * ({@code U(-1/sqrt(in), 1/sqrt(in))}), bias likewise.
 */
public class Linear extends Module {
    public final Parameter weight;
    public final Parameter bias;

    public Linear(int in, int out) {
        this(in, out, true);
    }

    public Linear(int in, int out, boolean withBias) {
        float bound = (float) (1.0 / Math.sqrt(in));
        weight = parameter("weight", Init.uniform(bound, out, in));
        bias = withBias ? parameter("bias", Init.uniform(bound, out)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x.matmul(weight.value().t());
        return bias == null ? y : y.add(bias.value());
    }
}
