package dev.jgrad.engine;

/**
 * Elementwise functions of one tensor. Some take scalar parameters {@code a} and {@code b}:
 * {@link #POW} computes {@code x^a}; {@link #CLAMP} computes {@code min(max(x, a), b)}.
 */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH, POW, CLAMP
}
