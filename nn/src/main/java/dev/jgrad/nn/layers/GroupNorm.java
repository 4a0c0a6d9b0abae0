package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

/**
 * Group normalization, as PyTorch's {@code nn.GroupNorm(num_groups, num_channels, eps, affine)}:
 * the {@code C} channels of an input {@code (N, C, ...)} are split into {@code numGroups} groups,
 * each (sample, group) normalized with its own mean and biased variance, then (with {@code affine})
 * scaled by {@code weight (C)} and shifted by {@code bias (C)}. {@code numGroups = 1} is layer
 * norm over {@code (C, ...)} with per-channel affine; {@code numGroups = C} is instance norm.
 */
public class GroupNorm extends Module {
    /** Null without affine. */
    public final Parameter weight, bias;
    private final int numGroups;
    private final float eps;

    public GroupNorm(int numGroups, int numChannels, float eps, boolean affine) {
        if (numGroups <= 0 || numChannels % numGroups != 0)
            throw new IllegalArgumentException("GroupNorm: " + numChannels + " channels do not split into " + numGroups
                    + " groups");
        this.numGroups = numGroups;
        this.eps = eps;
        weight = affine ? parameter("weight", Init.ones(numChannels)) : null;
        bias = affine ? parameter("bias", Init.zeros(numChannels)) : null;
    }

    /** PyTorch's defaults: eps 1e-5, affine. */
    public GroupNorm(int numGroups, int numChannels) {
        this(numGroups, numChannels, 1e-5f, true);
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.groupNorm(numGroups, weight == null ? null : weight.value(), bias == null ? null : bias.value(), eps);
    }
}
