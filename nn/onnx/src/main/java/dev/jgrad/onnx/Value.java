package dev.jgrad.onnx;

import dev.jgrad.engine.Tensor;

import java.util.Arrays;

/** One value of a running graph: a float32 {@link Tensor} on the model's device, or host {@link Ints}. */
record Value(Tensor tensor, Ints ints) {

    static Value of(Tensor t) {
        return new Value(t, null);
    }

    static Value of(Ints i) {
        return new Value(null, i);
    }

    boolean isTensor() {
        return tensor != null;
    }

    int[] shape() {
        return isTensor() ? tensor.shape() : ints.shape();
    }

    @Override
    public String toString() {
        return isTensor() ? "float32" + Arrays.toString(tensor.shape()) : ints.toString();
    }
}
