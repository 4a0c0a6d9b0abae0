package dev.jgrad.nn.layers;

import dev.jgrad.engine.ConvOptions;

/**
 * 3-D convolution of {@code (N, in, D, H, W)} (or {@code (in, D, H, W)}), as {@code torch.nn.Conv3d(in_channels,
 * out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True)}: weight
 * {@code (out, in/groups, kd, kh, kw)}, bias {@code (out)}. See {@link ConvLayer}.
 */
public class Conv3d extends ConvLayer {

    public Conv3d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0, 1, 1, true);
    }

    public Conv3d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean withBias) {
        this(in, out, repeat(kernel, 3), ConvOptions.defaults().stride(stride).padding(padding).dilation(dilation).groups(groups),
                withBias);
    }

    /** A kernel {@code (kd, kh, kw)} with any options. */
    public Conv3d(int in, int out, int[] kernel, ConvOptions options, boolean withBias) {
        super(3, false, in, out, kernel, options, withBias);
    }
}
