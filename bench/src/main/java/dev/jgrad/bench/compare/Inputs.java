package dev.jgrad.bench.compare;

import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The host inputs of one workload: named float32 arrays with their shapes, made from a fixed seed
 * so that every engine (and every fork) starts from the same bytes. Labels are class indices stored
 * as floats. LeNet's parameters are in PyTorch's layouts: conv weights {@code (out, in, kh, kw)},
 * linear weights {@code (out, in)}.
 */
public final class Inputs {
    /** One named input. */
    public record Array(float[] data, int... shape) {}

    /** LeNet-5's parameters in state-dict order, with their shapes. */
    public static final Map<String, int[]> LENET_PARAMETERS = lenetShapes();

    private final Map<String, Array> arrays = new LinkedHashMap<>();

    private Inputs() {}

    public Array get(String name) {
        Array a = arrays.get(name);
        if (a == null) throw new IllegalArgumentException("no input '" + name + "'; have " + arrays.keySet());
        return a;
    }

    public float[] data(String name) {
        return get(name).data();
    }

    public int[] shape(String name) {
        return get(name).shape();
    }

    public static Inputs of(Workload w) {
        Inputs in = new Inputs();
        SplittableRandom r = new SplittableRandom(0x5EED_0000L + w.ordinal());
        switch (w) {
            case COPY_256MB, FMA_PEAK -> {}
            case SGEMM_256, SGEMM_512, SGEMM_1024, SGEMM_2048 -> {
                int n = Integer.parseInt(w.name().substring("SGEMM_".length()));
                in.uniform(r, "a", n, n).uniform(r, "b", n, n);
            }
            case ADD_10K, ADD_ELEMENT_LOOP_10K -> in.uniform(r, "a", 10_000).uniform(r, "b", 10_000);
            case ADD_16M -> in.uniform(r, "a", 16 << 20).uniform(r, "b", 16 << 20);
            case SOFTMAX_256X1000 -> in.normal(r, 3, "x", 256, 1000);
            case SOFTMAX_4096X1024 -> in.normal(r, 3, "x", 4096, 1024);
            case CROSS_ENTROPY_TRAIN_256X1000 -> in.normal(r, 3, "logits", 256, 1000).labels(r, "labels", 256, 1000);
            case CONV_LENET1, CONV_LENET1_TRAIN -> {
                in.uniform(r, "x", 256, 1, 28, 28).normal(r, 0.2, "w", 6, 1, 5, 5).normal(r, 0.1, "b", 6);
                if (w == Workload.CONV_LENET1_TRAIN) in.normal(r, 1, "gy", 256, 6, 28, 28);
            }
            case CONV_LENET2, CONV_LENET2_TRAIN -> {
                in.uniform(r, "x", 256, 6, 14, 14).normal(r, 0.08, "w", 16, 6, 5, 5).normal(r, 0.1, "b", 16);
                if (w == Workload.CONV_LENET2_TRAIN) in.normal(r, 1, "gy", 256, 16, 10, 10);
            }
            case MAXPOOL_256X6X28X28 -> in.normal(r, 1, "x", 256, 6, 28, 28);
            case MAXPOOL_TRAIN_256X6X28X28 -> in.normal(r, 1, "x", 256, 6, 28, 28).normal(r, 1, "gy", 256, 6, 14, 14);
            case BATCHNORM_256X16X10X10, BATCHNORM_TRAIN_256X16X10X10 ->
                    in.batchNorm(r, w == Workload.BATCHNORM_TRAIN_256X16X10X10, 256, 16, 10, 10);
            case BATCHNORM_64X64X56X56, BATCHNORM_TRAIN_64X64X56X56 ->
                    in.batchNorm(r, w == Workload.BATCHNORM_TRAIN_64X64X56X56, 64, 64, 56, 56);
            case ADAM_1M, ADAM_10M -> {
                int n = w == Workload.ADAM_1M ? 1_000_000 : 10_000_000;
                in.normal(r, 1, "p", n).normal(r, 1, "g", n).normal(r, 0.1, "m", n);
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 0.01);
                in.arrays.put("v", new Array(v, n));
            }
            case LENET_STEP_256, LENET_EPOCH -> {
                if (w == Workload.LENET_EPOCH) in.fashionMnist();
                in.uniform(r, "x", 256, 1, 28, 28).labels(r, "labels", 256, 10);
                for (var p : LENET_PARAMETERS.entrySet()) {
                    // PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), a bias taking its weight's fan-in
                    int[] weight = LENET_PARAMETERS.get(p.getKey().replace(".bias", ".weight"));
                    int fanIn = numel(weight) / weight[0];
                    in.symmetric(r, 1 / Math.sqrt(fanIn), p.getKey(), p.getValue());
                }
            }
        }
        return in;
    }

    /** Fashion-MNIST's training split as "images" (60000, 1, 28, 28) in [0, 1] and "trainLabels" (60000). */
    private void fashionMnist() {
        Path dir = Path.of(System.getProperty("jgrad.bench.data", FashionMnist.DEFAULT_DIR.toString()));
        try {
            ArrayDataset train = FashionMnist.train(FashionMnist.locate(dir));
            arrays.put("images", new Array(train.features(), train.size(), 1, 28, 28));
            arrays.put("trainLabels", new Array(train.labels(), train.size()));
        } catch (IOException e) {
            throw new UnsupportedOperationException("Fashion-MNIST is not in " + dir
                    + " (apt-get install dataset-fashion-mnist, or -Djgrad.bench.data=DIR): " + e.getMessage());
        }
    }

    private static Map<String, int[]> lenetShapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("conv1.weight", new int[] {6, 1, 5, 5});
        m.put("conv1.bias", new int[] {6});
        m.put("conv2.weight", new int[] {16, 6, 5, 5});
        m.put("conv2.bias", new int[] {16});
        m.put("fc1.weight", new int[] {120, 400});
        m.put("fc1.bias", new int[] {120});
        m.put("fc2.weight", new int[] {84, 120});
        m.put("fc2.bias", new int[] {84});
        m.put("fc3.weight", new int[] {10, 84});
        m.put("fc3.bias", new int[] {10});
        return m;
    }

    private Inputs batchNorm(SplittableRandom r, boolean train, int... shape) {
        normal(r, 2, "x", shape);
        int c = shape[1];
        float[] gamma = new float[c], beta = new float[c];
        for (int i = 0; i < c; i++) {
            gamma[i] = (float) (0.5 + r.nextDouble());
            beta[i] = (float) (r.nextDouble() - 0.5);
        }
        arrays.put("gamma", new Array(gamma, c));
        arrays.put("beta", new Array(beta, c));
        if (train) normal(r, 1, "gy", shape);
        return this;
    }

    private Inputs uniform(SplittableRandom r, String name, int... shape) {
        return symmetric(r, 1, name, shape);
    }

    /** U(-bound, bound). */
    private Inputs symmetric(SplittableRandom r, double bound, String name, int... shape) {
        float[] a = new float[numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        arrays.put(name, new Array(a, shape));
        return this;
    }

    private Inputs normal(SplittableRandom r, double std, String name, int... shape) {
        float[] a = new float[numel(shape)];
        for (int i = 0; i < a.length; i += 2) {
            // Box-Muller: two normals from two uniforms
            double u = 1 - r.nextDouble(), v = r.nextDouble();
            double rad = Math.sqrt(-2 * Math.log(u)) * std;
            a[i] = (float) (rad * Math.cos(2 * Math.PI * v));
            if (i + 1 < a.length) a[i + 1] = (float) (rad * Math.sin(2 * Math.PI * v));
        }
        arrays.put(name, new Array(a, shape));
        return this;
    }

    private Inputs labels(SplittableRandom r, String name, int n, int classes) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(classes);
        arrays.put(name, new Array(a, n));
        return this;
    }

    public static int numel(int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }
}
