package dev.jgrad.engine.cpu.looped;

import dev.jgrad.engine.UnaryOp;
import dev.jgrad.engine.cpu.ScalarMath;

/** Scalar reference loops for the elementwise ops, one plain loop each (formulas in {@link ScalarMath}). */
final class Elementwise {
    private Elementwise() {}

    static void unary(UnaryOp op, float[] x, float[] out, int n, float a, float b) {
        for (int i = 0; i < n; i++) out[i] = ScalarMath.apply(op, x[i], a, b);
    }

    static void unaryBackward(UnaryOp op, float[] x, float[] y, float[] gy, float[] gx, int n, float a, float b) {
        for (int i = 0; i < n; i++) gx[i] = gy[i] * ScalarMath.derivative(op, x[i], y[i], a, b);
    }
}
