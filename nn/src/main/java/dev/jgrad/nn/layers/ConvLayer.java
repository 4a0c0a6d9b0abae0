package dev.jgrad.nn.layers;

import dev.jgrad.engine.ConvOptions;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

import java.util.Arrays;

/**
 * What {@link Conv1d}, {@link Conv2d}, {@link Conv3d} and the transposed layers share, as PyTorch's
 * {@code _ConvNd}: a {@code weight} and an optional {@code bias} (PyTorch's state-dict names), the
 * options, and PyTorch's initialisation {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))} for both, with
 * {@code fanIn = weight.size(1) * prod(kernel)}. Weight layout: {@code (out, in/groups, k...)} for
 * a convolution, {@code (in, out/groups, k...)} for a transposed one. Padding is zeros (PyTorch's
 * default {@code padding_mode}); other modes are {@code Tensor.pad} before the layer.
 * An input without the batch dim ({@code (C, spatial...)}) is treated as a batch of one and
 * returned without it, as PyTorch does.
 */
public abstract class ConvLayer extends Module {
    public final Parameter weight;
    public final Parameter bias;
    private final ConvOptions options;
    private final boolean transposed;
    private final int dims;

    protected ConvLayer(int dims, boolean transposed, int in, int out, int[] kernel, ConvOptions options, boolean withBias) {
        if (kernel == null || kernel.length != dims)
            throw new IllegalArgumentException(getClass().getSimpleName() + ": kernel_size needs " + dims + " value"
                    + (dims == 1 ? "" : "s") + ", got " + Arrays.toString(kernel));
        int groups = options.groups();
        if (in < 1 || out < 1 || in % groups != 0 || out % groups != 0)
            throw new IllegalArgumentException(getClass().getSimpleName() + ": in_channels " + in + " and out_channels " + out
                    + " must be positive and divisible by groups " + groups);
        for (int k : kernel)
            if (k < 1) throw new IllegalArgumentException(getClass().getSimpleName() + ": kernel_size must be >= 1, got " + Arrays.toString(kernel));
        options.strideFor(dims);   // one value or one per dim: rejected here, not at the first forward
        options.padBeginFor(dims);
        options.padEndFor(dims);
        options.dilationFor(dims);
        options.outputPaddingFor(dims);
        this.dims = dims;
        this.transposed = transposed;
        this.options = options;
        int[] shape = new int[2 + dims];
        shape[0] = transposed ? in : out;
        shape[1] = (transposed ? out : in) / groups;
        System.arraycopy(kernel, 0, shape, 2, dims);
        long fanIn = shape[1];
        for (int k : kernel) fanIn *= k;
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        weight = parameter("weight", Init.uniform(bound, shape));
        bias = withBias ? parameter("bias", Init.uniform(bound, out)) : null;
    }

    /** The per-dim value of {@code v} for a layer of {@code dims} dims: one value repeated. */
    static int[] repeat(int v, int dims) {
        int[] r = new int[dims];
        Arrays.fill(r, v);
        return r;
    }

    public ConvOptions options() { return options; }

    @Override
    public Tensor forward(Tensor x) {
        boolean unbatched = x.rank() == dims + 1;
        Tensor in = unbatched ? x.unsqueeze(0) : x;
        Tensor b = bias == null ? null : bias.value();
        Tensor y = transposed ? in.convTranspose(weight.value(), b, options) : in.conv(weight.value(), b, options);
        return unbatched ? y.squeeze(0) : y;
    }
}
