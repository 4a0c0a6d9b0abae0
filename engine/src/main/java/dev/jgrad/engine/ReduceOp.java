package dev.jgrad.engine;

/**
 * Reductions over the middle axis of a contiguous {@code (outer, r, inner)} view.
 * {@link #ARGMAX} writes the index (as a float) of the first maximum.
 */
public enum ReduceOp {
    SUM, MEAN, MAX, ARGMAX
}
