package dev.jgrad.example;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.optim.Adam;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Trains a small MLP on XOR, saves it, loads it back and checks that it classifies all four
 * points. The lines between the README markers are the README's "Use jgrad from Maven" example
 * (tests/src/test/java/dev/jgrad/tests/ReadmeExampleTest checks that both say the same).
 *
 * <p>Usage: {@code Example OUT.safetensors}; exit 0 when the saved model is right.
 */
public final class Example {
    private Example() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "xor.safetensors");
        Init.manualSeed(7);
        // README consumer example begins
        Device cpu = Device.cpu();
        Tensor x = Tensor.of(cpu, new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor y = Tensor.of(cpu, new float[] {0, 1, 1, 0}, 4);  // XOR, as class indices
        Module net = new Sequential(new Linear(2, 16), Activation.tanh(), new Linear(16, 2)).to(cpu);
        Adam opt = new Adam(net.parameters(), 0.05f);
        for (int step = 0; step < 300; step++) {
            Tensor loss = net.forward(x).crossEntropy(y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        SafeTensors.save(out, net.stateDict());
        // README consumer example ends

        Module loaded = new Sequential(new Linear(2, 16), Activation.tanh(), new Linear(16, 2)).to(cpu);
        loaded.loadStateDict(SafeTensors.load(out));
        float loss = loaded.forward(x).crossEntropy(y).item();
        float[] predicted = loaded.forward(x).argmax(1, false).toArray();
        int right = 0;
        for (int i = 0; i < 4; i++) if (predicted[i] == y.toArray()[i]) right++;
        System.out.printf(Locale.ROOT, "device %s, module %s: XOR loss %.4f, %d/4 right, saved %s%n",
                cpu, Example.class.getModule().isNamed() ? Example.class.getModule().getName() : "unnamed",
                loss, right, out.toAbsolutePath());
        if (right != 4 || !(loss < 0.1f)) {
            System.err.println("the example did not learn XOR");
            System.exit(1);
        }
    }
}
