package dev.jgrad.engine;

/**
 * Elementwise functions of one tensor. Some take scalar parameters {@code a} and {@code b}:
 * {@link #POW} computes {@code x^a}; {@link #CLAMP} computes {@code min(max(x, a), b)}.
 *
 * <p>{@link #POW} follows PyTorch's {@code pow(Tensor, Scalar)}: {@code a = 0.5} is {@code sqrt(x)}
 * and {@code a = -0.5} is {@code 1 / sqrt(x)} (which differ from C's {@code pow} at -0 and -inf),
 * and its derivative is 0 everywhere when {@code a = 0} (not {@code 0 * x^-1}, NaN at 0).
 */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH, POW, CLAMP
}
