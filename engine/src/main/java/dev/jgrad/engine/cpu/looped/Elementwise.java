package dev.jgrad.engine.cpu.looped;

import dev.jgrad.engine.BinaryOp;
import dev.jgrad.engine.UnaryOp;

/** Scalar reference loops for the elementwise ops, one plain loop each. */
final class Elementwise {
    private Elementwise() {}

    static float apply(UnaryOp op, float x, float a, float b) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case ABS -> Math.abs(x);
            case RELU -> x > 0 ? x : 0f;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case TANH -> (float) Math.tanh(x);
            case POW -> (float) Math.pow(x, a);
            case CLAMP -> Math.min(Math.max(x, a), b);
        };
    }

    /** d op(x) / dx, given x and y = op(x). */
    static float derivative(UnaryOp op, float x, float y, float a, float b) {
        return switch (op) {
            case NEG -> -1f;
            case EXP -> y;
            case LOG -> 1f / x;
            case SQRT -> 0.5f / y;
            case ABS -> Math.signum(x);
            case RELU -> x > 0 ? 1f : 0f;
            case SIGMOID -> y * (1f - y);
            case TANH -> 1f - y * y;
            case POW -> a * (float) Math.pow(x, a - 1);
            case CLAMP -> x >= a && x <= b ? 1f : 0f;
        };
    }

    static float apply(BinaryOp op, float x, float y) {
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

    static void unary(UnaryOp op, float[] x, float[] out, int n, float a, float b) {
        for (int i = 0; i < n; i++) out[i] = apply(op, x[i], a, b);
    }

    static void unaryBackward(UnaryOp op, float[] x, float[] y, float[] gy, float[] gx, int n, float a, float b) {
        for (int i = 0; i < n; i++) gx[i] = gy[i] * derivative(op, x[i], y[i], a, b);
    }
}
