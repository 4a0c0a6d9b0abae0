package dev.jgrad.nn.layers;

import dev.jgrad.engine.Recurrent;
import dev.jgrad.engine.Tensor;

/**
 * Gated recurrent unit, as {@code torch.nn.GRU(input_size, hidden_size, num_layers=1, bias=True,
 * batch_first=False, dropout=0)}: gates reset, update, new in PyTorch's order
 * ({@link Recurrent#gruCell}). See {@link RecurrentLayer} for shapes and parameter names.
 */
public class GRU extends RecurrentLayer {

    public GRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, 0f);
    }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, float dropout) {
        super("GRU", 3, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout);
    }

    @Override
    boolean hasCellState() { return false; }

    @Override
    Tensor[] step(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return new Tensor[] {Recurrent.gruCell(x, h, wIh, wHh, bIh, bHh)};
    }
}
