package dev.jgrad.nn.layers;

import dev.jgrad.engine.ConvOptions;

/**
 * 1-D convolution of {@code (N, in, L)} (or {@code (in, L)}), as {@code torch.nn.Conv1d(in_channels,
 * out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True)}: weight
 * {@code (out, in/groups, k)}, bias {@code (out)}, output length
 * {@code (L + padBegin + padEnd - dilation (k - 1) - 1) / stride + 1}. See {@link ConvLayer}.
 */
public class Conv1d extends ConvLayer {

    public Conv1d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0, 1, 1, true);
    }

    public Conv1d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean withBias) {
        this(in, out, kernel, ConvOptions.defaults().stride(stride).padding(padding).dilation(dilation).groups(groups), withBias);
    }

    /** Any options, asymmetric padding included ({@code ConvOptions.padding(begin, end)}). */
    public Conv1d(int in, int out, int kernel, ConvOptions options, boolean withBias) {
        super(1, false, in, out, new int[] {kernel}, options, withBias);
    }
}
