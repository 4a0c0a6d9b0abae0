package dev.jgrad.nn;

import dev.jgrad.engine.Tensor;

/** Modules applied in order; children are named {@code 0, 1, 2, ...} as in PyTorch. */
public class Sequential extends Module {
    public Sequential(Module... layers) {
        for (int i = 0; i < layers.length; i++) child(Integer.toString(i), layers[i]);
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : children().values()) x = m.forward(x);
        return x;
    }
}
