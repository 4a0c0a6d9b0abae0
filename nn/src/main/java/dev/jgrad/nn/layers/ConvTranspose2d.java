package dev.jgrad.nn.layers;

import dev.jgrad.engine.ConvOptions;

/**
 * Transposed 2-D convolution of {@code (N, in, H, W)} (or without N), as {@code torch.nn.ConvTranspose2d(in_channels,
 * out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1)}
 * (PyTorch's argument order): weight {@code (in, out/groups, k...)}, bias {@code (out)}, output size per dim
 * {@code (in - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1}; {@code output_padding}
 * must be smaller than the stride. See {@link ConvLayer} and {@code Tensor.convTranspose}.
 */
public class ConvTranspose2d extends ConvLayer {

    public ConvTranspose2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0, 0, 1, true, 1);
    }

    public ConvTranspose2d(int in, int out, int kernel, int stride, int padding, int outputPadding, int groups,
                           boolean withBias, int dilation) {
        this(in, out, repeat(kernel, 2), ConvOptions.defaults().stride(stride).padding(padding).outputPadding(outputPadding)
                .groups(groups).dilation(dilation), withBias);
    }

    /** A kernel with one size per dim and any options. */
    public ConvTranspose2d(int in, int out, int[] kernel, ConvOptions options, boolean withBias) {
        super(2, true, in, out, kernel, options, withBias);
    }
}
