package dev.jgrad.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;

/**
 * A trainable tensor of a {@link Module}. The tensor itself may be replaced (moving to another
 * device, loading a checkpoint); optimizers update it in place.
 */
public final class Parameter {
    private Tensor value;

    public Parameter(Tensor value) {
        this.value = MemoryScope.keep(value.requiresGrad(true));
    }

    /** The current tensor; use it in forward passes. */
    public Tensor value() {
        return value;
    }

    /** The gradient accumulated by the last backward, or null. */
    public Tensor grad() {
        return value.grad();
    }

    public void zeroGrad() {
        value.zeroGrad();
    }

    public int[] shape() {
        return value.shape();
    }

    void moveTo(Device device) {
        if (value.device() != device) value = MemoryScope.keep(value.detach().to(device).requiresGrad(true));
    }

    void replace(Tensor replacement) {
        value = MemoryScope.keep(replacement.requiresGrad(true));
    }
}
