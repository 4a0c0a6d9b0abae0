package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/**
 * Max-pooling of (N, C, L) (or unbatched, without N), as {@code torch.nn.MaxPool1d(kernel_size,
 * stride=None, padding=0, dilation=1, ceil_mode=False)}: padding counts as minus infinity and is
 * at most half the window; see {@link Tensor#maxPool}.
 */
public class MaxPool1d extends Module {
    private final int[] kernel, stride, padding, dilation;
    private final boolean ceilMode;

    /** Stride equal to the window, no padding. */
    public MaxPool1d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool1d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1}, false);
    }

    public MaxPool1d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {dilation}, ceilMode);
    }

    private MaxPool1d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.maxPool(kernel, stride, padding, dilation, ceilMode);
    }
}
