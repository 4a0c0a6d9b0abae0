package dev.jgrad.tests.cuda;

import dev.jgrad.conformance.Ref;
import dev.jgrad.conformance.RefOps;
import dev.jgrad.conformance.Seeds;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.cuda.CudaBackend;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No op waits for the GPU except a copy to the host: a whole training step (upload of the batch,
 * forward, loss, backward, Adam) queues its work and synchronizes once, for the loss value read
 * at the end. Counted by the backend's stream-synchronization counter, on every CUDA device.
 */
class SyncCountTest {

    @TestFactory
    Stream<DynamicTest> aTrainingStepSynchronizesOnceForTheLoss() {
        List<Device> cuda = Device.all().stream().filter(d -> d.backend() instanceof CudaBackend).toList();
        if (cuda.isEmpty())
            return Stream.of(DynamicTest.dynamicTest("LeNet and LeNet-BN steps[one sync] on cuda",
                    () -> Assumptions.abort("no CUDA device, real or emulated: " + Device.unavailable())));
        return cuda.stream().flatMap(d -> Stream.of("lenet", "lenet-bn").map(model -> DynamicTest.dynamicTest(
                model + " training steps[one sync each, for the loss] on " + d, () -> check(d, model))));
    }

    private static void check(Device d, String name) {
        CudaBackend backend = (CudaBackend) d.backend();
        Init.manualSeed(11);
        Generator gen = new Generator(Seeds.forCase("sync " + name));
        int batch = 8;
        float[] x = Tensor.rand(gen, batch, 1, 28, 28).toArray(), y = new float[batch];
        for (int i = 0; i < batch; i++) y[i] = gen.nextInt(10);
        Module model = Models.byName(name).to(d);
        Adam adam = new Adam(model.parameters(), 1e-3f);
        float first = 0, last = 0;
        for (int step = 0; step < 3; step++) {
            backend.synchronize();
            long before = backend.streamSynchronizations();
            float loss;
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor xb = Tensor.of(d, x, batch, 1, 28, 28), yb = Tensor.of(d, y, batch);
                adam.zeroGrad();
                Tensor l = Losses.crossEntropy(model.forward(xb), yb);
                l.backward();
                adam.step();
                loss = l.item();
            }
            assertEquals(1, backend.streamSynchronizations() - before,
                    name + " step " + step + ": synchronizations of the stream (only item() may wait)");
            if (step == 0) first = loss;
            last = loss;
        }
        assertTrue(Float.isFinite(first) && last < first, name + ": the loss must fall over 3 steps on one batch: "
                + first + " -> " + last);
    }
}
