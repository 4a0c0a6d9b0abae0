package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/**
 * Average-pooling of (N, C, L) (or unbatched, without N), as {@code torch.nn.AvgPool1d(kernel_size,
 * stride=None, padding=0, ceil_mode=False, count_include_pad=True)}: padding counts as zeros
 * in the sum and, with {@code countIncludePad}, in the divisor; see {@link Tensor#avgPool}.
 */
public class AvgPool1d extends Module {
    private final int[] kernel, stride, padding;
    private final boolean ceilMode, countIncludePad;
    private final int divisorOverride;

    /** Stride equal to the window, no padding. */
    public AvgPool1d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool1d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, false, true, 0);
    }

    public AvgPool1d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, ceilMode, countIncludePad, 0);
    }

    private AvgPool1d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                      int divisorOverride) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.avgPool(kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }
}
