package dev.jgrad.engine;

/**
 * One time step of the recurrent cells PyTorch has ({@code torch.nn.RNNCell}, {@code GRUCell},
 * {@code LSTMCell}), with PyTorch's weight layouts and gate order, composed from Tensor ops: two
 * matrix products per step (input and hidden), the gate nonlinearities elementwise. Autograd comes
 * with the composition, so backpropagation through time is running the steps forward and calling
 * {@code backward()} once. {@code nn}'s {@code RNN}, {@code GRU} and {@code LSTM} layers loop these
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
        check("lstmCell", 4, x, h, wIh, wHh, bIh, bHh);
        if (c == null || c.rank() != 2 || c.size(0) != h.size(0) || c.size(1) != h.size(1))
            throw new IllegalArgumentException("lstmCell: cell state " + (c == null ? "null" : Shapes.str(c.shape))
                    + " must have the hidden state's shape " + Shapes.str(h.shape));
        int hs = h.size(1);
        Tensor gates = affine(x, wIh, bIh).add(affine(h, wHh, bHh));
        Tensor i = gates.slice(1, 0, hs).sigmoid();
        Tensor f = gates.slice(1, hs, 2 * hs).sigmoid();
        Tensor g = gates.slice(1, 2 * hs, 3 * hs).tanh();
        Tensor o = gates.slice(1, 3 * hs, 4 * hs).sigmoid();
        Tensor c2 = f.mul(c).add(i.mul(g));
        return new Tensor[] {o.mul(c2.tanh()), c2};
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
