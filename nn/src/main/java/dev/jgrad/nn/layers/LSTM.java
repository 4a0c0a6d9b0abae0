package dev.jgrad.nn.layers;

import dev.jgrad.engine.Recurrent;
import dev.jgrad.engine.Tensor;

/**
 * Long short-term memory, as {@code torch.nn.LSTM(input_size, hidden_size, num_layers=1, bias=True,
 * batch_first=False, dropout=0)} (no {@code proj_size}): gates input, forget, cell, output in
 * PyTorch's order ({@link Recurrent#lstmCell}); {@link #run} also returns the final cell state.
 * See {@link RecurrentLayer} for shapes and parameter names.
 */
public class LSTM extends RecurrentLayer {

    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, 0f);
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, float dropout) {
        super("LSTM", 4, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout);
    }

    @Override
    boolean hasCellState() { return true; }

    @Override
    Tensor[] step(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return Recurrent.lstmCell(x, h, c, wIh, wHh, bIh, bHh);
    }
}
