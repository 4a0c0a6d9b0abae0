package dev.jgrad.engine.cpu.vectorized;

import dev.jgrad.engine.cpu.RecurrentCells;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RecurrentCells}' fused LSTM and GRU gate math in Vector API lanes, row by row. Each
 * nonlinearity runs in a loop of its own that holds one {@link LaneMath} call (exp or tanh) and
 * writes a row of scratch; the products and sums that combine them follow in plain loops. One
 * loop with every gate's exp in it is what C2 cannot inline whole, and its vectors then become
 * objects (a first version of this class ran 2.2x slower than the composition it replaces).
 * Rows are independent; the backend splits them over the cores.
 */
final class VectorCells {
    private VectorCells() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** {@code dst[d0 + j] = sigmoid(a[a0 + j] + (b == null ? 0 : b[b0 + j]))} for j < len. */
    private static void sigmoid(float[] a, int a0, float[] b, int b0, float[] dst, int d0, int len) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int j = 0;
        for (int upper = len - L; j <= upper; j += L) {
            FloatVector x = FloatVector.fromArray(S, a, a0 + j);
            if (b != null) x = x.add(FloatVector.fromArray(S, b, b0 + j));
            one.div(one.add(LaneMath.exp(x.neg()))).intoArray(dst, d0 + j);
        }
        for (; j < len; j++) dst[d0 + j] = RecurrentCells.sigmoid(a[a0 + j] + (b == null ? 0f : b[b0 + j]));
    }

    /** {@code dst[d0 + j] = tanh(a[a0 + j] + (s == null ? 0 : s[s0 + j] * b[b0 + j]))} for j < len. */
    private static void tanh(float[] a, int a0, float[] s, int s0, float[] b, int b0, float[] dst, int d0, int len) {
        int j = 0;
        for (int upper = len - L; j <= upper; j += L) {
            FloatVector x = FloatVector.fromArray(S, a, a0 + j);
            if (s != null) x = x.add(FloatVector.fromArray(S, s, s0 + j).mul(FloatVector.fromArray(S, b, b0 + j)));
            LaneMath.tanh(x).intoArray(dst, d0 + j);
        }
        for (; j < len; j++) dst[d0 + j] = RecurrentCells.tanh(a[a0 + j] + (s == null ? 0f : s[s0 + j] * b[b0 + j]));
    }

    /** One row's LSTM activations from the pre-activations at {@code gates[g0..]}: i, f, o sigmoids and the cell tanh g. */
    private static void lstmGates(float[] gates, int g0, int h, float[] i, float[] f, float[] g, float[] o) {
        sigmoid(gates, g0, null, 0, i, 0, h);
        sigmoid(gates, g0 + h, null, 0, f, 0, h);
        tanh(gates, g0 + 2 * h, null, 0, null, 0, g, 0, h);
        sigmoid(gates, g0 + 3 * h, null, 0, o, 0, h);
    }

    /** One row's GRU activations: the reset and update sigmoids and the new gate {@code tanh(xn + r hn)}. */
    private static void gruGates(float[] xg, float[] hg, int g0, int h, float[] rr, float[] z, float[] m) {
        sigmoid(xg, g0, hg, g0, rr, 0, h);
        sigmoid(xg, g0 + h, hg, g0 + h, z, 0, h);
        tanh(xg, g0 + 2 * h, rr, 0, hg, g0 + 2 * h, m, 0, h);
    }

    static void lstmForward(float[] gates, float[] c, float[] out, int h, int r0, int r1) {
        float[] i = new float[h], f = new float[h], g = new float[h], o = new float[h], t = new float[h];
        for (int r = r0; r < r1; r++) {
            int g0 = r * 4 * h, c0 = r * h, o0 = r * 2 * h;
            lstmGates(gates, g0, h, i, f, g, o);
            for (int j = 0; j < h; j++) out[o0 + h + j] = f[j] * c[c0 + j] + i[j] * g[j];
            tanh(out, o0 + h, null, 0, null, 0, t, 0, h);
            for (int j = 0; j < h; j++) out[o0 + j] = o[j] * t[j];
        }
    }

    static void lstmBackward(float[] gates, float[] c, float[] gOut, float[] gGates, float[] gC, int h, int r0, int r1) {
        float[] i = new float[h], f = new float[h], g = new float[h], o = new float[h], c2 = new float[h], t = new float[h];
        for (int r = r0; r < r1; r++) {
            int g0 = r * 4 * h, c0 = r * h, o0 = r * 2 * h;
            lstmGates(gates, g0, h, i, f, g, o);
            for (int j = 0; j < h; j++) c2[j] = f[j] * c[c0 + j] + i[j] * g[j];
            tanh(c2, 0, null, 0, null, 0, t, 0, h);
            for (int j = 0; j < h; j++) {
                float gh = gOut[o0 + j], dc2 = gOut[o0 + h + j] + gh * o[j] * (1f - t[j] * t[j]);
                gGates[g0 + j] = dc2 * g[j] * i[j] * (1f - i[j]);
                gGates[g0 + h + j] = dc2 * c[c0 + j] * f[j] * (1f - f[j]);
                gGates[g0 + 2 * h + j] = dc2 * i[j] * (1f - g[j] * g[j]);
                gGates[g0 + 3 * h + j] = gh * t[j] * o[j] * (1f - o[j]);
                gC[c0 + j] = dc2 * f[j];
            }
        }
    }

    static void gruForward(float[] xg, float[] hg, float[] hPrev, float[] out, int h, int r0, int r1) {
        float[] rr = new float[h], z = new float[h], m = new float[h];
        for (int r = r0; r < r1; r++) {
            int g0 = r * 3 * h, h0 = r * h;
            gruGates(xg, hg, g0, h, rr, z, m);
            for (int j = 0; j < h; j++) out[h0 + j] = m[j] + z[j] * (hPrev[h0 + j] - m[j]);
        }
    }

    static void gruBackward(float[] xg, float[] hg, float[] hPrev, float[] gOut, float[] gXg, float[] gHg, float[] gH,
                            int h, int r0, int r1) {
        float[] rr = new float[h], z = new float[h], m = new float[h];
        for (int r = r0; r < r1; r++) {
            int g0 = r * 3 * h, h0 = r * h;
            gruGates(xg, hg, g0, h, rr, z, m);
            for (int j = 0; j < h; j++) {
                float g = gOut[h0 + j], hn = hg[g0 + 2 * h + j];
                float a = g * (1f - z[j]) * (1f - m[j] * m[j]);
                float dr = a * hn * rr[j] * (1f - rr[j]), dz = g * (hPrev[h0 + j] - m[j]) * z[j] * (1f - z[j]);
                gXg[g0 + j] = dr;
                gHg[g0 + j] = dr;
                gXg[g0 + h + j] = dz;
                gHg[g0 + h + j] = dz;
                gXg[g0 + 2 * h + j] = a;
                gHg[g0 + 2 * h + j] = a * rr[j];
                gH[h0 + j] = g * z[j];
            }
        }
    }
}
