package dev.jgrad.tests;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training loop written the PyTorch way, with no {@code MemoryScope} and no {@code close()}:
 * 3,000 steps on every device (600 on the emulated CUDA devices, where each launch runs on the
 * CPU and 3,000 steps would take a minute and a half). The garbage collector reclaims the tensors;
 * what is checked is that the numbers a user watches say so: {@code bytesInUse()} and the heap stay
 * flat from the end of the warm-up to the last step (once the collector has run), instead of
 * counting every buffer ever allocated.
 */
class MemoryNoScopeTest {

    @TestFactory
    Stream<DynamicTest> trainingWithoutScopesKeepsBytesInUseAndHeapFlat() {
        return Device.all().stream().map(d -> {
            boolean emulated = d.name().contains("emulated");
            int steps = emulated ? 600 : 3000, warmUp = steps / 6;
            return DynamicTest.dynamicTest(String.format(Locale.ROOT, "%,d steps without a scope on %s", steps, d), () -> {
            Init.manualSeed(11);
            Generator gen = new Generator(12);
            Module net = new Sequential(new Linear(20, 64), Activation.relu(), new Linear(64, 4)).to(d);
            Adam opt = new Adam(net.parameters(), 1e-3f);
            Tensor x = Tensor.randn(d, gen, 32, 20);
            float[] labels = new float[32];
            for (int i = 0; i < labels.length; i++) labels[i] = i % 4;
            Tensor y = Tensor.of(d, labels, 32);
            long[] atWarmUp = null;
            for (int step = 1; step <= steps; step++) {
                Tensor loss = net.forward(x).crossEntropy(y);
                opt.zeroGrad();
                loss.backward();
                opt.step();
                if (step == warmUp) atWarmUp = settled(d);
            }
            long[] atEnd = settled(d);
            // One step here allocates tens of KB (the MLP's activations, gradients, Adam's temporaries):
            // counting them all added 165 MB over 2,500 steps before the Cleaner did the accounting.
            long allowedBytes = Math.max(atWarmUp[0] / 2, 1L << 20), allowedHeap = 64L << 20;
            String report = String.format(Locale.ROOT, "on %s: bytesInUse %,d at step %d, %,d at step %d; heap %,d then %,d",
                    d, atWarmUp[0], warmUp, atEnd[0], steps, atWarmUp[1], atEnd[1]);
            assertTrue(atEnd[0] <= atWarmUp[0] + allowedBytes, "bytesInUse grew " + report);
            assertTrue(atEnd[1] <= atWarmUp[1] + allowedHeap, "the heap grew " + report);
            });
        });
    }

    /** {bytesInUse, heap used} after the collector (and the backends' Cleaners) had their turn. */
    private static long[] settled(Device d) throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int round = 0; round < 20; round++) {
            System.gc();
            Thread.sleep(50);  // the Cleaner threads run the accounting actions
            long now = d.backend().bytesInUse();
            if (now == last) break;
            last = now;
        }
        return new long[] {d.backend().bytesInUse(), memory.getHeapMemoryUsage().getUsed()};
    }
}
