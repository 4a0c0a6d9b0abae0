package dev.jgrad.nn.layers;

import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;

/**
 * Inverted dropout with probability {@code p} in training; the identity in evaluation. Input and
 * output have the same shape, any shape.
 *
 * <p>Where the masks come from: a dropout built with {@link #Dropout(float, Generator)} owns its
 * generator and draws every mask from it alone, so its masks depend only on that generator's
 * seed and on how many masks it has drawn, never on what other models or threads do; use it
 * whenever several models train at once. One built with {@link #Dropout(float)} draws from the
 * process-wide {@link Init#generator()} at each forward call, which is reproducible only while
 * nothing else draws from it in between. Training checkpoints save and restore both kinds.
 */
public class Dropout extends Module {
    private final float p;
    private final Generator generator;

    /** Dropout drawing its masks from the process-wide {@link Init#generator()}. */
    public Dropout(float p) {
        this(p, null, false);
    }

    /**
     * Dropout drawing its masks from {@code generator} only, which it owns from now on (share a
     * generator between modules only if they always run in one order on one thread).
     *
     * @throws IllegalArgumentException if {@code p} is not in {@code [0, 1)} or {@code generator} is null
     */
    public Dropout(float p, Generator generator) {
        this(p, generator, true);
    }

    private Dropout(float p, Generator generator, boolean owned) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        if (owned && generator == null) throw new IllegalArgumentException("Dropout: the generator must not be null");
        this.p = p;
        this.generator = generator;
    }

    /** The generator this dropout owns, or null when it draws from {@link Init#generator()}. */
    public Generator generator() {
        return generator;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.dropout(p, isTraining(), generator != null ? generator : Init.generator());
    }
}
