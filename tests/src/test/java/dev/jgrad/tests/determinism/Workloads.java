package dev.jgrad.tests.determinism;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Parameter;
import dev.jgrad.nn.optim.Adam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every kernel that folds many floats into one (and the elementwise transcendentals, whose
 * vector forms the JIT may swap for intrinsics), on inputs drawn once from fixed seeds. Each
 * workload returns every float it produced: outputs and gradients. Sizes are large enough to take
 * the vector loops, the cache-blocked and the multi-core paths.
 */
final class Workloads {
    private Workloads() {}

    /** One workload: what it runs on a device, returning every produced float array. */
    record Workload(String name, Function<Device, List<float[]>> run) {}

    private static float[] data(long seed, int n) {
        Generator g = new Generator(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = g.nextGaussian();
        return x;
    }

    private static Tensor input(Device d, long seed, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return Tensor.of(d, data(seed, n), shape).requiresGrad(true);
    }

    /** {@code f(x...)} weighted by a fixed random tensor and summed, then backward: outputs and every input gradient. */
    private static List<float[]> withGradients(Device d, Function<Tensor[], Tensor> f, int[]... shapes) {
        Tensor[] in = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) in[i] = input(d, 100 + i, shapes[i]);
        Tensor out = f.apply(in);
        Tensor weight = Tensor.of(d, data(99, out.numel()), out.shape());
        out.mul(weight).sum().backward();
        List<float[]> r = new ArrayList<>();
        r.add(out.toArray());
        for (Tensor t : in) r.add(t.grad().toArray());
        return r;
    }

    private static List<float[]> forward(Device d, Function<Tensor, Tensor> f, int... shape) {
        return List.of(f.apply(input(d, 100, shape).requiresGrad(false)).toArray());
    }

    static List<Workload> all() {
        List<Workload> w = new ArrayList<>();
        w.add(new Workload("sum of 100k", d -> forward(d, Tensor::sum, 100_003)));
        w.add(new Workload("sum of 1M", d -> forward(d, Tensor::sum, 1_000_003)));
        w.add(new Workload("sum rows (64, 1000)", d -> forward(d, x -> x.sum(1, false), 64, 1000)));
        w.add(new Workload("sum columns (300, 257)", d -> forward(d, x -> x.sum(0, false), 300, 257)));
        w.add(new Workload("mean of 100k", d -> forward(d, Tensor::mean, 100_003)));
        w.add(new Workload("mean (4, 5000, 3)", d -> forward(d, x -> x.mean(1, false), 4, 5000, 3)));
        w.add(new Workload("var of 100k", d -> forward(d, Tensor::var, 100_003)));
        w.add(new Workload("var rows (32, 3000)", d -> forward(d, x -> x.var(new int[] {1}, false, 1), 32, 3000)));
        w.add(new Workload("var columns (2000, 40)", d -> forward(d, x -> x.var(new int[] {0}, false, 1), 2000, 40)));
        w.add(new Workload("max of 100k", d -> forward(d, Tensor::max, 100_003)));
        w.add(new Workload("softmax rows (64, 1000)", d -> withGradients(d, x -> x[0].softmax(1), new int[] {64, 1000})));
        w.add(new Workload("softmax columns (300, 70)", d -> withGradients(d, x -> x[0].softmax(0), new int[] {300, 70})));
        w.add(new Workload("logSoftmax rows (64, 1000)", d -> withGradients(d, x -> x[0].logSoftmax(1), new int[] {64, 1000})));
        w.add(new Workload("logSoftmax columns (300, 70)", d -> withGradients(d, x -> x[0].logSoftmax(0), new int[] {300, 70})));
        w.add(new Workload("cross-entropy (256, 100)", d -> {
            Tensor logits = input(d, 100, 256, 100);
            float[] labels = new float[256];
            for (int i = 0; i < labels.length; i++) labels[i] = (i * 37) % 100;
            Tensor loss = logits.crossEntropy(Tensor.of(d, labels, 256));
            loss.backward();
            return List.of(loss.toArray(), logits.grad().toArray());
        }));
        w.add(new Workload("batch norm 2d (32, 16, 12, 12)", d -> batchNorm(d, 32, 16, 12, 12)));
        w.add(new Workload("batch norm 1d (256, 120)", d -> batchNorm(d, 256, 120, 1, 1)));
        w.add(new Workload("matmul (200, 300) x (300, 150)",
                d -> withGradients(d, x -> x[0].matmul(x[1]), new int[] {200, 300}, new int[] {300, 150})));
        w.add(new Workload("matmul (8, 700) x (700, 300)",
                d -> withGradients(d, x -> x[0].matmul(x[1]), new int[] {8, 700}, new int[] {700, 300})));
        w.add(new Workload("batched matmul (6, 40, 50) x (50, 30)",
                d -> withGradients(d, x -> x[0].matmul(x[1]), new int[] {6, 40, 50}, new int[] {50, 30})));
        w.add(new Workload("conv 5x5 pad 2 (16, 6, 14, 14)", d -> withGradients(d, x -> x[0].conv2d(x[1], x[2], 1, 2),
                new int[] {16, 6, 14, 14}, new int[] {16, 6, 5, 5}, new int[] {16})));
        w.add(new Workload("conv 5x5 (64, 1, 28, 28)", d -> withGradients(d, x -> x[0].conv2d(x[1], x[2], 1, 0),
                new int[] {64, 1, 28, 28}, new int[] {6, 1, 5, 5}, new int[] {6})));
        w.add(new Workload("conv 3x3 stride 2 (16, 8, 21, 21)", d -> withGradients(d, x -> x[0].conv2d(x[1], x[2], 2, 1),
                new int[] {16, 8, 21, 21}, new int[] {12, 8, 3, 3}, new int[] {12})));
        w.add(new Workload("conv 1x1 (16, 32, 9, 9)", d -> withGradients(d, x -> x[0].conv2d(x[1], x[2], 1, 0),
                new int[] {16, 32, 9, 9}, new int[] {24, 32, 1, 1}, new int[] {24})));
        w.add(new Workload("max pool 3x3 stride 2 (16, 8, 21, 21)",
                d -> withGradients(d, x -> x[0].maxPool2d(3, 2, 1), new int[] {16, 8, 21, 21})));
        w.add(new Workload("avg pool 2x2 (16, 8, 24, 24)",
                d -> withGradients(d, x -> x[0].avgPool2d(2, 2, 0), new int[] {16, 8, 24, 24})));
        w.add(new Workload("avg pool 3x3 stride 1 (8, 8, 15, 15)",
                d -> withGradients(d, x -> x[0].avgPool2d(3, 1, 1), new int[] {8, 8, 15, 15})));
        w.add(new Workload("max pool 3-D dilation 2 ceil (4, 4, 9, 10, 11)", d -> withGradients(d,
                x -> x[0].maxPool(new int[] {3, 3, 2}, new int[] {2, 2, 2}, new int[] {1}, new int[] {2, 1, 2}, true),
                new int[] {4, 4, 9, 10, 11})));
        w.add(new Workload("avg pool 3-D ceil noCountPad, adaptive avg (4, 4, 9, 10, 11)", d -> withGradients(d,
                x -> x[0].avgPool(new int[] {3, 2, 3}, new int[] {2}, new int[] {1}, true, false, 0).adaptiveAvgPool(3, 4, 3),
                new int[] {4, 4, 9, 10, 11})));
        w.add(new Workload("exp, log, tanh, sigmoid, pow (100k)", d -> {
            Tensor x = input(d, 100, 100_003).requiresGrad(false);
            return List.of(x.exp().toArray(), x.abs().add(1e-3f).log().toArray(), x.tanh().toArray(),
                    x.sigmoid().toArray(), x.abs().pow(1.7f).toArray());
        }));
        w.add(new Workload("Adam, 5 steps, gradient clipping (70k + 3k)", Workloads::adam));
        return w;
    }

