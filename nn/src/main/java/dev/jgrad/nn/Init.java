package dev.jgrad.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;

/**
 * Weight initializers. Layers draw from one process-wide generator, which
 * {@link #manualSeed(long)} resets (like {@code torch.manual_seed}), so a seed reproduces a model.
 */
public final class Init {
    private static Generator generator = new Generator(0);

    private Init() {}

    public static synchronized void manualSeed(long seed) {
        generator = new Generator(seed);
    }

    public static synchronized Generator generator() {
        return generator;
    }

    /** {@code N(0, std^2)}. */
    public static Tensor normal(float std, int... shape) {
        return Tensor.randn(Device.defaultDevice(), generator(), shape).mul(std);
    }

    /** {@code U(-bound, bound)}. */
    public static Tensor uniform(float bound, int... shape) {
        return Tensor.rand(Device.defaultDevice(), generator(), shape).mul(2 * bound).sub(bound);
    }

    /** Xavier/Glorot uniform: bound {@code sqrt(6 / (fanIn + fanOut))}, keeps variance through sigmoid/tanh nets. */
    public static Tensor xavierUniform(int fanIn, int fanOut, int... shape) {
        return uniform((float) Math.sqrt(6.0 / (fanIn + fanOut)), shape);
    }

    /** Kaiming/He normal: std {@code sqrt(2 / fanIn)}, keeps variance through ReLU nets. */
    public static Tensor kaimingNormal(int fanIn, int... shape) {
        return normal((float) Math.sqrt(2.0 / fanIn), shape);
    }

    public static Tensor zeros(int... shape) {
        return Tensor.zeros(Device.defaultDevice(), shape);
    }

    public static Tensor ones(int... shape) {
        return Tensor.ones(Device.defaultDevice(), shape);
    }
}
