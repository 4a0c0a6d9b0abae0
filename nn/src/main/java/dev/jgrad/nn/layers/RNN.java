package dev.jgrad.nn.layers;

import dev.jgrad.engine.Recurrent;
import dev.jgrad.engine.Tensor;

/**
 * Elman RNN, as {@code torch.nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh',
 * bias=True, batch_first=False, dropout=0)}: {@code h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)}
 * (or relu). See {@link RecurrentLayer} for shapes and parameter names.
 */
public class RNN extends RecurrentLayer {
    private final boolean relu;

    public RNN(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false, true, false, 0f);
    }

    public RNN(int inputSize, int hiddenSize, int numLayers, boolean relu, boolean bias, boolean batchFirst, float dropout) {
        super("RNN", 1, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout);
        this.relu = relu;
    }

    @Override
    boolean hasCellState() { return false; }

    @Override
    Tensor[] step(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return new Tensor[] {relu ? Recurrent.rnnReluCell(x, h, wIh, wHh, bIh, bHh) : Recurrent.rnnTanhCell(x, h, wIh, wHh, bIh, bHh)};
    }
}
