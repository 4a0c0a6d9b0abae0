package dev.jgrad.tests.determinism;

import dev.jgrad.engine.Device;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A training run is bit-for-bit identical run after run in one JVM: LeNet-BN trained
 * {@value Training#STEPS} steps with Adam and gradient clipping, three times from the same seed
 * on each CPU device (the first run mostly interpreted, the later ones in compiled code; twice on
 * the emulated CUDA devices, whose kernels are native code); every
 * step's loss and every weight and running statistic must keep the first run's raw bits.
 */
class TrainingRepeatTest {
    @TestFactory
    Stream<DynamicTest> lenetBatchNormTrainsToTheSameBitsEveryTime() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest(d.name(), () -> {
            List<float[]> first = Training.run(d, "lenet-bn", 11);
            // the JIT argument is the CPU's: native kernels (the emulated CUDA devices) need one repeat
            int runs = d.name().contains("emulated") ? 2 : 3;
            for (int run = 1; run < runs; run++) {
                String diff = RepeatedKernelTest.firstDifference(first, Training.run(d, "lenet-bn", 11));
                assertNull(diff, d.name() + ": run " + run + " differs from run 0 (output 0 is the step losses, then the state dict): " + diff);
            }
        }));
    }
}
