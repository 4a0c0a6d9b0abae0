package dev.jgrad.tests.determinism;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.Optimizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A seeded LeNet-BN training run: every step's loss and every final weight and buffer, as floats. */
final class Training {
    static final int STEPS = 30, BATCH = 16;

    private Training() {}

    /** Trains {@code model} (built after {@code Init.manualSeed(seed)}) {@value #STEPS} steps on seeded random images. */
    static List<float[]> run(Device d, String model, long seed) {
        return run(d, model, seed, STEPS);
    }

    /** The same run over {@code steps} steps (the emulated CUDA devices take fewer: their kernels run slowly). */
    static List<float[]> run(Device d, String model, long seed, int steps) {
        Init.manualSeed(seed);
        Module m = Models.byName(model).to(d);
        Optimizer opt = new Adam(m.parameters(), 1e-3f).clipGradNorm(5f);
        Generator data = new Generator(seed + 1);
        float[] losses = new float[steps];
        for (int step = 0; step < steps; step++) {
            float[] x = new float[BATCH * 28 * 28], y = new float[BATCH];
            for (int i = 0; i < x.length; i++) x[i] = data.nextGaussian();
            for (int i = 0; i < y.length; i++) y[i] = data.nextInt(10);
            try (MemoryScope ignored = MemoryScope.open()) {
                opt.zeroGrad();
                Tensor loss = Losses.crossEntropy(m.forward(Tensor.of(d, x, BATCH, 1, 28, 28)), Tensor.of(d, y, BATCH));
                loss.backward();
                opt.step();
                losses[step] = loss.item();
            }
        }
        List<float[]> out = new ArrayList<>();
        out.add(losses);
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) out.add(e.getValue().toArray());
        return out;
    }
}
