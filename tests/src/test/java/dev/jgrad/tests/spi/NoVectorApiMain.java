package dev.jgrad.tests.spi;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.optim.Adam;

/**
 * Run by {@link NoVectorApiTest} in a JVM started without {@code --add-modules jdk.incubator.vector}:
 * asks for the CPU several ways, trains a small MLP for a few steps and prints, one per line,
 * {@code device <name>}, {@code loss <step> <value>}, what {@code cpu-vectorized} says and the
 * device report.
 */
public final class NoVectorApiMain {
    static final int STEPS = 30;

    public static void main(String[] args) {
        Device cpu = Device.get("cpu");
        Device again = Device.get("cpu");            // the fallback must warn only once
        Device byDefault = Device.defaultDevice();  // -Djgrad.device=cpu
        if (cpu != again || cpu != byDefault) throw new AssertionError(cpu + " / " + again + " / " + byDefault);
        System.out.println("device " + cpu.name());

        Generator gen = new Generator(7);
        // three classes that a line separates: the label is which of three directions x points to most
        int n = 64;
        float[] xs = new float[n * 4], labels = new float[n];
        for (int i = 0; i < n; i++) {
            float best = -Float.MAX_VALUE;
            for (int j = 0; j < 4; j++) xs[i * 4 + j] = gen.nextGaussian();
            for (int c = 0; c < 3; c++) if (xs[i * 4 + c] > best) { best = xs[i * 4 + c]; labels[i] = c; }
        }
        Tensor x = Tensor.of(cpu, xs, n, 4), y = Tensor.of(cpu, labels, n);
        Module net = new Sequential(new Linear(4, 16), Activation.relu(), new Linear(16, 3)).to(cpu);
        Adam opt = new Adam(net.parameters(), 0.05f);
        for (int step = 0; step < STEPS; step++) {
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor loss = net.forward(x).crossEntropy(y);
                opt.zeroGrad();
                loss.backward();
                opt.step();
                System.out.println("loss " + step + " " + loss.item());
            }
        }
        try {
            Device.get("cpu-vectorized");
            System.out.println("cpu-vectorized: usable");
        } catch (IllegalArgumentException e) {
            System.out.println("cpu-vectorized: " + e.getMessage());
        }
        System.out.println("report:\n" + Device.report());
    }
}
