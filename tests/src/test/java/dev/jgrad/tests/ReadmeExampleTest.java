package dev.jgrad.tests;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.Dropout;
import dev.jgrad.nn.layers.Flatten;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's API example, verbatim between the markers, so the README cannot drift from the API. */
class ReadmeExampleTest {
    @Test
    void readmeExampleRuns(@TempDir Path dir) throws Exception {
        // README example begins
        Device dev = Device.defaultDevice();                  // -Djgrad.device=cpu|cuda|auto
        Generator gen = new Generator(42);

        // Tensors with broadcasting and reverse-mode autograd
        Tensor x = Tensor.randn(dev, gen, 64, 784);
        Tensor w = Tensor.randn(dev, gen, 784, 10).mul(0.01f).requiresGrad(true);
        Tensor b = Tensor.zeros(dev, 10).requiresGrad(true);
        Tensor labels = Tensor.of(dev, new float[64], 64);    // class indices, stored as floats
        Tensor loss = x.matmul(w).add(b).crossEntropy(labels); // fused, log-sum-exp stable
        loss.backward();                                      // fills w.grad() and b.grad()

        // Modules, a fused optimizer, deterministic memory release
        Module net = new Sequential(new Flatten(), new Linear(784, 256), Activation.relu(),
                new Dropout(0.2f), new Linear(256, 10)).to(dev);
        Adam opt = new Adam(net.parameters(), 1e-3f);
        try (MemoryScope step = MemoryScope.open()) {         // the step's memory goes back at its end
            Tensor l = net.forward(x).crossEntropy(labels);
            opt.zeroGrad();
            l.backward();
            opt.step();                                       // one backend call for all parameters
        }
        net.eval();                                           // dropout off, batch norm on running stats
        SafeTensors.save(dir.resolve("mlp.safetensors"), net.stateDict());  // PyTorch can read it
        // README example ends

        assertArrayEquals(new int[] {784, 10}, w.grad().shape());
        assertEquals(1, opt.steps());
        assertTrue(SafeTensors.load(dir.resolve("mlp.safetensors")).containsKey("1.weight"));
    }
}
