package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/** {@code (N, d1, d2, ...) -> (N, d1 * d2 * ...)}. */
public class Flatten extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(1);
    }
}
