package dev.jgrad.nn.data;

import dev.jgrad.engine.Tensor;

/**
 * One batch on a device: features {@code x (B, ...featureShape)} and labels {@code y (B,)}.
 * Closing it returns both tensors' memory.
 */
public record Batch(Tensor x, Tensor y) implements AutoCloseable {
    /** Number of examples {@code B}. */
    public int size() {
        return y.size(0);
    }

    @Override
    public void close() {
        x.close();
        y.close();
    }
}
