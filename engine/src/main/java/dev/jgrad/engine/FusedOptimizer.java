package dev.jgrad.engine;

import java.util.Arrays;
import java.util.List;

/**
 * Applies one {@link OptimizerStep} to every parameter in ONE backend call (multi-tensor), updating
 * parameters and optimizer state in place.
 */
public final class FusedOptimizer {
    private FusedOptimizer() {}

    /**
     * @param params parameters, updated in place (dense tensors)
     * @param grads  their gradients, same shapes
     * @param state1 first state tensor per parameter (momentum, square sums, Adam's m), or null if
     *               the kind keeps none
     * @param state2 second state tensor per parameter (Adam's v), or null
     */
    public static void step(OptimizerStep s, List<Tensor> params, List<Tensor> grads,
                            List<Tensor> state1, List<Tensor> state2) {
        int count = params.size();
        if (count == 0) return;
        Device device = params.get(0).device();
        Buffer[] p = buffers("params", params, params, device);
        Buffer[] g = buffers("grads", grads, params, device);
        Buffer[] s1 = s.stateCount() >= 1 ? buffers("state1", state1, params, device) : null;
        Buffer[] s2 = s.stateCount() >= 2 ? buffers("state2", state2, params, device) : null;
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) sizes[i] = params.get(i).numel();
        device.backend().optimizerStep(s, p, g, s1, s2, sizes);
    }

    private static Buffer[] buffers(String what, List<Tensor> tensors, List<Tensor> params, Device device) {
        if (tensors == null || tensors.size() != params.size())
            throw new IllegalArgumentException("optimizerStep: need one " + what + " tensor per parameter ("
                    + params.size() + ")");
        Buffer[] out = new Buffer[tensors.size()];
        for (int i = 0; i < out.length; i++) {
            Tensor t = tensors.get(i);
            if (t == null) throw new IllegalArgumentException("optimizerStep: " + what + "[" + i + "] is null "
                    + "(a parameter without a gradient?)");
            if (t.device() != device)
                throw new IllegalArgumentException("optimizerStep: " + what + "[" + i + "] is on " + t.device()
                        + ", the first parameter on " + device);
            if (!Arrays.equals(t.shape, params.get(i).shape))
                throw new IllegalArgumentException("optimizerStep: " + what + "[" + i + "] has shape "
                        + Shapes.str(t.shape) + ", parameter " + Shapes.str(params.get(i).shape));
            if (!t.isContiguous() || t.offset != 0)
                throw new IllegalArgumentException("optimizerStep: " + what + "[" + i + "] must be a dense tensor");
            out[i] = t.buffer();
        }
        return out;
    }
}
