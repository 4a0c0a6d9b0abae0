package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

/**
 * Layer normalization over the last dimensions, as PyTorch's {@code nn.LayerNorm}: an input
 * {@code (..., *normalizedShape)} is normalized with the mean and biased variance of each
 * {@code normalizedShape} block, then (with {@code elementwiseAffine}) scaled by {@code weight}
 * and shifted by {@code bias}, both of {@code normalizedShape} (ones and zeros at first). The same
 * in training and evaluation; no running statistics.
 */
public class LayerNorm extends Module {
    /** Null without elementwise affine. */
    public final Parameter weight, bias;
    private final int[] normalizedShape;
    private final float eps;

    public LayerNorm(int[] normalizedShape, float eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0)
            throw new IllegalArgumentException("LayerNorm: normalized_shape must name at least one dimension");
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        weight = elementwiseAffine ? parameter("weight", Init.ones(normalizedShape)) : null;
        bias = elementwiseAffine ? parameter("bias", Init.zeros(normalizedShape)) : null;
    }

    /** PyTorch's defaults: eps 1e-5, elementwise affine. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5f, true);
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.layerNorm(normalizedShape, weight == null ? null : weight.value(), bias == null ? null : bias.value(), eps);
    }
}
