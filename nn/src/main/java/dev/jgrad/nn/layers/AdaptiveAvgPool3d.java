package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/**
 * Adaptive average-pooling of (N, C, D, H, W) (or unbatched, without N) to a fixed output size, as
 * {@code torch.nn.AdaptiveAvgPool3d(output_size)}: output {@code j} of a dimension of size {@code i}
 * pools {@code [floor(j i / o), ceil((j + 1) i / o))}; an output size of 1 is global average pooling.
 */
public class AdaptiveAvgPool3d extends Module {
    private final int[] outputSize;

    /** The same output size in every dimension. */
    public AdaptiveAvgPool3d(int outputSize) {
        this.outputSize = new int[] {outputSize, outputSize, outputSize};
    }

    /** One output size per dimension (3 entries). */
    public AdaptiveAvgPool3d(int[] outputSize) {
        if (outputSize.length != 3)
            throw new IllegalArgumentException("AdaptiveAvgPool3d: output size " + java.util.Arrays.toString(outputSize)
                    + " must have 3 entries");
        this.outputSize = outputSize.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.adaptiveAvgPool(outputSize);
    }
}
