package dev.jgrad.engine;

/**
 * One time step of the recurrent cells PyTorch has ({@code torch.nn.RNNCell}, {@code GRUCell},
 * {@code LSTMCell}), with PyTorch's weight layouts and gate order: two matrix products per step
 * (input and hidden), then the gate math. For GRU and LSTM the gate math is one fused backend call
 * each way ({@link Backend#gruCell}, {@link Backend#lstmCell}); composed from tensor ops it was 43%
 * (LSTM) and 58% (GRU) of a step ({@code RecurrentStepBench}: batch 64, input 128, hidden 256, this
 * repository's 2-core CPU). {@link #gruCellComposed} and {@link #lstmCellComposed} keep the
 * composition as the reference. Backpropagation through time is running the steps forward and
 * calling {@code backward()} once. {@code nn}'s {@code RNN}, {@code GRU} and {@code LSTM} layers loop these
 * over time and layers.
 *
 * <p>Shapes: input {@code x (N, I)}, hidden state {@code h (N, H)}, {@code wIh (G H, I)},
 * {@code wHh (G H, H)}, biases {@code (G H)} or null, with {@code G} gates: 1 for a plain RNN,
 * 3 for a GRU (reset, update, new), 4 for an LSTM (input, forget, cell, output).
 */
public final class Recurrent {
    private Recurrent() {}

    /** {@code h' = tanh(x wIh^T + bIh + h wHh^T + bHh)} (PyTorch's {@code RNNCell}, nonlinearity tanh). */
    public static Tensor rnnTanhCell(Tensor x, Tensor h, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return preActivation("rnnTanhCell", 1, x, h, wIh, wHh, bIh, bHh).tanh();
    }

    /** {@code h' = relu(x wIh^T + bIh + h wHh^T + bHh)} (PyTorch's {@code RNNCell}, nonlinearity relu). */
    public static Tensor rnnReluCell(Tensor x, Tensor h, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return preActivation("rnnReluCell", 1, x, h, wIh, wHh, bIh, bHh).relu();
    }

    /**
     * PyTorch's {@code GRUCell}, gates in the order reset {@code r}, update {@code z}, new {@code n}:
     * {@code r = sigmoid(x W_ir + b_ir + h W_hr + b_hr)}, {@code z} likewise,
     * {@code n = tanh(x W_in + b_in + r * (h W_hn + b_hn))}, {@code h' = (1 - z) n + z h}. The
     * reset gate multiplies the hidden product after its bias, as PyTorch (and cuDNN) do.
     */
    public static Tensor gruCell(Tensor x, Tensor h, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        check("gruCell", 3, x, h, wIh, wHh, bIh, bHh);
        return gruGates(affine(x, wIh, bIh), affine(h, wHh, bHh), h);
    }

    /** {@link #gruCell} composed from tensor ops (eleven elementwise ops after the products): the reference for the fused kernel. */
    public static Tensor gruCellComposed(Tensor x, Tensor h, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        check("gruCell", 3, x, h, wIh, wHh, bIh, bHh);
        int hs = h.size(1);
        Tensor gi = affine(x, wIh, bIh), gh = affine(h, wHh, bHh);
        Tensor r = gi.slice(1, 0, hs).add(gh.slice(1, 0, hs)).sigmoid();
        Tensor z = gi.slice(1, hs, 2 * hs).add(gh.slice(1, hs, 2 * hs)).sigmoid();
        Tensor n = gi.slice(1, 2 * hs, 3 * hs).add(r.mul(gh.slice(1, 2 * hs, 3 * hs))).tanh();
        return n.add(z.mul(h.sub(n)));   // (1 - z) n + z h, one product fewer
    }

    /**
     * PyTorch's {@code LSTMCell}, gates in the order input {@code i}, forget {@code f}, cell
     * {@code g}, output {@code o}: {@code i, f, o = sigmoid(...)}, {@code g = tanh(...)},
     * {@code c' = f c + i g}, {@code h' = o tanh(c')}. Returns {@code {h', c'}}.
     */
    public static Tensor[] lstmCell(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        checkLstm(x, h, c, wIh, wHh, bIh, bHh);
        int hs = h.size(1);
        ElementwiseOps.sameDevice("lstmCell", x, c);
        Tensor both = lstmGates(affine(x, wIh, bIh).add(affine(h, wHh, bHh)), c);
        return new Tensor[] {both.slice(1, 0, hs), both.slice(1, hs, 2 * hs)};
    }

    private static void checkLstm(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        check("lstmCell", 4, x, h, wIh, wHh, bIh, bHh);
        if (c == null || c.rank() != 2 || c.size(0) != h.size(0) || c.size(1) != h.size(1))
            throw new IllegalArgumentException("lstmCell: cell state " + (c == null ? "null" : Shapes.str(c.shape))
                    + " must have the hidden state's shape " + Shapes.str(h.shape));
    }

