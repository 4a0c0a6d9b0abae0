package dev.jgrad.nn.layers;

import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;

/** Batch norm of {@code (N, C)} features or {@code (N, C, L)} sequences, as PyTorch's; momentum 0.1, eps 1e-5. */
public class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int channels) {
        super(channels, 0.1f, 1e-5f);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 && x.rank() != 3)
            throw new IllegalArgumentException("BatchNorm1d: input " + Shapes.str(x.shape()) + " must be (N, C) or (N, C, L)");
        return super.forward(x);
    }
}
