package dev.jgrad.engine.cpu;

/**
 * The gate math of one LSTM or GRU step, fused: what {@code Recurrent} composed from eight to
 * eleven elementwise ops (each a pass over memory and a tensor of its own) in one pass per row.
 * The matrix products stay outside (they are GEMMs). Both CPU kernel sets run these loops: the
 * looped one over all rows; the vectorized set has the same formulas in Vector API lanes
 * ({@code VectorCells}, with {@code LaneMath}'s exp and tanh, as its sigmoid and tanh kernels) and
 * uses these loops for the last {@code h mod L} units of a row. Here sigmoid and tanh are
 * {@code Math.exp}/{@code Math.tanh} in double, as the looped set's are. The formulas and their derivatives are written out in
 * {@link #lstmBackward} and {@link #gruBackward}.
 */
public final class RecurrentCells {
    private RecurrentCells() {}

    public static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    public static float tanh(float x) {
        return (float) Math.tanh(x);
    }

    /**
     * Rows {@code [r0, r1)} of an LSTM step: {@code gates (n, 4h)} holds the pre-activations of
     * the input, forget, cell and output gates; {@code out (n, 2h)} receives {@code h'} and
     * {@code c'} side by side: {@code c' = f c + i g}, {@code h' = o tanh(c')}.
     */
    public static void lstmForward(float[] gates, float[] c, float[] out, int h, int r0, int r1) {
        lstmForward(gates, c, out, h, r0, r1, 0);
    }

    /** {@link #lstmForward} from hidden unit {@code j0} on (the vector kernels' tail). */
    public static void lstmForward(float[] gates, float[] c, float[] out, int h, int r0, int r1, int j0) {
        for (int r = r0; r < r1; r++) {
            int g0 = r * 4 * h, c0 = r * h, o0 = r * 2 * h;
            for (int j = j0; j < h; j++) {
                float i = sigmoid(gates[g0 + j]), f = sigmoid(gates[g0 + h + j]);
                float g = tanh(gates[g0 + 2 * h + j]), o = sigmoid(gates[g0 + 3 * h + j]);
                float c2 = f * c[c0 + j] + i * g;
                out[o0 + j] = o * tanh(c2);
                out[o0 + h + j] = c2;
            }
        }
    }

    /**
     * The gradients of {@link #lstmForward}: {@code gOut (n, 2h)} holds those of {@code h'} and
     * {@code c'}; writes the pre-activations' {@code gGates (n, 4h)} and {@code gC (n, h)}, from
     * the activations recomputed from {@code gates}: with {@code t = tanh(c')},
     * {@code dc' = gc' + gh' o (1 - t^2)}, {@code d_o = gh' t o (1 - o)},
     * {@code d_i = dc' g i (1 - i)}, {@code d_g = dc' i (1 - g^2)}, {@code d_f = dc' c f (1 - f)},
     * {@code dc = dc' f}.
     */
    public static void lstmBackward(float[] gates, float[] c, float[] gOut, float[] gGates, float[] gC, int h, int r0, int r1) {
        lstmBackward(gates, c, gOut, gGates, gC, h, r0, r1, 0);
    }

    /** {@link #lstmBackward} from hidden unit {@code j0} on. */
    public static void lstmBackward(float[] gates, float[] c, float[] gOut, float[] gGates, float[] gC, int h, int r0, int r1, int j0) {
        for (int r = r0; r < r1; r++) {
            int g0 = r * 4 * h, c0 = r * h, o0 = r * 2 * h;
            for (int j = j0; j < h; j++) {
                float i = sigmoid(gates[g0 + j]), f = sigmoid(gates[g0 + h + j]);
                float g = tanh(gates[g0 + 2 * h + j]), o = sigmoid(gates[g0 + 3 * h + j]);
                float cPrev = c[c0 + j], c2 = f * cPrev + i * g, t = tanh(c2);
                float gh = gOut[o0 + j], dc2 = gOut[o0 + h + j] + gh * o * (1f - t * t);
                gGates[g0 + j] = dc2 * g * i * (1f - i);
                gGates[g0 + h + j] = dc2 * cPrev * f * (1f - f);
                gGates[g0 + 2 * h + j] = dc2 * i * (1f - g * g);
                gGates[g0 + 3 * h + j] = gh * t * o * (1f - o);
                gC[c0 + j] = dc2 * f;
            }
        }
    }

