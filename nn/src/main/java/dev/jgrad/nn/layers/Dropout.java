package dev.jgrad.nn.layers;

import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;

/**
 * Inverted dropout with probability {@code p} in training; the identity in evaluation. Input and
 * output have the same shape, any shape.
 *
 * <p>Where the masks come from: every dropout owns its generator and draws every mask from it
 * alone, so its masks depend only on that generator's seed and on how many masks it has drawn,
 * never on what other models or threads do (two models training at once stay reproducible).
 * {@link #Dropout(float)} seeds its generator from {@link Init#generator()} once, when the module
 * is built (so {@code Init.manualSeed} before building a model fixes its masks, as it fixes its
 * weights); {@link #Dropout(float, Generator)} takes one. Training checkpoints save and restore it.
 */
public class Dropout extends Module {
    private final float p;
    private final Generator generator;

    /**
     * Dropout with a generator of its own, seeded by one draw from {@link Init#generator()} now.
     *
     * @throws IllegalArgumentException if {@code p} is not in {@code [0, 1)}
     */
    public Dropout(float p) {
        this(p, new Generator(Init.generator().nextLong()), true);
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

    /** The generator this dropout owns and draws its masks from. */
    public Generator generator() {
        return generator;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.dropout(p, isTraining(), generator);
    }
}
