package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

/**
 * {@code x > 0 ? x : a x} with a learned slope {@code a}: one for every channel (dimension 1) or
 * one shared, as PyTorch's {@code nn.PReLU(num_parameters, init=0.25)}; state dict {@code weight}.
 */
public final class PReLU extends Module {
    public final Parameter weight;

    /** One shared slope starting at 0.25. */
    public PReLU() {
        this(1, 0.25f);
    }

    public PReLU(int numParameters, float init) {
        if (numParameters < 1) throw new IllegalArgumentException("PReLU: num_parameters must be >= 1, got " + numParameters);
        weight = parameter("weight", Init.ones(numParameters).mul(init).detach());
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.prelu(weight.value());
    }

    @Override
    public String toString() {
        return "PReLU(num_parameters=" + weight.shape()[0] + ")";
    }
}