    private static List<float[]> batchNorm(Device d, int n, int c, int h, int wd) {
        Tensor x = h == 1 && wd == 1 ? input(d, 100, n, c) : input(d, 100, n, c, h, wd);
        Tensor gamma = input(d, 101, c), beta = input(d, 102, c);
        Tensor runMean = Tensor.zeros(d, c), runVar = Tensor.ones(d, c);
        Tensor y = x.batchNorm(gamma, beta, runMean, runVar, true, 0.1f, 1e-5f);
        Tensor weight = Tensor.of(d, data(99, y.numel()), y.shape());
        y.mul(weight).sum().backward();
        return List.of(y.toArray(), x.grad().toArray(), gamma.grad().toArray(), beta.grad().toArray(),
                runMean.toArray(), runVar.toArray());
    }

    private static List<float[]> adam(Device d) {
        Parameter a = new Parameter(Tensor.of(d, data(100, 70_001), 70_001)), b = new Parameter(Tensor.of(d, data(101, 3_000), 30, 100));
        Adam adam = new Adam(List.of(a, b), 1e-2f);
        adam.clipGradNorm(50f);
        List<float[]> r = new ArrayList<>();
        for (int step = 0; step < 5; step++) {
            adam.zeroGrad();
            Tensor loss = a.value().mul(a.value()).mul(Tensor.of(d, data(200 + step, 70_001), 70_001)).sum()
                    .add(b.value().tanh().sum());
            loss.backward();
            adam.step();
            r.add(new float[] {adam.lastGradNorm()});
        }
        r.add(a.value().toArray());
        r.add(b.value().toArray());
        return r;
    }

    /** Runs {@code w} in a memory scope, so that 200 repeats do not pile up device memory. */
    static List<float[]> runScoped(Workload w, Device d) {
        try (MemoryScope ignored = MemoryScope.open()) {
            return w.run().apply(d);
        }
    }

    /** Every workload's outputs on {@code d}, by name. */
    static Map<String, List<float[]>> runAll(Device d) {
        Map<String, List<float[]>> out = new LinkedHashMap<>();
        for (Workload w : all()) out.put(w.name(), runScoped(w, d));
        return out;
    }

    /** A 64-bit FNV-1a hash of the raw bits of every float, in order. */
    static long hash(List<float[]> arrays) {
        long h = 0xcbf29ce484222325L;
        for (float[] a : arrays) {
            h = (h ^ a.length) * 0x100000001b3L;
            for (float v : a) h = (h ^ Float.floatToRawIntBits(v)) * 0x100000001b3L;
        }
        return h;
    }
}
