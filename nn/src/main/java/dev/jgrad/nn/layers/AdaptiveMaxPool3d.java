package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/**
 * Adaptive max-pooling of (N, C, D, H, W) (or unbatched, without N) to a fixed output size, as
 * {@code torch.nn.AdaptiveMaxPool3d(output_size)}: output {@code j} of a dimension of size {@code i}
 * pools {@code [floor(j i / o), ceil((j + 1) i / o))} and sends its gradient to the first maximum.
 */
public class AdaptiveMaxPool3d extends Module {
    private final int[] outputSize;

    /** The same output size in every dimension. */
    public AdaptiveMaxPool3d(int outputSize) {
        this.outputSize = new int[] {outputSize, outputSize, outputSize};
    }

    /** One output size per dimension (3 entries). */
    public AdaptiveMaxPool3d(int[] outputSize) {
        if (outputSize.length != 3)
            throw new IllegalArgumentException("AdaptiveMaxPool3d: output size " + java.util.Arrays.toString(outputSize)
                    + " must have 3 entries");
        this.outputSize = outputSize.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.adaptiveMaxPool(outputSize);
    }
}
