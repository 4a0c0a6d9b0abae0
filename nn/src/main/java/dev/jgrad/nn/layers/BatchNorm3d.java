package dev.jgrad.nn.layers;

import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;

/** Batch norm of {@code (N, C, D, H, W)} volumes (after a 3-D convolution); momentum 0.1, eps 1e-5. */
public class BatchNorm3d extends BatchNorm {
    public BatchNorm3d(int channels) {
        super(channels, 0.1f, 1e-5f);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 5)
            throw new IllegalArgumentException("BatchNorm3d: input " + Shapes.str(x.shape()) + " must be (N, C, D, H, W)");
        return super.forward(x);
    }
}
