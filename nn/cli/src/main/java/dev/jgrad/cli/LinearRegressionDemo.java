package dev.jgrad.cli;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;

import java.io.PrintStream;

/**
 * Linear regression from scratch, the first model of every course: synthetic data
 * {@code y = X w + b + noise} with {@code w = [2, -3.4]}, {@code b = 4.2}, 1000 examples, fitted
 * by mini-batch SGD (batches of 10, reshuffled every epoch) on squared loss, using only
 * tensors and autograd.
 */
public final class LinearRegressionDemo {
    static final float[] TRUE_W = {2f, -3.4f};
    static final float TRUE_B = 4.2f;

    /** What the fit recovered. */
    public record Result(float[] w, float b, float finalLoss) {}

    private LinearRegressionDemo() {}

    public static Result run(Device device, long seed, int epochs, float lr, PrintStream log) {
        Generator gen = new Generator(seed);
        int n = 1000, batch = 10;
        // Features X (n, 2) ~ N(0, 1); labels y = X w + b + N(0, 0.01^2).
        Tensor x = Tensor.randn(device, gen, n, 2);
        Tensor trueW = Tensor.of(device, TRUE_W, 2, 1);
        Tensor y = x.matmul(trueW).add(TRUE_B).add(Tensor.randn(device, gen, n, 1).mul(0.01f));

        Tensor w = Tensor.randn(device, gen, 2, 1).mul(0.01f).requiresGrad(true);
        Tensor b = Tensor.zeros(device, 1).requiresGrad(true);
        float[] xs = x.toArray(), ys = y.toArray();
        float loss = Float.NaN;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            int[] order = permutation(n, gen);
            for (int start = 0; start < n; start += batch) {
                int size = Math.min(batch, n - start);
                float[] bx = new float[size * 2], by = new float[size];
                for (int i = 0; i < size; i++) {
                    int row = order[start + i];
                    bx[2 * i] = xs[2 * row];
                    bx[2 * i + 1] = xs[2 * row + 1];
                    by[i] = ys[row];
                }
                Tensor pred = Tensor.of(device, bx, size, 2).matmul(w).add(b);
                Tensor err = pred.sub(Tensor.of(device, by, size, 1));
                Tensor l = err.mul(err).mean().mul(0.5f);
                l.backward();
                try (var noGrad = GradMode.disable()) {
                    w.copyFrom(w.sub(w.grad().mul(lr)));
                    b.copyFrom(b.sub(b.grad().mul(lr)));
                }
                w.zeroGrad();
                b.zeroGrad();
            }
            try (var noGrad = GradMode.disable()) {
                Tensor err = x.matmul(w).add(b).sub(y);
                loss = err.mul(err).mean().mul(0.5f).item();
            }
            log.printf("epoch %d, loss %.6f%n", epoch, loss);
        }
        return new Result(w.toArray(), b.item(), loss);
    }

    /** A uniformly random order of {@code 0..n-1} (Fisher-Yates). */
    static int[] permutation(int n, Generator gen) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = gen.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    public static void main(PrintStream out, Device device) {
        out.printf("Linear regression on %s: y = X w + b + noise, w = [2, -3.4], b = 4.2, 1000 examples, "
                + "batches of 10, SGD lr 0.03%n", device);
        long t0 = System.nanoTime();
        Result r = run(device, 42, 3, 0.03f, out);
        out.printf("recovered w = [%.4f, %.4f], b = %.4f%n", r.w()[0], r.w()[1], r.b());
        out.printf("error in w = [%.2e, %.2e], error in b = %.2e  (%.0f ms)%n",
                TRUE_W[0] - r.w()[0], TRUE_W[1] - r.w()[1], TRUE_B - r.b(), (System.nanoTime() - t0) / 1e6);
    }
}
