package dev.jgrad.tests;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's thread-safety promise (dev.jgrad.engine's package javadoc): two models training on
 * two threads at once, one with scopes and one without, plus a thread evaluating a shared model in
 * eval mode, on every device. Each result is compared with the same computation run alone on one
 * thread. A shared pool or context that is not safe shows as wrong weights, a wrong evaluation, a
 * closed-tensor error or a crash.
 *
 * <p>The comparison is bit for bit: the kernels sum in one order at every JIT tier and thread
 * count, so a run with company must give exactly the bits of the run alone.
 */
class ThreadSafetyTest {
    private static final int STEPS = 150;

    @TestFactory
    Stream<DynamicTest> twoTrainingsAndAnEvaluationAtOnceMatchTheirSingleThreadedRuns() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest("two trainings and an evaluation at once on " + d, () -> {
            Module shared = model(d, 3);
            shared.eval();
            Tensor probe = Tensor.randn(d, new Generator(4), 64, 20);
            float[] evalAlone = evaluate(shared, probe);
            float[][] aloneA = train(d, 1, true), aloneB = train(d, 2, false);

            ExecutorService pool = Executors.newFixedThreadPool(3);
            CountDownLatch start = new CountDownLatch(1);
            try {
                Future<float[][]> a = pool.submit(() -> { start.await(); return train(d, 1, true); });
                Future<float[][]> b = pool.submit(() -> { start.await(); return train(d, 2, false); });
                Future<Integer> evals = pool.submit(() -> {
                    start.await();
                    int n = 0;
                    while (!(a.isDone() && b.isDone())) {
                        assertClose("evaluation of the shared model while others train", evalAlone, evaluate(shared, probe));
                        n++;
                    }
                    return n;
                });
                start.countDown();
                float[][] togetherA = a.get(10, TimeUnit.MINUTES), togetherB = b.get(10, TimeUnit.MINUTES);
                int evaluations = evals.get(10, TimeUnit.MINUTES);
                for (int p = 0; p < aloneA.length; p++) assertClose("model A parameter " + p, aloneA[p], togetherA[p]);
                for (int p = 0; p < aloneB.length; p++) assertClose("model B parameter " + p, aloneB[p], togetherB[p]);
                assertTrue(evaluations > 0, "the evaluation thread never ran while the trainings did");
            } finally {
                pool.shutdownNow();
            }
        }));
    }

    private static Module model(Device d, long seed) {
        // Init's generator is process-wide: the layers are built under a lock so that each model
        // gets the same weights whichever thread builds it
        synchronized (ThreadSafetyTest.class) {
            Init.manualSeed(seed);
            return new Sequential(new Linear(20, 48), Activation.tanh(), new Linear(48, 5)).to(d);
        }
    }

    /** STEPS of Adam on fixed data; the final parameters. With scopes or the PyTorch way (none). */
    private static float[][] train(Device d, long seed, boolean scoped) {
        Module net = model(d, seed);
        Adam opt = new Adam(net.parameters(), 3e-3f);
        Tensor x = Tensor.randn(d, new Generator(seed + 100), 40, 20);
        float[] labels = new float[40];
        for (int i = 0; i < labels.length; i++) labels[i] = (i * 7 + seed) % 5;
        Tensor y = Tensor.of(d, labels, 40);
        for (int step = 0; step < STEPS; step++) {
            if (scoped) {
                try (MemoryScope s = MemoryScope.open()) {
                    step(net, opt, x, y);
                }
            } else {
                step(net, opt, x, y);
            }
        }
        List<float[]> out = new ArrayList<>();
        for (Parameter p : net.parameters()) out.add(p.value().toArray());
        return out.toArray(float[][]::new);
    }

    private static void step(Module net, Adam opt, Tensor x, Tensor y) {
        Tensor loss = net.forward(x).crossEntropy(y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
    }

    private static float[] evaluate(Module net, Tensor probe) {
        try (MemoryScope s = MemoryScope.open(); GradMode.Scope noGrad = GradMode.disable()) {
            return net.forward(probe).softmax(1).toArray();
        }
    }

    private static void assertClose(String what, float[] want, float[] got) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++)
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i]))
                throw new AssertionError(what + "[" + i + "] = " + got[i] + ", alone on one thread " + want[i]);
    }
}
