package dev.jgrad.bench.compare;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.FusedOptimizer;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.cuda.CudaBackend;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.optim.SGD;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * jgrad through its public Tensor API on one device ({@code cpu-looped}, {@code cpu-vectorized} or
 * {@code cuda}), as a user would call it: each call allocates its outputs, inside a
 * {@link MemoryScope} that returns them at the end of the call.
 */
public final class JgradEngine implements Engine {
    /** jgrad's LeNet is a Sequential: the benchmark's parameter names by their position in it. */
    private static final Map<String, String> LENET_NAMES = Map.of(
            "conv1", "0", "conv2", "3", "fc1", "7", "fc2", "9", "fc3", "11");

    private final String deviceName, cudaMatmul;
    private Device device;

    /** @param deviceName a jgrad device: cpu-looped, cpu-vectorized or cuda */
    public JgradEngine(String deviceName) {
        this(deviceName, null);
    }

    /** @param cudaMatmul on cuda, the matmul {@code -Djgrad.cuda.matmul} picks (cublas: the baseline), or null for the default */
    public JgradEngine(String deviceName, String cudaMatmul) {
        this.deviceName = deviceName;
        this.cudaMatmul = cudaMatmul;
    }

    @Override
    public String name() {
        return "cublas".equals(cudaMatmul) ? "jgrad-cublas" : "jgrad-" + deviceName.replace("cpu-", "");
    }

    @Override
    public String describe() {
        return "jgrad 0.1.0 on " + device + (deviceName.startsWith("cpu")
                ? ", " + Integer.getInteger("jgrad.cpu.threads", Runtime.getRuntime().availableProcessors())
                + " threads in its shared pool" : "");
    }

    @Override
    public String unsupported(Workload w) {
        return w.kind == Workload.Kind.CEILING ? "ceilings are measured by the machine engine" : null;
    }

    @Override
    public void start() {
        // read once, when the CUDA backend is made: this engine's fork must make it
        if (cudaMatmul != null) System.setProperty("jgrad.cuda.matmul", cudaMatmul);
        device = Device.get(deviceName);
    }

    @Override
    public Op prepare(Workload w, Inputs in) {
        return switch (w) {
            case SGEMM_256, SGEMM_512, SGEMM_1024, SGEMM_2048 -> {
                Tensor a = t(in, "a"), b = t(in, "b");
                yield op(() -> a.matmul(b));
            }
            case ADD_10K, ADD_16M -> {
                Tensor a = t(in, "a"), b = t(in, "b");
                yield op(() -> a.add(b));
            }
            case ADD_ELEMENT_LOOP_10K -> {
                Tensor a = t(in, "a"), b = t(in, "b");
                int n = a.numel();
                yield op(() -> {
                    float[] c = new float[n];
                    for (int i = 0; i < n; i++) c[i] = a.get(i) + b.get(i);
                    return Tensor.of(device, c, n);
                });
            }
            case SOFTMAX_256X1000, SOFTMAX_4096X1024 -> {
                Tensor x = t(in, "x");
                yield op(() -> x.softmax(1));
            }
            case CROSS_ENTROPY_TRAIN_256X1000 -> {
                Tensor logits = t(in, "logits").requiresGrad(true), labels = t(in, "labels");
                yield train(() -> logits.crossEntropy(labels), null, logits);
            }
            case CONV_LENET1, CONV_LENET2 -> {
                Tensor x = t(in, "x"), wt = t(in, "w"), b = t(in, "b");
                int pad = w == Workload.CONV_LENET1 ? 2 : 0;
                yield op(() -> x.conv2d(wt, b, 1, pad));
            }
            case CONV_LENET1_TRAIN, CONV_LENET2_TRAIN -> {
                Tensor x = t(in, "x").requiresGrad(true), wt = t(in, "w").requiresGrad(true),
                        b = t(in, "b").requiresGrad(true);
                int pad = w == Workload.CONV_LENET1_TRAIN ? 2 : 0;
                yield train(() -> x.conv2d(wt, b, 1, pad), t(in, "gy"), x, wt, b);
            }
            case MAXPOOL_256X6X28X28 -> {
                Tensor x = t(in, "x");
                yield op(() -> x.maxPool2d(2, 2, 0));
            }
            case MAXPOOL_TRAIN_256X6X28X28 -> {
                Tensor x = t(in, "x").requiresGrad(true);
                yield train(() -> x.maxPool2d(2, 2, 0), t(in, "gy"), x);
            }
            case BATCHNORM_256X16X10X10, BATCHNORM_64X64X56X56 -> {
                Tensor x = t(in, "x"), gamma = t(in, "gamma"), beta = t(in, "beta");
                Tensor mean = Tensor.zeros(device, gamma.numel()), var = Tensor.ones(device, gamma.numel());
                yield op(() -> x.batchNorm(gamma, beta, mean, var, true, 0.1f, 1e-5f));
            }
            case BATCHNORM_TRAIN_256X16X10X10, BATCHNORM_TRAIN_64X64X56X56 -> {
                Tensor x = t(in, "x").requiresGrad(true), gamma = t(in, "gamma").requiresGrad(true),
                        beta = t(in, "beta").requiresGrad(true);
                Tensor mean = Tensor.zeros(device, gamma.numel()), var = Tensor.ones(device, gamma.numel());
                yield train(() -> x.batchNorm(gamma, beta, mean, var, true, 0.1f, 1e-5f), t(in, "gy"), x, gamma, beta);
            }
            case ADAM_1M, ADAM_10M -> {
                Tensor p = t(in, "p"), g = t(in, "g"), m = t(in, "m"), v = t(in, "v");
                OptimizerStep step = new OptimizerStep(OptimizerStep.Kind.ADAM, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1, 1f);
                yield op(() -> {
                    FusedOptimizer.step(step, List.of(p), List.of(g), List.of(m), List.of(v));
                    return p;
                }, () -> p.toArray());
            }
            case LENET_STEP_256 -> lenet(in, false);
            case LENET_EPOCH -> lenet(in, true);
            default -> throw new UnsupportedOperationException(unsupported(w));
        };
    }

