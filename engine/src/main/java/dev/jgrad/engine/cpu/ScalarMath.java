package dev.jgrad.engine.cpu;

import dev.jgrad.engine.BinaryOp;
import dev.jgrad.engine.UnaryOp;

/**
 * The one scalar definition of every elementwise function and derivative: the looped kernels
 * apply it to each element, the vectorized kernels to their scalar tails, so the two sets cannot
 * disagree on a formula.
 */
public final class ScalarMath {
    private ScalarMath() {}

    /** {@code op(x)} with the op's scalar parameters {@code a}, {@code b} (see {@link UnaryOp}). */
    public static float apply(UnaryOp op, float x, float a, float b) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case ABS -> Math.abs(x);
            case RELU -> x <= 0 ? 0f : x;   // NaN stays NaN, as in PyTorch
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case TANH -> (float) Math.tanh(x);
            case POW -> pow(x, a);
            case CLAMP -> Math.min(Math.max(x, a), b);
        };
    }

    /**
     * {@code x^e} as PyTorch's {@code pow(Tensor, Scalar)}: exponents 0.5 and -0.5 are sqrt and
     * rsqrt (so {@code (-0)^0.5 = -0}, {@code (-0)^-0.5 = -inf} and {@code (-inf)^0.5 = NaN}, where
     * C's pow gives +0, +inf and +inf); every other exponent is pow.
     */
    public static float pow(float x, float e) {
        if (e == 0.5f) return (float) Math.sqrt(x);
        if (e == -0.5f) return (float) (1.0 / Math.sqrt(x));
        return (float) Math.pow(x, e);
    }

    /** d op(x) / dx, given x and y = op(x). */
    public static float derivative(UnaryOp op, float x, float y, float a, float b) {
        return switch (op) {
            case NEG -> -1f;
            case EXP -> y;
            case LOG -> 1f / x;
            case SQRT -> 0.5f / y;
            case ABS -> x > 0 ? 1f : x < 0 ? -1f : 0f;   // PyTorch's sgn: 0 at NaN and at +-0
            case RELU -> x <= 0 ? 0f : 1f;               // a NaN passes the gradient, as in PyTorch
            case SIGMOID -> y * (1f - y);
            case TANH -> 1f - y * y;
            case POW -> a == 0f ? 0f : a * pow(x, a - 1);   // PyTorch: x.pow(0) has gradient 0, even at x = 0
            case CLAMP -> x >= a && x <= b ? 1f : 0f;
        };
    }

    /** {@code op(x, y)}; comparisons give 1 or 0. */
    public static float apply(BinaryOp op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> (float) Math.pow(x, y);
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case EQ -> x == y ? 1f : 0f;
            case NE -> x != y ? 1f : 0f;
            case LT -> x < y ? 1f : 0f;
            case LE -> x <= y ? 1f : 0f;
            case GT -> x > y ? 1f : 0f;
            case GE -> x >= y ? 1f : 0f;
        };
    }
}
