package dev.jgrad.bench.check;

import dev.jgrad.engine.Backend;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The device-memory check: {@link CheckSize#memorySteps} LeNet training steps (forward, cross
 * entropy, backward, Adam) on one fixed random batch, each inside a {@link MemoryScope} as
 * {@code Trainer} runs them, sampling the allocator after steps 1, 10, 100, ... and the last. It
 * passes when the bytes in use after the last step equal those after step 10 (step 1 differs: the
 * optimizer's moments appear then) and the bytes reserved from the driver did not grow either.
 *
 * <p>Writes {@code memory.tsv}: {@code # key: value} lines with the verdict, then one row per sample.
 */
final class MemoryCheck {
    private MemoryCheck() {}

    static final int FIRST = 10;

    /**
     * Lets the garbage collector and the allocators' Cleaners return what is unreachable before a
     * sample, so that every sample counts live buffers only. Without it the first H200 run
     * (2026-12-04) saw 1,708,032 bytes in use at steps 1-100 and 998,400 at step 1000: 709,632
     * bytes of set-up garbage that a collection between steps 100 and 1000 happened to free. The
     * Cleaner runs on its own thread, hence the short waits.
     */
    private static void settleGarbage() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Returns null when memory did not grow, otherwise what grew. */
    static String run(Device device, CheckSize size, Path out) throws IOException {
        Backend be = device.backend();
        CudaBackend cuda = device.name().startsWith("cuda") && be instanceof CudaBackend c ? c : null;
        int steps = size.memorySteps(), batch = size.memoryBatch();
        TreeSet<Integer> samples = new TreeSet<>();
        for (int s = 1; s <= steps; s *= 10) samples.add(s);
        samples.add(FIRST);
        samples.add(steps);

        Init.manualSeed(5);
        Generator gen = new Generator(6);
        float[] x = Tensor.rand(gen, batch, 1, 28, 28).toArray(), y = new float[batch];
        for (int i = 0; i < batch; i++) y[i] = gen.nextInt(10);
        Module model = Models.byName("lenet").to(device);
        Adam opt = new Adam(model.parameters(), 1e-3f);

        StringBuilder rows = new StringBuilder("step\tbytes_in_use\tbytes_reserved\tloss\tseconds\n");
        long inUseFirst = -1, reservedFirst = -1, inUseLast = -1, reservedLast = -1;
        long t0 = System.nanoTime();
        for (int step = 1; step <= steps; step++) {
            float loss;
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor xb = Tensor.of(device, x, batch, 1, 28, 28), yb = Tensor.of(device, y, batch);
                Tensor l = Losses.crossEntropy(model.forward(xb), yb);
                opt.zeroGrad();
                l.backward();
                opt.step();
                loss = l.item();
            }
            if (!Float.isFinite(loss)) return "the loss is " + loss + " at step " + step;
            if (samples.contains(step)) {
                if (cuda != null) cuda.synchronize();
                settleGarbage();
                long inUse = be.bytesInUse(), reserved = cuda != null ? cuda.bytesReserved() : -1;
                double seconds = (System.nanoTime() - t0) / 1e9;
                rows.append(String.format(Locale.ROOT, "%d\t%d\t%d\t%.6f\t%.3f%n", step, inUse, reserved, loss, seconds));
                System.out.printf(Locale.ROOT, "step %5d: %,d bytes in use, %s reserved, loss %.4f, %.2f s%n", step, inUse,
                        reserved < 0 ? "n/a" : String.format(Locale.ROOT, "%,d bytes", reserved), loss, seconds);
                if (step == FIRST) {
                    inUseFirst = inUse;
                    reservedFirst = reserved;
                }
                inUseLast = inUse;
                reservedLast = reserved;
            }
        }
        String verdict;
        if (steps < FIRST) verdict = "too few steps (" + steps + " < " + FIRST + ") to compare";
        else if (inUseLast > inUseFirst)
            verdict = String.format(Locale.ROOT, "bytes in use grew from %,d at step %d to %,d at step %d", inUseFirst, FIRST,
                    inUseLast, steps);
        else if (reservedLast > reservedFirst)
            verdict = String.format(Locale.ROOT, "bytes reserved grew from %,d at step %d to %,d at step %d", reservedFirst,
                    FIRST, reservedLast, steps);
        else verdict = null;
        String head = "# device: " + KernelCheck.describe(device) + "\n# model: lenet, batch " + batch + ", Adam, " + steps
                + " steps\n# verdict: " + (verdict == null ? "ok: no growth from step " + FIRST + " to step " + steps : "failed: " + verdict)
                + "\n";
        Files.writeString(out, head + rows);
        return verdict;
    }
}
