package dev.jgrad.nn.layers;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

import java.util.function.UnaryOperator;

/**
 * A parameter-free elementwise layer, named as PyTorch's module: {@link #relu()}, {@link #sigmoid()},
 * {@link #tanh()}, {@link #gelu()}, {@link #silu()}, {@link #elu(float)}, {@link #leakyRelu(float)},
 * {@link #softplus(float, float)}. ({@link PReLU} has a parameter and is a layer of its own.)
 */
public final class Activation extends Module {
    private final String name;
    private final UnaryOperator<Tensor> fn;

    private Activation(String name, UnaryOperator<Tensor> fn) {
        this.name = name;
        this.fn = fn;
    }

    public static Activation relu() {
        return new Activation("ReLU", Tensor::relu);
    }

    public static Activation sigmoid() {
        return new Activation("Sigmoid", Tensor::sigmoid);
    }

    public static Activation tanh() {
        return new Activation("Tanh", Tensor::tanh);
    }

    /** GELU with the exact normal CDF ({@code nn.GELU()}). */
    public static Activation gelu() {
        return new Activation("GELU", Tensor::gelu);
    }

    /** GELU's tanh approximation ({@code nn.GELU(approximate='tanh')}). */
    public static Activation geluTanh() {
        return new Activation("GELU(approximate=tanh)", x -> x.gelu(true));
    }

    public static Activation silu() {
        return new Activation("SiLU", Tensor::silu);
    }

    public static Activation elu(float alpha) {
        return new Activation("ELU(alpha=" + alpha + ")", x -> x.elu(alpha));
    }

    public static Activation leakyRelu(float negativeSlope) {
        return new Activation("LeakyReLU(" + negativeSlope + ")", x -> x.leakyRelu(negativeSlope));
    }

    public static Activation softplus(float beta, float threshold) {
        if (!(beta != 0) || !Float.isFinite(beta)) throw new IllegalArgumentException("Softplus: beta must be finite and non-zero, got " + beta);
        return new Activation("Softplus(beta=" + beta + ", threshold=" + threshold + ")", x -> x.softplus(beta, threshold));
    }

    @Override
    public Tensor forward(Tensor x) {
        return fn.apply(x);
    }

    @Override
    public String toString() {
        return name;
    }
}
