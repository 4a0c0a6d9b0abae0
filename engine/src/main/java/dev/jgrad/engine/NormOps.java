package dev.jgrad.engine;

import java.util.Arrays;

/**
 * Layer norm and group norm as compositions of existing ops: the mean and the biased variance over
 * the normalized dimensions (each one reduction kernel with its fixed summation order), then
 * {@code (x - mean) * (var + eps)^-0.5}, then the affine map; autograd goes through those ops,
 * so there is no hand-written backward. This costs about six memory-bound passes over {@code x}
 * forward where a fused kernel would take two, a price paid for one implementation that is right
 * on every backend; a fused Backend pair can replace it without changing the API.
 */
final class NormOps {
    private NormOps() {}

    /**
     * PyTorch's {@code layer_norm}: normalizes over the last {@code normalizedShape.length}
     * dimensions of {@code x}, which must equal {@code normalizedShape}; {@code weight} and
     * {@code bias} (each of {@code normalizedShape}, or null) scale and shift.
     */
    static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, float eps) {
        ElementwiseOps.sameDevice("layerNorm", x, weight, bias);
        int k = normalizedShape.length, lead = x.rank() - k;
        if (k == 0 || lead < 0 || !Arrays.equals(Arrays.copyOfRange(x.shape, lead, x.rank()), normalizedShape))
            throw new IllegalArgumentException("layerNorm: input " + Shapes.str(x.shape) + " does not end in normalized shape "
                    + Shapes.str(normalizedShape));
        for (Tensor p : new Tensor[] {weight, bias})
            if (p != null && !Arrays.equals(p.shape, normalizedShape))
                throw new IllegalArgumentException("layerNorm: weight and bias must be " + Shapes.str(normalizedShape)
                        + ", got " + Shapes.str(p.shape) + " for input " + Shapes.str(x.shape));
        checkEps("layerNorm", eps);
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = lead + i;
        Tensor y = normalize(x, dims, eps);
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        return y;
    }

    /**
     * PyTorch's {@code group_norm}: {@code x (N, C, ...)} with its channels in {@code groups}
     * groups of {@code C / groups}, each (sample, group) normalized over its channels and spatial
     * positions; {@code weight}, {@code bias (C)} (or null) scale and shift per channel.
     */
    static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, float eps) {
        ElementwiseOps.sameDevice("groupNorm", x, weight, bias);
        if (x.rank() < 2)
            throw new IllegalArgumentException("groupNorm: input " + Shapes.str(x.shape) + " must be (N, C, ...)");
        int n = x.size(0), c = x.size(1);
        if (groups <= 0 || c % groups != 0)
            throw new IllegalArgumentException("groupNorm: " + c + " channels of input " + Shapes.str(x.shape)
                    + " do not split into " + groups + " groups");
        for (Tensor p : new Tensor[] {weight, bias})
            if (p != null && (p.rank() != 1 || p.size(0) != c))
                throw new IllegalArgumentException("groupNorm: weight and bias must be (" + c + ",), got "
                        + Shapes.str(p.shape) + " for input " + Shapes.str(x.shape));
        checkEps("groupNorm", eps);
        int per = x.numel() == 0 ? 0 : x.numel() / (n * groups);
        Tensor y = normalize(x.reshape(n, groups, per), new int[] {2}, eps).reshape(x.shape);
        int[] channelShape = new int[x.rank() - 1];   // (C, 1, ..., 1): broadcasts over the spatial dims
        Arrays.fill(channelShape, 1);
        channelShape[0] = c;
        if (weight != null) y = y.mul(weight.reshape(channelShape));
        if (bias != null) y = y.add(bias.reshape(channelShape));
        return y;
    }

    /** {@code (x - mean) / sqrt(var + eps)} over {@code dims}, biased variance (as PyTorch's norms). */
    private static Tensor normalize(Tensor x, int[] dims, float eps) {
        Tensor mean = x.mean(dims, true);
        Tensor var = x.var(dims, true, 0);
        return x.sub(mean).mul(var.add(eps).pow(-0.5f));
    }

    private static void checkEps(String op, float eps) {
        if (!(eps > 0)) throw new IllegalArgumentException(op + ": eps must be > 0, got " + eps);
    }
}