    private Tensor t(Inputs in, String name) {
        return Tensor.of(device, in.data(name), in.shape(name));
    }

    /** An op whose result is its output tensor. */
    private Op op(Supplier<Tensor> call) {
        return op(call, null);
    }

    /** An op; {@code result} (when not null) reads the result instead of the call's output. */
    private Op op(Supplier<Tensor> call, Supplier<float[]> result) {
        return new Op() {
            public Object run() {
                try (MemoryScope scope = MemoryScope.open(); GradMode.Scope noGrad = GradMode.disable()) {
                    Tensor out = call.get();
                    synchronize();
                    return out.shape();
                }
            }

            public float[] result() {
                try (MemoryScope scope = MemoryScope.open(); GradMode.Scope noGrad = GradMode.disable()) {
                    Tensor out = call.get();
                    return result == null ? out.toArray() : result.get();
                }
            }
        };
    }

    /** Forward, then backward from {@code gy} (or from the scalar loss when null); result: every input's gradient. */
    private Op train(Supplier<Tensor> forward, Tensor gy, Tensor... inputs) {
        return new Op() {
            public Object run() {
                try (MemoryScope scope = MemoryScope.open()) {
                    for (Tensor x : inputs) x.zeroGrad();
                    Tensor y = forward.get();
                    if (gy == null) y.backward();
                    else y.backward(gy);
                    synchronize();
                    return y.shape();
                }
            }

            public float[] result() {
                run();
                List<float[]> grads = new ArrayList<>();
                for (Tensor x : inputs) grads.add(x.grad().toArray());
                return concat(grads);
            }
        };
    }

    private Op lenet(Inputs in, boolean epoch) {
        Module net = Models.lenet().to(device);
        Map<String, Tensor> state = new HashMap<>();
        for (String name : Inputs.LENET_PARAMETERS.keySet()) {
            String layer = name.substring(0, name.indexOf('.'));
            state.put(LENET_NAMES.get(layer) + name.substring(layer.length()), t(in, name));
        }
        net.loadStateDict(state);
        SGD sgd = new SGD(net.parameters(), 0.1f);
        Tensor x = t(in, "x"), labels = t(in, "labels");
        float[] images = epoch ? in.data("images") : null, trainLabels = epoch ? in.data("trainLabels") : null;
        return new Op() {
            float step(Tensor batch, Tensor batchLabels) {
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor loss = net.forward(batch).crossEntropy(batchLabels);
                    sgd.zeroGrad();
                    loss.backward();
                    sgd.step();
                    return loss.item();
                }
            }

            public Object run() {
                if (!epoch) return step(x, labels);
                int n = trainLabels.length, pixels = 28 * 28;
                float last = 0;
                for (int start = 0; start < n; start += 256) {
                    int b = Math.min(256, n - start);
                    float[] xs = java.util.Arrays.copyOfRange(images, start * pixels, (start + b) * pixels);
                    float[] ys = java.util.Arrays.copyOfRange(trainLabels, start, start + b);
                    try (MemoryScope scope = MemoryScope.open()) {
                        last = step(Tensor.of(device, xs, b, 1, 28, 28), Tensor.of(device, ys, b));
                    }
                }
                return last;
            }

            public float[] result() {
                List<float[]> parts = new ArrayList<>();
                parts.add(new float[] {(Float) run()});
                Map<String, Tensor> after = net.stateDict();
                for (String name : Inputs.LENET_PARAMETERS.keySet()) {
                    String layer = name.substring(0, name.indexOf('.'));
                    parts.add(after.get(LENET_NAMES.get(layer) + name.substring(layer.length())).toArray());
                }
                return concat(parts);
            }
        };
    }

    private void synchronize() {
        // guarded by name so that a CPU run never resolves the CUDA classes
        if (deviceName.startsWith("cuda")) ((CudaBackend) device.backend()).synchronize();
    }

    /** The parts end to end: how every engine returns several results (gradients, parameters) as one. */
    public static float[] concat(List<float[]> parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
