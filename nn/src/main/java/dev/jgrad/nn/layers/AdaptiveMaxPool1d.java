package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/**
 * Adaptive max-pooling of (N, C, L) (or unbatched, without N) to a fixed output size, as
 * {@code torch.nn.AdaptiveMaxPool1d(output_size)}: output {@code j} of a dimension of size {@code i}
 * pools {@code [floor(j i / o), ceil((j + 1) i / o))} and sends its gradient to the first maximum.
 */
public class AdaptiveMaxPool1d extends Module {
    private final int[] outputSize;

    /** The same output size in every dimension. */
    public AdaptiveMaxPool1d(int outputSize) {
        this.outputSize = new int[] {outputSize};
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.adaptiveMaxPool(outputSize);
    }
}
