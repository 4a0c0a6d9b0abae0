package dev.jgrad.engine;

/**
 * A block of float32 memory owned by one {@link Backend}. What is inside is the backend's
 * business (a {@code float[]} on the CPU, a device pointer on CUDA); code above the backend only
 * passes buffers back to the backend that made them.
 */
public interface Buffer {
    /** Number of float32 elements this buffer holds. */
    int capacity();
}
