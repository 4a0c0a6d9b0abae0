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
 * on each CPU device (the first run mostly interpreted, the later ones in compiled code; twice,
 * over {@value #NATIVE_STEPS} steps, on the emulated CUDA devices, whose kernels are native code
 * that no JIT changes, and slow under the emulation); every
 * step's loss and every weight and running statistic must keep the first run's raw bits.
 */
class TrainingRepeatTest {
    static final int NATIVE_STEPS = 8;

    @TestFactory
    Stream<DynamicTest> lenetBatchNormTrainsToTheSameBitsEveryTime() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest(d.name(), () -> {
            // the JIT argument is the CPU's: native kernels (the emulated CUDA devices) need one repeat
            boolean nativeKernels = d.name().contains("emulated");
            int runs = nativeKernels ? 2 : 3, steps = nativeKernels ? NATIVE_STEPS : Training.STEPS;
            List<float[]> first = Training.run(d, "lenet-bn", 11, steps);
            for (int run = 1; run < runs; run++) {
                String diff = RepeatedKernelTest.firstDifference(first, Training.run(d, "lenet-bn", 11, steps));
                assertNull(diff, d.name() + ": run " + run + " differs from run 0 (output 0 is the step losses, then the state dict): " + diff);
            }
        }));
    }
}
