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
            case GELU -> (float) gelu(x, a);
            case SILU -> (float) (x / (1.0 + Math.exp(-x)));
            case ELU -> x > 0 ? x : (float) (a * Math.expm1(x));
            case LEAKY_RELU -> x > 0 ? x : x * a;
            case SOFTPLUS -> x * a > b ? x : (float) (Math.log1p(Math.exp((double) x * a)) / a);
            case ERF -> (float) Erf.erf(x);
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

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double SQRT_HALF = 0.7071067811865476, INV_SQRT_2PI = 0.3989422804014327,
            SQRT_2_OVER_PI = 0.7978845608028654, GELU_CUBIC = 0.044715;

    /** GELU in double: exact ({@code a = 0}, {@code x Phi(x)} through erfc) or the tanh form. */
    public static double gelu(double x, float a) {
        if (a != 0) return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)));
        return 0.5 * x * Erf.erfc(-x * SQRT_HALF);
    }

    /** d GELU / dx in double. */
    public static double geluDerivative(double x, float a) {
        if (a != 0) {
            double t = Math.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * x * x);
        }
        return 0.5 * Erf.erfc(-x * SQRT_HALF) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
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
            case GELU -> (float) geluDerivative(x, a);
            case SILU -> {
                double sg = 1.0 / (1.0 + Math.exp(-x));
                yield (float) (sg * (1 + x * (1 - sg)));
            }
            case ELU -> x <= 0 ? (float) (a * Math.exp(x)) : 1f;          // a NaN passes the gradient, as in PyTorch
            case LEAKY_RELU -> x > 0 ? 1f : a;                              // the slope at 0 and at NaN, as in PyTorch
            case SOFTPLUS -> {
                if (x * a > b) yield 1f;
                double z = Math.exp((double) x * a);
                yield (float) (z / (z + 1));
            }
            case ERF -> (float) (TWO_OVER_SQRT_PI * Math.exp(-(double) x * x));
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
