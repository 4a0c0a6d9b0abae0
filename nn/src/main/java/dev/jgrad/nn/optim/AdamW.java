package dev.jgrad.nn.optim;

import dev.jgrad.nn.Parameter;

import java.util.List;

/** Adam with decoupled weight decay (Loshchilov and Hutter), default decay 0.01. */
public final class AdamW extends Adam {
    public AdamW(List<Parameter> params, float lr) {
        this(params, lr, 0.01f);
    }

    public AdamW(List<Parameter> params, float lr, float weightDecay) {
        super(params, lr, 0.9f, 0.999f, 1e-8f, weightDecay, true);
    }
}
