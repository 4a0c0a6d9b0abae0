package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/**
 * Average-pooling of (N, C, D, H, W) (or unbatched, without N), as {@code torch.nn.AvgPool3d(kernel_size,
 * stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)}: padding counts as zeros
 * in the sum and, with {@code countIncludePad}, in the divisor; see {@link Tensor#avgPool}.
 */
public class AvgPool3d extends Module {
    private final int[] kernel, stride, padding;
    private final boolean ceilMode, countIncludePad;
    private final int divisorOverride;

    /** Stride equal to the window, no padding. */
    public AvgPool3d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool3d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, false, true, 0);
    }

    public AvgPool3d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, ceilMode, countIncludePad, 0);
    }

    /**
     * Per-dimension window, stride (null: the window) and padding (3 entries each, or 1 for all);
     * {@code divisorOverride} 0 for none.
     */
    public AvgPool3d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                     int divisorOverride) {
        this.kernel = kernel.clone();
        this.stride = stride == null ? kernel.clone() : stride.clone();
        this.padding = padding.clone();
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.avgPool(spread(kernel), stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    /** A single entry stands for every dimension: the window's length sets the pooling's (3-D). */
    private static int[] spread(int[] v) {
        return v.length == 1 ? new int[] {v[0], v[0], v[0]} : v;
    }
}
