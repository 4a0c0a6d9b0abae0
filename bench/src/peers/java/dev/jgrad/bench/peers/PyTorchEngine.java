package dev.jgrad.bench.peers;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.jgrad.bench.compare.Engine;
import dev.jgrad.bench.compare.Inputs;
import dev.jgrad.bench.compare.JgradEngine;
import dev.jgrad.bench.compare.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * PyTorch (libtorch) on the CPU through DJL's PyTorch engine, called the way a DJL user would:
 * NDArray operations and DJL's functional layers, each a JNI call into one ATen operator.
 *
 * <ul>
 *   <li>sgemm: {@code NDArray.matMul}; add: {@code NDArray.add}; the element loop:
 *       {@code getFloat(i)} on both arrays (each an indexing call that makes and frees a scalar
 *       NDArray), summed in Java, then {@code NDManager.create}.</li>
 *   <li>softmax: {@code softmax(1)}; cross-entropy: {@code logSoftmax(1)}, {@code gather} of the
 *       label, {@code mean}, {@code neg} (DJL has no fused NLL loss).</li>
 *   <li>conv2d: {@code Conv2d.conv2d} (ATen's convolution, oneDNN on x86); max-pool:
 *       {@code Pool.maxPool2d}; batch norm: {@code BatchNorm.batchNorm} in training mode.</li>
 *   <li>Adam: {@code NDArrayEx.adamUpdate}, one JNI call running DJL's sequence of in-place
 *       libtorch ops (not {@code torch.optim.Adam}, which DJL does not expose).</li>
 *   <li>LeNet: raw NDArray ops under a {@link GradientCollector} (no DJL Block or Trainer), then
 *       SGD as in-place NDArray ops on each parameter.</li>
 * </ul>
 *
 * Backward passes with an upstream gradient call {@link JniUtils#backward} (libtorch's
 * {@code Tensor::backward(gy)}), public in DJL though not on its {@code GradientCollector}.
 * Inputs live in one NDManager per prepared workload; each call's arrays live in a sub-manager,
 * with the inputs temporarily attached to it so that every output lands there, closed when the
 * call returns.
 *
 * <p>Known disagreement: on the project's machines (AMD EPYC, Zen 5; other CPUs untested) the
 * oneDNN 3.7.1 inside libtorch 2.7.1 returns a wrong input gradient from its AVX2/AVX-512
 * backward-data convolution kernels when the kernel is larger than 1x1 and the output channels are
 * not a multiple of its channel block (8 or 16; conv2dLeNet1Train has 6), so that workload fails
 * the agreement check. With {@code ONEDNN_MAX_CPU_ISA=AVX} oneDNN picks its gemm kernel and agrees.
 */
public final class PyTorchEngine implements Engine {
    private static final float LENET_LR = 0.1f;

    private final int threads;
    private ai.djl.engine.Engine pytorch;
    private NDManager root;

    /** @param threads libtorch's intra-op threads; inter-op is 1 (every workload is one chain of ops) */
    public PyTorchEngine(int threads) {
        this.threads = threads;
    }

    @Override
    public String name() {
        return "pytorch";
    }

    @Override
    public String describe() {
        return "PyTorch " + pytorch.getVersion() + " CPU through DJL " + ai.djl.engine.Engine.getDjlVersion() + ", "
                + JniUtils.getNumThreads() + " intra-op threads, " + JniUtils.getNumInteropThreads() + " inter-op";
    }

    @Override
    public String unsupported(Workload w) {
        return w.kind == Workload.Kind.CEILING ? "ceilings are measured by the machine engine" : null;
    }

    @Override
    public void start() {
        // offline: libtorch must come from the pytorch-native-cpu jar, never a download; DJL reads
        // the thread counts once, as it loads the engine, so they must be set before
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        pytorch = ai.djl.engine.Engine.getEngine("PyTorch");
        if (JniUtils.getNumThreads() != threads || JniUtils.getNumInteropThreads() != 1)
            throw new IllegalStateException("libtorch runs " + JniUtils.getNumThreads() + " intra-op and "
                    + JniUtils.getNumInteropThreads() + " inter-op threads, not " + threads + " and 1: "
                    + "was PyTorch loaded earlier in this JVM?");
        root = pytorch.newBaseManager(Device.cpu());
    }

    @Override
    public Op prepare(Workload w, Inputs in) {
        NDManager m = root.newSubManager();
        Function<String, NDArray> t = name -> m.create(in.data(name), shape(in.shape(name)));
        return switch (w) {
            case SGEMM_256, SGEMM_512, SGEMM_1024, SGEMM_2048 -> {
                NDArray a = t.apply("a"), b = t.apply("b");
                yield op(m, c -> new NDList(a.matMul(b)));
            }
            case ADD_10K, ADD_16M -> {
                NDArray a = t.apply("a"), b = t.apply("b");
                yield op(m, c -> new NDList(a.add(b)));
            }
            case ADD_ELEMENT_LOOP_10K -> {
                NDArray a = t.apply("a"), b = t.apply("b");
                int n = in.data("a").length;
                yield op(m, c -> {
                    float[] sum = new float[n];
                    for (int i = 0; i < n; i++) sum[i] = a.getFloat(i) + b.getFloat(i);
                    return new NDList(c.create(sum, new Shape(n)));
                });
            }
            case SOFTMAX_256X1000, SOFTMAX_4096X1024 -> {
                NDArray x = t.apply("x");
                yield op(m, c -> new NDList(x.softmax(1)));
            }
            case CROSS_ENTROPY_TRAIN_256X1000 -> {
                NDArray logits = t.apply("logits"), labels = labels(m, in.data("labels"));
                yield train(m, () -> crossEntropy(logits, labels), null, logits);
            }
            case CONV_LENET1, CONV_LENET2 -> {
                NDArray x = t.apply("x"), wt = t.apply("w"), b = t.apply("b");
                int pad = w == Workload.CONV_LENET1 ? 2 : 0;
                yield op(m, c -> new NDList(conv(x, wt, b, pad)));
            }
            case CONV_LENET1_TRAIN, CONV_LENET2_TRAIN -> {
                NDArray x = t.apply("x"), wt = t.apply("w"), b = t.apply("b");
                int pad = w == Workload.CONV_LENET1_TRAIN ? 2 : 0;
                yield train(m, () -> conv(x, wt, b, pad), t.apply("gy"), x, wt, b);
            }
            case MAXPOOL_256X6X28X28 -> {
                NDArray x = t.apply("x");
                yield op(m, c -> new NDList(maxPool(x)));
            }
            case MAXPOOL_TRAIN_256X6X28X28 -> {
                NDArray x = t.apply("x");
                yield train(m, () -> maxPool(x), t.apply("gy"), x);
            }
            case BATCHNORM_256X16X10X10, BATCHNORM_64X64X56X56 -> {
                NDArray x = t.apply("x"), gamma = t.apply("gamma"), beta = t.apply("beta");
                NDArray mean = m.zeros(gamma.getShape()), var = m.ones(gamma.getShape());
                yield op(m, c -> new NDList(batchNorm(x, mean, var, gamma, beta)));
            }
            case BATCHNORM_TRAIN_256X16X10X10, BATCHNORM_TRAIN_64X64X56X56 -> {
                NDArray x = t.apply("x"), gamma = t.apply("gamma"), beta = t.apply("beta");
                NDArray mean = m.zeros(gamma.getShape()), var = m.ones(gamma.getShape());
                yield train(m, () -> batchNorm(x, mean, var, gamma, beta), t.apply("gy"), x, gamma, beta);
            }
            case ADAM_1M, ADAM_10M -> adam(m, t.apply("p"), t.apply("g"), t.apply("m"), t.apply("v"));
            case LENET_STEP_256 -> lenet(m, in, false);
            case LENET_EPOCH -> lenet(m, in, true);
            default -> throw new UnsupportedOperationException(unsupported(w));
        };
    }

    @Override
    public void close() {
        if (root != null) root.close();
    }

    /** An op whose result is the arrays {@code call} returns, flattened and concatenated. */
    private static Op op(NDManager inputs, Function<NDManager, NDList> call) {
        NDArray[] held = inputs.getManagedArrays().toArray(NDArray[]::new);
        return new Op() {
            public Object run() {
                try (NDManager c = scope(inputs, held)) {
                    return call.apply(c).head().getShape();
                }
            }

            public float[] result() {
                try (NDManager c = scope(inputs, held)) {
                    return JgradEngine.concat(call.apply(c).stream().map(NDArray::toFloatArray).toList());
                }
            }

            public void close() {
                inputs.close();
            }
        };
    }

    /** A sub-manager of {@code inputs} holding {@code held} until it closes, so that every array an op makes is freed with it. */
    private static NDManager scope(NDManager inputs, NDArray[] held) {
        NDManager c = inputs.newSubManager();
        c.tempAttachAll(held);
        return c;
    }

    /** Forward, then backward from {@code gy} (or from the scalar loss when null); result: every input's gradient. */
    private Op train(NDManager inputs, Supplier<NDArray> forward, NDArray gy, NDArray... wrt) {
        for (NDArray x : wrt) x.setRequiresGradient(true);
        return op(inputs, c -> {
            // libtorch accumulates into .grad, and DJL cannot reset it to None as Python's zero_grad() does
            for (NDArray x : wrt) JniUtils.zeroGrad((PtNDArray) x);
            try (GradientCollector collector = pytorch.newGradientCollector()) {
                NDArray y = forward.get();
                if (gy == null) collector.backward(y);
                else JniUtils.backward((PtNDArray) y, (PtNDArray) gy, false, false);
            }
            NDList grads = new NDList(wrt.length);
            for (NDArray x : wrt) grads.add(x.getGradient());
            return grads;
        });
    }

    /**
     * One Adam step (lr 1e-3, betas 0.9/0.999, eps 1e-8, t = 1), in place. DJL's update is MXNet's,
     * {@code p -= lrBc m / (sqrt(v) + eps')} with {@code lrBc = lr sqrt(1 - b2^t) / (1 - b1^t)};
     * {@code eps' = eps sqrt(1 - b2^t)} makes that exactly PyTorch's (and jgrad's)
     * {@code lr m^ / (sqrt(v^) + eps)}, where DJL's own Adam optimizer would pass eps unscaled.
     */
    private static Op adam(NDManager inputs, NDArray p, NDArray g, NDArray m, NDArray v) {
        float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
        double bias1 = 1 - beta1, bias2 = 1 - beta2;
        float lrBc = (float) (lr * Math.sqrt(bias2) / bias1), epsBc = (float) (eps * Math.sqrt(bias2));
        return op(inputs, c -> {
            // weight decay 0, gradient scale 1, clipping off (negative), not AdamW
            p.getNDArrayInternal().adamUpdate(new NDList(p, g, m, v), new NDList(p),
                    lr, lrBc, 0f, 1f, -1f, beta1, beta2, epsBc, false, false);
            return new NDList(p);
        });
    }

    private Op lenet(NDManager inputs, Inputs in, boolean epoch) {
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (String name : Inputs.LENET_PARAMETERS.keySet()) {
            NDArray p = inputs.create(in.data(name), shape(in.shape(name)));
            p.setRequiresGradient(true);
            params.put(name, p);
        }
        NDArray x = epoch ? null : inputs.create(in.data("x"), shape(in.shape("x")));
        NDArray labels = epoch ? null : labels(inputs, in.data("labels"));
        float[] images = epoch ? in.data("images") : null, trainLabels = epoch ? in.data("trainLabels") : null;
        NDArray[] held = inputs.getManagedArrays().toArray(NDArray[]::new);
        return new Op() {
            /** Forward, backward and SGD on one batch; the caller's scope holds the batch and the parameters. */
            float step(NDArray batch, NDArray batchLabels) {
                NDArray loss;
                for (NDArray p : params.values()) JniUtils.zeroGrad((PtNDArray) p);
                try (GradientCollector collector = pytorch.newGradientCollector()) {
                    loss = crossEntropy(forward(batch), batchLabels);
                    collector.backward(loss);
                }
                // no torch.add_(grad, alpha = -lr) in DJL: scale the gradient in place (zeroed
                // before the next step anyway), then subtract it, both outside autograd
                for (NDArray p : params.values()) p.subi(p.getGradient().muli(LENET_LR));
                return loss.getFloat();
            }

            NDArray forward(NDArray batch) {
                NDArray h = avgPool(Activation.sigmoid(conv(batch, weight("conv1"), bias("conv1"), 2)));
                h = avgPool(Activation.sigmoid(conv(h, weight("conv2"), bias("conv2"), 0)));
                h = h.reshape(h.getShape().get(0), 400);
                h = Activation.sigmoid(linear(h, "fc1"));
                h = Activation.sigmoid(linear(h, "fc2"));
                return linear(h, "fc3");
            }

            NDArray linear(NDArray h, String layer) {
                return Linear.linear(h, weight(layer), bias(layer)).singletonOrThrow();
            }

            NDArray weight(String layer) {
                return params.get(layer + ".weight");
            }

            NDArray bias(String layer) {
                return params.get(layer + ".bias");
            }

            public Object run() {
                if (!epoch) {
                    try (NDManager c = scope(inputs, held)) {
                        return step(x, labels);
                    }
                }
                int n = trainLabels.length, pixels = 28 * 28;
                float last = 0;
                for (int start = 0; start < n; start += 256) {
                    int b = Math.min(256, n - start);
                    float[] xs = Arrays.copyOfRange(images, start * pixels, (start + b) * pixels);
                    float[] ys = Arrays.copyOfRange(trainLabels, start, start + b);
                    try (NDManager c = scope(inputs, held)) {
                        last = step(c.create(xs, new Shape(b, 1, 28, 28)), labels(c, ys));
                    }
                }
                return last;
            }

            public float[] result() {
                List<float[]> parts = new ArrayList<>();
                parts.add(new float[] {(Float) run()});
                for (NDArray p : params.values()) parts.add(p.toFloatArray());
                return JgradEngine.concat(parts);
            }

            public void close() {
                inputs.close();
            }
        };
    }

    private static NDArray conv(NDArray x, NDArray w, NDArray b, int pad) {
        return Conv2d.conv2d(x, w, b, new Shape(1, 1), new Shape(pad, pad), new Shape(1, 1), 1).singletonOrThrow();
    }

    private static NDArray maxPool(NDArray x) {
        return Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
    }

    private static NDArray avgPool(NDArray x) {
        return Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
    }

    /**
     * Training-mode batch norm, eps 1e-5. Axis -1 hands libtorch its own channel axis (1): an
     * explicit axis makes DJL swap axes and move the input to a manager of its own. DJL's momentum
     * is MXNet's (the running value's weight), so 0.9 is PyTorch's momentum 0.1.
     */
    private static NDArray batchNorm(NDArray x, NDArray mean, NDArray var, NDArray gamma, NDArray beta) {
        return BatchNorm.batchNorm(x, mean, var, gamma, beta, -1, 0.9f, 1e-5f, true).singletonOrThrow();
    }

    /** Mean of -log softmax(logits)[label]. */
    private static NDArray crossEntropy(NDArray logits, NDArray labels) {
        return logits.logSoftmax(1).gather(labels.reshape(-1, 1), 1).mean().neg();
    }

    /** Class indices as int64, the index type libtorch's gather takes. */
    private static NDArray labels(NDManager m, float[] classes) {
        long[] l = new long[classes.length];
        for (int i = 0; i < l.length; i++) l[i] = (long) classes[i];
        return m.create(l, new Shape(l.length));
    }

    private static Shape shape(int... dims) {
        return new Shape(Arrays.stream(dims).asLongStream().toArray());
    }
}