    /**
     * Rows {@code [r0, r1)} of a GRU step (PyTorch's): {@code xg, hg (n, 3h)} are
     * {@code x W_ih^T + b_ih} and {@code h W_hh^T + b_hh} (reset, update, new), {@code hPrev (n, h)};
     * {@code r = sigmoid(xr + hr)}, {@code z = sigmoid(xz + hz)}, {@code m = tanh(xn + r hn)},
     * {@code out = (1 - z) m + z hPrev}.
     */
    public static void gruForward(float[] xg, float[] hg, float[] hPrev, float[] out, int h, int r0, int r1) {
        gruForward(xg, hg, hPrev, out, h, r0, r1, 0);
    }

    /** {@link #gruForward} from hidden unit {@code j0} on. */
    public static void gruForward(float[] xg, float[] hg, float[] hPrev, float[] out, int h, int r0, int r1, int j0) {
        for (int r = r0; r < r1; r++) {
            int g0 = r * 3 * h, h0 = r * h;
            for (int j = j0; j < h; j++) {
                float rr = sigmoid(xg[g0 + j] + hg[g0 + j]), z = sigmoid(xg[g0 + h + j] + hg[g0 + h + j]);
                float m = tanh(xg[g0 + 2 * h + j] + rr * hg[g0 + 2 * h + j]);
                out[h0 + j] = m + z * (hPrev[h0 + j] - m);
            }
        }
    }

    /**
     * The gradients of {@link #gruForward} from {@code gOut (n, h)}: {@code d_m = g (1 - z)},
     * {@code d_z = g (hPrev - m)}, the new gate's pre-activation {@code a = d_m (1 - m^2)} (into
     * {@code gXg}'s third part, and {@code a r} into {@code gHg}'s), {@code d_r = a hn r (1 - r)}
     * and {@code d_z z (1 - z)} (the same into both), {@code gH = g z} (the direct path; the path
     * through {@code hg} is the caller's matrix product).
     */
    public static void gruBackward(float[] xg, float[] hg, float[] hPrev, float[] gOut, float[] gXg, float[] gHg, float[] gH,
                                   int h, int r0, int r1) {
        gruBackward(xg, hg, hPrev, gOut, gXg, gHg, gH, h, r0, r1, 0);
    }

    /** {@link #gruBackward} from hidden unit {@code j0} on. */
    public static void gruBackward(float[] xg, float[] hg, float[] hPrev, float[] gOut, float[] gXg, float[] gHg, float[] gH,
                                   int h, int r0, int r1, int j0) {
        for (int r = r0; r < r1; r++) {
            int g0 = r * 3 * h, h0 = r * h;
            for (int j = j0; j < h; j++) {
                float rr = sigmoid(xg[g0 + j] + hg[g0 + j]), z = sigmoid(xg[g0 + h + j] + hg[g0 + h + j]);
                float hn = hg[g0 + 2 * h + j], m = tanh(xg[g0 + 2 * h + j] + rr * hn);
                float g = gOut[h0 + j];
                float a = g * (1f - z) * (1f - m * m);
                float dr = a * hn * rr * (1f - rr), dz = g * (hPrev[h0 + j] - m) * z * (1f - z);
                gXg[g0 + j] = dr;
                gHg[g0 + j] = dr;
                gXg[g0 + h + j] = dz;
                gHg[g0 + h + j] = dz;
                gXg[g0 + 2 * h + j] = a;
                gHg[g0 + 2 * h + j] = a * rr;
                gH[h0 + j] = g * z;
            }
        }
    }
}
