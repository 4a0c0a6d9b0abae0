package dev.jgrad.nn.layers;

import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;

/** Batch norm of {@code (N, C, H, W)} feature maps (after a Conv2d layer); momentum 0.1, eps 1e-5. */
public class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int channels) {
        super(channels, 0.1f, 1e-5f);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4)
            throw new IllegalArgumentException("BatchNorm2d: input " + Shapes.str(x.shape()) + " must be (N, C, H, W)");
        return super.forward(x);
    }
}
