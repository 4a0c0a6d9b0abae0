package dev.jgrad.engine;

/**
 * Elementwise functions of two tensors with NumPy broadcasting. The comparisons produce 1.0 for
 * true and 0.0 for false. {@link #MAX} and {@link #MIN} are the elementwise maximum and minimum.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE
}
