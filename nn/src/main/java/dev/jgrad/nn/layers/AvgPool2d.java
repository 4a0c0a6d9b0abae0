package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

/**
 * Average-pooling of (N, C, H, W) (or unbatched, without N), as {@code torch.nn.AvgPool2d(kernel_size,
 * stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)}: padding counts as zeros
 * in the sum and, with {@code countIncludePad}, in the divisor; see {@link Tensor#avgPool}.
 */
public class AvgPool2d extends Module {
    private final int[] kernel, stride, padding;
    private final boolean ceilMode, countIncludePad;
    private final int divisorOverride;
    /** Built with the original square-window constructors: runs the original 2-D op. */
    private final boolean square;

    /** Stride equal to the window, no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, false, true, 0, true);
    }

    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, ceilMode, countIncludePad, 0, false);
    }

    /**
     * Per-dimension window, stride (null: the window) and padding (2 entries each, or 1 for all);
     * {@code divisorOverride} 0 for none.
     */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                     int divisorOverride) {
        this(kernel.clone(), stride == null ? kernel.clone() : stride.clone(), padding.clone(), ceilMode, countIncludePad,
                divisorOverride, false);
    }

    private AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                      int divisorOverride, boolean square) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
        this.square = square;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (square) return x.avgPool2d(kernel[0], stride[0], padding[0]);
        return x.avgPool(spread(kernel), stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    /** A single entry stands for every dimension: the window's length sets the pooling's (2-D). */
    private static int[] spread(int[] v) {
        return v.length == 1 ? new int[] {v[0], v[0]} : v;
    }
}
