package dev.jgrad.nn.layers;

import dev.jgrad.engine.Recurrent;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link RNN}, {@link GRU} and {@link LSTM} share, as PyTorch's {@code RNNBase}: stacked
 * layers, each running one {@link Recurrent} cell over time, the outputs of one layer the inputs of
 * the next (with dropout between layers in training, when asked). Parameters per layer {@code k},
 * PyTorch's names, layouts and order: {@code weight_ih_l{k} (G H, I)}, {@code weight_hh_l{k} (G H, H)},
 * {@code bias_ih_l{k}}, {@code bias_hh_l{k}} {@code (G H)}, all starting {@code U(-1/sqrt(H), 1/sqrt(H))}.
 * So a PyTorch state dict loads as is. Backpropagation through time is the autograd of the unrolled
 * steps. One direction only ({@code bidirectional=False}).
 *
 * <p>Input {@code (L, N, I)}, or {@code (N, L, I)} with {@code batchFirst}, or unbatched
 * {@code (L, I)}; initial states {@code (layers, N, H)} (or {@code (layers, H)} unbatched), zeros
 * when not given. {@link #forward} returns the last layer's output at every step, {@link #run}
 * also the final states.
 */
public abstract class RecurrentLayer extends Module {
    /** The result of {@link #run}: {@code output} as the input's layout with {@code H} features, final states {@code (layers, N, H)}; {@code cN} only for an LSTM. */
    public record Output(Tensor output, Tensor hN, Tensor cN) {}

    private final int gates, inputSize, hiddenSize, layers;
    private final boolean batchFirst;
    private final List<Parameter[]> weights = new ArrayList<>();   // per layer: wIh, wHh, bIh (or null), bHh (or null)
    private final Dropout dropout;

    protected RecurrentLayer(String kind, int gates, int inputSize, int hiddenSize, int layers, boolean bias,
                             boolean batchFirst, float dropout) {
        if (inputSize < 1 || hiddenSize < 1 || layers < 1)
            throw new IllegalArgumentException(kind + ": input_size, hidden_size and num_layers must be >= 1, got "
                    + inputSize + ", " + hiddenSize + ", " + layers);
        this.gates = gates;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.layers = layers;
        this.batchFirst = batchFirst;
        float bound = (float) (1.0 / Math.sqrt(hiddenSize));
        for (int k = 0; k < layers; k++) {
            int in = k == 0 ? inputSize : hiddenSize;
            Parameter wIh = parameter("weight_ih_l" + k, Init.uniform(bound, gates * hiddenSize, in));
            Parameter wHh = parameter("weight_hh_l" + k, Init.uniform(bound, gates * hiddenSize, hiddenSize));
            Parameter bIh = bias ? parameter("bias_ih_l" + k, Init.uniform(bound, gates * hiddenSize)) : null;
            Parameter bHh = bias ? parameter("bias_hh_l" + k, Init.uniform(bound, gates * hiddenSize)) : null;
            weights.add(new Parameter[] {wIh, wHh, bIh, bHh});
        }
        this.dropout = dropout > 0 && layers > 1 ? child("dropout", new Dropout(dropout)) : null;
    }

    public int hiddenSize() { return hiddenSize; }

    public int numLayers() { return layers; }

    /** Whether this is an LSTM, whose cell also carries a cell state. */
    abstract boolean hasCellState();

    /** One step of layer {@code k}: {@code {h'}} or {@code {h', c'}}. */
    abstract Tensor[] step(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh);

    @Override
    public Tensor forward(Tensor input) {
        return run(input, null, null).output();
    }

    /** The output sequence and the final states, from initial states {@code h0} (and {@code c0} for an LSTM), or zeros where null. */
    public Output run(Tensor input, Tensor h0, Tensor c0) {
        String kind = getClass().getSimpleName();
        if (input.rank() != 2 && input.rank() != 3)
            throw new IllegalArgumentException(kind + ": input " + shape(input) + " must be (L, N, " + inputSize + ")"
                    + (batchFirst ? " with batch_first (N, L, " + inputSize + ")" : "") + " or unbatched (L, " + inputSize + ")");
        boolean unbatched = input.rank() == 2;
        Tensor x = unbatched ? input.unsqueeze(1) : batchFirst ? input.transpose(0, 1) : input;   // (L, N, I)
        if (x.size(2) != inputSize)
            throw new IllegalArgumentException(kind + ": input " + shape(input) + " has " + x.size(2) + " features, expected " + inputSize);
        int steps = x.size(0), n = x.size(1);
        Tensor h = state(kind, "h0", h0, unbatched, n, x), c = hasCellState() ? state(kind, "c0", c0, unbatched, n, x) : null;
        if (!hasCellState() && c0 != null) throw new IllegalArgumentException(kind + ": has no cell state; c0 must be null");
        List<Tensor> hs = new ArrayList<>(), cs = new ArrayList<>();
        Tensor seq = x;
        for (int k = 0; k < layers; k++) {
            Parameter[] p = weights.get(k);
            Tensor wIh = p[0].value(), wHh = p[1].value();
            Tensor bIh = p[2] == null ? null : p[2].value(), bHh = p[3] == null ? null : p[3].value();
            Tensor hk = h.select(0, k), ck = c == null ? null : c.select(0, k);
            List<Tensor> outs = new ArrayList<>(steps);
            for (int t = 0; t < steps; t++) {
                Tensor[] r = step(seq.select(0, t), hk, ck, wIh, wHh, bIh, bHh);
                hk = r[0];
                if (ck != null) ck = r[1];
                outs.add(hk);
            }
            hs.add(hk);
            if (ck != null) cs.add(ck);
            seq = steps == 0 ? Tensor.zeros(x.device(), 0, n, hiddenSize) : Tensor.stack(outs, 0);   // (L, N, H)
            if (dropout != null && k < layers - 1) seq = dropout.forward(seq);
        }
        Tensor hN = Tensor.stack(hs, 0), cN = cs.isEmpty() ? null : Tensor.stack(cs, 0);
        Tensor out = unbatched ? seq.squeeze(1) : batchFirst ? seq.transpose(0, 1) : seq;
        if (unbatched) {
            hN = hN.squeeze(1);
            if (cN != null) cN = cN.squeeze(1);
        }
        return new Output(out, hN, cN);
    }

    private Tensor state(String kind, String name, Tensor given, boolean unbatched, int n, Tensor x) {
        if (given == null) return Tensor.zeros(x.device(), layers, n, hiddenSize);
        Tensor s = unbatched ? given.unsqueeze(1) : given;
        if (s.rank() != 3 || s.size(0) != layers || s.size(1) != n || s.size(2) != hiddenSize)
            throw new IllegalArgumentException(kind + ": " + name + " " + shape(given) + " must be (" + layers + ", "
                    + (unbatched ? "" : n + ", ") + hiddenSize + ")");
        return s;
    }

    private static String shape(Tensor t) {
        return java.util.Arrays.toString(t.shape()).replace('[', '(').replace(']', ')');
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + inputSize + ", " + hiddenSize + (layers > 1 ? ", num_layers=" + layers : "")
                + (batchFirst ? ", batch_first=True" : "") + ")";
    }
}
