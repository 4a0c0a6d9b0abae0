package dev.jgrad.nn.layers;

import dev.jgrad.engine.ConvOptions;

/**
 * 2-D convolution of {@code (N, in, H, W)} (or {@code (in, H, W)}), as {@code torch.nn.Conv2d(in_channels,
 * out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True)}: weight
 * {@code (out, in/groups, kh, kw)}, bias {@code (out)}, output size per dim
 * {@code (in + padBegin + padEnd - dilation (k - 1) - 1) / stride + 1}. Depthwise is
 * {@code groups = in}. See {@link ConvLayer}.
 */
public class Conv2d extends ConvLayer {

    public Conv2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0, true);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean withBias) {
        this(in, out, kernel, stride, padding, 1, 1, withBias);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean withBias) {
        this(in, out, new int[] {kernel, kernel},
                ConvOptions.defaults().stride(stride).padding(padding).dilation(dilation).groups(groups), withBias);
    }

    /** A rectangular kernel {@code (kh, kw)} with any options (per-dim strides, asymmetric padding...). */
    public Conv2d(int in, int out, int[] kernel, ConvOptions options, boolean withBias) {
        super(2, false, in, out, kernel, options, withBias);
    }
}