    /** {@link #lstmCell} composed from tensor ops: the reference for the fused kernel. */
    public static Tensor[] lstmCellComposed(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        checkLstm(x, h, c, wIh, wHh, bIh, bHh);
        int hs = h.size(1);
        Tensor gates = affine(x, wIh, bIh).add(affine(h, wHh, bHh));
        Tensor i = gates.slice(1, 0, hs).sigmoid();
        Tensor f = gates.slice(1, hs, 2 * hs).sigmoid();
        Tensor g = gates.slice(1, 2 * hs, 3 * hs).tanh();
        Tensor o = gates.slice(1, 3 * hs, 4 * hs).sigmoid();
        Tensor c2 = f.mul(c).add(i.mul(g));
        return new Tensor[] {o.mul(c2.tanh()), c2};
    }

    /** The fused LSTM gate math: {@code gates (n, 4h)}, {@code c (n, h)} to {@code [h' | c'] (n, 2h)}. */
    static Tensor lstmGates(Tensor gates, Tensor c) {
        int n = c.size(0), hs = c.size(1);
        Tensor gd = gates.dense(), cd = c.dense();
        Tensor out = Tensor.empty("lstmCell", c.device(), n, 2 * hs);
        c.backend().lstmCell(gd.buffer(), cd.buffer(), out.buffer(), n, hs);
        return out.recorded("lstmCell", gOut -> {
            Tensor gGates = Tensor.empty(gOut.device(), n, 4 * hs), gC = Tensor.empty(gOut.device(), n, hs);
            gOut.backend().lstmCellBackward(gd.buffer(), cd.buffer(), gOut.dense().buffer(), gGates.buffer(), gC.buffer(), n, hs);
            return new Tensor[] {gGates, gC};
        }, gates, c);
    }

    /** The fused GRU gate math: {@code xg, hg (n, 3h)}, {@code hPrev (n, h)} to {@code h' (n, h)}. */
    static Tensor gruGates(Tensor xg, Tensor hg, Tensor hPrev) {
        int n = hPrev.size(0), hs = hPrev.size(1);
        Tensor xd = xg.dense(), hd = hg.dense(), pd = hPrev.dense();
        Tensor out = Tensor.empty("gruCell", hPrev.device(), n, hs);
        hPrev.backend().gruCell(xd.buffer(), hd.buffer(), pd.buffer(), out.buffer(), n, hs);
        return out.recorded("gruCell", gOut -> {
            Tensor gXg = Tensor.empty(gOut.device(), n, 3 * hs), gHg = Tensor.empty(gOut.device(), n, 3 * hs),
                    gH = Tensor.empty(gOut.device(), n, hs);
            gOut.backend().gruCellBackward(xd.buffer(), hd.buffer(), pd.buffer(), gOut.dense().buffer(), gXg.buffer(), gHg.buffer(),
                    gH.buffer(), n, hs);
            return new Tensor[] {gXg, gHg, gH};
        }, xg, hg, hPrev);
    }

    private static Tensor preActivation(String op, int gates, Tensor x, Tensor h, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        check(op, gates, x, h, wIh, wHh, bIh, bHh);
        return affine(x, wIh, bIh).add(affine(h, wHh, bHh));
    }

    /** {@code a w^T + b}. */
    private static Tensor affine(Tensor a, Tensor w, Tensor b) {
        Tensor y = a.matmul(w.t());
        return b == null ? y : y.add(b);
    }

    private static void check(String op, int gates, Tensor x, Tensor h, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        if (x == null || h == null || wIh == null || wHh == null)
            throw new IllegalArgumentException(op + ": input, hidden state and both weights are required");
        ElementwiseOps.sameDevice(op, x, h, wIh, wHh, bIh, bHh);
        if (x.rank() != 2 || h.rank() != 2 || x.size(0) != h.size(0))
            throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape) + " must be (N, I) and hidden state "
                    + Shapes.str(h.shape) + " (N, H) with the same N");
        long gh = (long) gates * h.size(1);
        if (wIh.rank() != 2 || wIh.size(0) != gh || wIh.size(1) != x.size(1))
            throw new IllegalArgumentException(op + ": weight_ih " + Shapes.str(wIh.shape) + " must be (" + gh + ", " + x.size(1) + ")");
        if (wHh.rank() != 2 || wHh.size(0) != gh || wHh.size(1) != h.size(1))
            throw new IllegalArgumentException(op + ": weight_hh " + Shapes.str(wHh.shape) + " must be (" + gh + ", " + h.size(1) + ")");
        for (Tensor b : new Tensor[] {bIh, bHh})
            if (b != null && (b.rank() != 1 || b.size(0) != gh))
                throw new IllegalArgumentException(op + ": bias " + Shapes.str(b.shape) + " must be (" + gh + ",)");
    }
}
