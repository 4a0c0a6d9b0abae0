package dev.jgrad.tests;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.train.Trainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deterministic memory release: scopes, and a training loop whose memory does not grow. */
class MemoryTest {

    @Test
    void aScopeReleasesWhatItCreatedExceptWhatIsKept() {
        Device d = Device.cpu();
        long before = d.backend().bytesInUse();
        Tensor outside = Tensor.ones(d, 10);
        Tensor kept, dropped, view;
        try (MemoryScope scope = MemoryScope.open()) {
            dropped = Tensor.ones(d, 1000).mul(2f);
            view = dropped.reshape(10, 100);
            kept = MemoryScope.keep(dropped.sum());
            assertTrue(scope.size() >= 2);
        }
        assertEquals(2000f, kept.item());
        assertEquals(1f, outside.get(3));
        IllegalStateException e = assertThrows(IllegalStateException.class, dropped::toArray);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, view::toArray);
        assertEquals(before + 4L * (10 + 1), d.backend().bytesInUse(), "only 'outside' and 'kept' remain");
    }

    @Test
    void closingAViewByHandInsideAScopeDoesNotReleaseItsBaseTwice() {
        Tensor base = Tensor.ones(Device.cpu(), 6);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor view = base.reshape(2, 3);
            view.close();
        }
        assertEquals(1f, base.get(5), "the base must survive its view's close and the scope's end");
    }

    @Test
    void keptTensorsMoveToTheEnclosingScope() {
        Tensor inner;
        try (MemoryScope outer = MemoryScope.open()) {
            try (MemoryScope nested = MemoryScope.open()) {
                inner = MemoryScope.keep(Tensor.full(3f, 4));
            }
            assertEquals(3f, inner.get(0));
        }
        assertThrows(IllegalStateException.class, inner::toArray);
    }

    @TestFactory
    Stream<DynamicTest> trainingDoesNotGrowMemory() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Device.all()) {
            // 1,000 steps on a GPU; the looped CPU kernels are slow, so fewer there, and the CUDA
            // emulation (every launch on the CPU, under ASan) takes one epoch more than the first:
            // ten more steps, each of which would show a buffer it leaks.
            int epochs = d.name().equals("cuda") ? 100 : d.name().startsWith("cuda (emulated") ? 1
                    : d.name().equals("cpu-looped") ? 3 : 10;
            tests.add(DynamicTest.dynamicTest("LeNet-BN and MLP training on " + d, () -> {
                for (String model : List.of("lenet-bn", "mlp")) check(d, model, epochs);
            }));
        }
        return tests.stream();
    }

    private static void check(Device d, String name, int epochs) throws InterruptedException {
        Init.manualSeed(5);
        Generator gen = new Generator(6);
        int n = 320;
        float[] x = Tensor.rand(gen, n, 1, 28, 28).toArray(), y = new float[n];
        for (int i = 0; i < n; i++) y[i] = gen.nextInt(10);
        Module model = Models.byName(name).to(d);
        DataLoader loader = DataLoader.builder(new ArrayDataset(x, y, 1, 28, 28)).batchSize(32)
                .shuffle(new Generator(7)).device(d).build();
        Trainer trainer = new Trainer(model, new Adam(model.parameters(), 1e-3f), Losses::crossEntropy)
                .output(new PrintStream(new ByteArrayOutputStream()), false);
        trainer.fit(loader, null, 1);
        long afterFirstEpoch = settledBytesInUse(d);
        trainer.fit(loader, null, epochs);
        long atEnd = settledBytesInUse(d);
        assertEquals(afterFirstEpoch, atEnd, name + " on " + d + ": bytes in use after epoch 1 vs after "
                + (epochs + 1) + " epochs (" + (epochs * 10) + " more steps)");
    }

    /**
     * bytesInUse once the collector and the backends' Cleaners have taken off every buffer nobody
     * holds (other tests leave unclosed tensors on the same shared backends; collected at random
     * times, they would move the count between the two measurements).
     */
    private static long settledBytesInUse(Device d) throws InterruptedException {
        long last = Long.MIN_VALUE;
        for (int round = 0; round < 20; round++) {
            System.gc();
            Thread.sleep(50);
            long now = d.backend().bytesInUse();
            if (now == last) return now;
            last = now;
        }
        return last;
    }
}
