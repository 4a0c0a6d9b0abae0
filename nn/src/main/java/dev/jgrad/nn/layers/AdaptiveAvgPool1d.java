package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/**
 * Adaptive average-pooling of (N, C, L) (or unbatched, without N) to a fixed output size, as
 * {@code torch.nn.AdaptiveAvgPool1d(output_size)}: output {@code j} of a dimension of size {@code i}
 * pools {@code [floor(j i / o), ceil((j + 1) i / o))}; an output size of 1 is global average pooling.
 */
public class AdaptiveAvgPool1d extends Module {
    private final int[] outputSize;

    /** The same output size in every dimension. */
    public AdaptiveAvgPool1d(int outputSize) {
        this.outputSize = new int[] {outputSize};
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.adaptiveAvgPool(outputSize);
    }
}
