package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/**
 * Max-pooling of (N, C, D, H, W) (or unbatched, without N), as {@code torch.nn.MaxPool3d(kernel_size,
 * stride=None, padding=0, dilation=1, ceil_mode=False)}: padding counts as minus infinity and is
 * at most half the window; see {@link Tensor#maxPool}.
 */
public class MaxPool3d extends Module {
    private final int[] kernel, stride, padding, dilation;
    private final boolean ceilMode;

    /** Stride equal to the window, no padding. */
    public MaxPool3d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool3d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1}, false);
    }

    public MaxPool3d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {dilation}, ceilMode);
    }

    /** Per-dimension window, stride (null: the window), padding and dilation (3 entries each, or 1 for all). */
    public MaxPool3d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernel = kernel.clone();
        this.stride = stride == null ? kernel.clone() : stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.maxPool(spread(kernel), stride, padding, dilation, ceilMode);
    }

    /** A single entry stands for every dimension: the window's length sets the pooling's (3-D). */
    private static int[] spread(int[] v) {
        return v.length == 1 ? new int[] {v[0], v[0], v[0]} : v;
    }
}
