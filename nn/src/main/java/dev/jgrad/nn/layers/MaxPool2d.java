package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/**
 * Max-pooling of (N, C, H, W) (or unbatched, without N), as {@code torch.nn.MaxPool2d(kernel_size,
 * stride=None, padding=0, dilation=1, ceil_mode=False)}: padding counts as minus infinity and is
 * at most half the window; see {@link Tensor#maxPool}.
 */
public class MaxPool2d extends Module {
    private final int[] kernel, stride, padding, dilation;
    private final boolean ceilMode;
    /** Built with the original square-window constructors: runs the original 2-D op. */
    private final boolean square;

    /** Stride equal to the window, no padding. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1}, false, true);
    }

    public MaxPool2d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {dilation}, ceilMode, false);
    }

    /** Per-dimension window, stride (null: the window), padding and dilation (2 entries each, or 1 for all). */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this(kernel.clone(), stride == null ? kernel.clone() : stride.clone(), padding.clone(), dilation.clone(), ceilMode, false);
    }

    private MaxPool2d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode, boolean square) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.ceilMode = ceilMode;
        this.square = square;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (square) return x.maxPool2d(kernel[0], stride[0], padding[0]);
        return x.maxPool(spread(kernel), stride, padding, dilation, ceilMode);
    }

    /** A single entry stands for every dimension: the window's length sets the pooling's (2-D). */
    private static int[] spread(int[] v) {
        return v.length == 1 ? new int[] {v[0], v[0]} : v;
    }
}
