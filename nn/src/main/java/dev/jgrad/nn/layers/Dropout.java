package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;

/** Inverted dropout with probability {@code p} in training; the identity in evaluation. */
public class Dropout extends Module {
    private final float p;

    public Dropout(float p) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.dropout(p, isTraining(), Init.generator());
    }
}
