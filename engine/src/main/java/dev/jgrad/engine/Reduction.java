package dev.jgrad.engine;

/** How a loss combines its per-sample values, as PyTorch's {@code reduction} argument. */
public enum Reduction {
    /** The per-sample losses, shape {@code (N)}. */
    NONE,
    /** Their mean, a rank-0 tensor (for weighted losses: divided by the sum of the weights used). */
    MEAN,
    /** Their sum, a rank-0 tensor. */
    SUM
}
