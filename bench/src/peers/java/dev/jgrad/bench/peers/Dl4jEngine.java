package dev.jgrad.bench.peers;

import dev.jgrad.bench.compare.Engine;
import dev.jgrad.bench.compare.Inputs;
import dev.jgrad.bench.compare.JgradEngine;
import dev.jgrad.bench.compare.Workload;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.bytedeco.javacpp.Loader;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.loss.SoftmaxCrossEntropyLoss;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.profiler.ProfilerConfig;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Deeplearning4j / ND4J 1.0.0-M2.1 on the CPU (nd4j-native, OpenBLAS), float32, as a DL4J user
 * would call it. Op-level workloads make their output arrays once, in {@link #prepare}, and every
 * call writes into them, as DL4J's layers write into the arrays their workspaces hand out: an output
 * allocated per call, even closed at once or taken from a workspace, grew the process by about its
 * size every call, since glibc's malloc does not reuse the freed blocks (a fixed
 * MALLOC_MMAP_THRESHOLD_ stops it, at twice the time). The native temporaries inside
 * {@code conv2d_bp} and {@code softmax_cross_entropy_loss_grad} still grow it that way.
 * <ul>
 *   <li>sgemm: {@code INDArray.mmul} (OpenBLAS sgemm); add: {@code INDArray.add}; the element loop:
 *       {@code getFloat(i)} on both arrays into a Java array, then {@code Nd4j.create}, as jgrad's.</li>
 *   <li>softmax: the {@code softmax} op over the last axis.</li>
 *   <li>cross entropy: {@code softmax_cross_entropy_loss} (mean over the rows) and its
 *       {@code softmax_cross_entropy_loss_grad}, on one-hot labels.</li>
 *   <li>conv2d: the {@code conv2d} op with weights in OIYX (out, in, kh, kw), then {@code conv2d_bp}.</li>
 *   <li>max-pool: {@code maxpool2d}, then {@code maxpool2d_bp}.</li>
 *   <li>batch norm: the batch mean and biased variance ({@code mean}, {@code Variance}) into the
 *       {@code batchnorm} op, then {@code batchnorm_bp}, as DL4J's BatchNormalization layer trains.</li>
 *   <li>Adam: the {@code adam_updater} op that {@code org.nd4j.linalg.learning.AdamUpdater} runs in
 *       DL4J training, then {@code p.subi(update)} as DL4J's step function applies it.</li>
 *   <li>LeNet-5: a {@code MultiLayerNetwork} (ConvolutionLayer, SubsamplingLayer AVG, DenseLayer,
 *       OutputLayer MCXENT + softmax, Sgd 0.1) trained with {@code fit(DataSet)} in DL4J's default
 *       workspace mode; the loss is {@code score()} after the fit, the score of the forward pass
 *       before the update.</li>
 * </ul>
 */
public final class Dl4jEngine implements Engine {
    /** DL4J's layer index of each of the benchmark's LeNet layers (the pooling layers hold no parameters). */
    private static final Map<String, Integer> LENET_LAYERS = Map.of("conv1", 0, "conv2", 2, "fc1", 4, "fc2", 5, "fc3", 6);
    private static final Pooling2DConfig POOL = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).pH(0).pW(0)
            .dH(1).dW(1).paddingMode(PaddingMode.VALID).isNHWC(false).build();

    private final int threads;
    private String description;

    public Dl4jEngine(int threads) {
        this.threads = threads;
    }

    @Override
    public String name() {
        return "dl4j";
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String unsupported(Workload w) {
        return w.kind == Workload.Kind.CEILING ? "ceilings are measured by the machine engine" : null;
    }

    @Override
    public void start() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        // the default (SCOPE_PANIC) checks every op's arguments against closed workspaces: a debugging aid
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
        Environment env = Nd4j.getEnvironment();
        env.setDebug(false);
        env.setVerbose(false);
        env.setProfiling(false);
        env.setLeaksDetector(false);
        // M2.1's setMaxThreads does nothing: its pool is sized once, at load, from OMP_NUM_THREADS (which the
        // launcher exports) or SD_MAX_THREADS, else every hardware thread; each op uses the master-thread count
        env.setMaxMasterThreads(threads);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
        int omp = Integer.parseInt(info.get("omp.threads").toString()), blas = Integer.parseInt(info.get("blas.threads").toString());
        if (env.maxThreads() < threads || env.maxMasterThreads() != threads || omp != threads || blas != threads)
            throw new IllegalStateException("ND4J did not take " + threads + " threads: pool " + env.maxThreads()
                    + " (set OMP_NUM_THREADS), per op " + env.maxMasterThreads() + ", OpenMP " + omp + ", OpenBLAS " + blas);
        Map<String, String> libs = Loader.getLoadedLibraries();
        String build = Path.of(libs.get("nd4jcpu")).getParent().getFileName().toString();
        description = "Deeplearning4j/ND4J 1.0.0-M2.1 CPU (nd4j-native " + build + ", "
                + openBlas(libs.get("openblas_nolapack@.0")) + "), " + threads + " threads";
    }

    /** OpenBLAS's own account of its version and of the kernels it picked for this CPU, e.g. "OpenBLAS 0.3.21 Haswell kernels". */
    private static String openBlas(String library) {
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(library), Arena.global());
        FunctionDescriptor returnsString = FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(ValueLayout.JAVA_BYTE));
        try {
            String config = ((MemorySegment) Linker.nativeLinker().downcallHandle(lib.findOrThrow("openblas_get_config"),
                    returnsString).invokeExact()).reinterpret(256).getString(0);
            String core = ((MemorySegment) Linker.nativeLinker().downcallHandle(lib.findOrThrow("openblas_get_corename"),
                    returnsString).invokeExact()).reinterpret(64).getString(0);
            return "OpenBLAS " + config.split(" ")[1] + " " + core + " kernels";
        } catch (Throwable e) {
            throw new IllegalStateException("cannot query OpenBLAS in " + library, e);
        }
    }

    @Override
    public Op prepare(Workload w, Inputs in) {
        return switch (w) {
            case SGEMM_256, SGEMM_512, SGEMM_1024, SGEMM_2048 -> {
                INDArray a = nd(in, "a"), b = nd(in, "b");
                // the order a.mmul(b) returns, which sgemm writes directly (a 'c' result goes through a temporary)
                INDArray c = Nd4j.createUninitialized(DataType.FLOAT, a.shape(), 'f');
                yield fixed(() -> a.mmul(b, c), c);
            }
            case ADD_10K, ADD_16M -> {
                INDArray a = nd(in, "a"), b = nd(in, "b"), c = a.ulike();
                yield fixed(() -> a.add(b, c), c);
            }
            case ADD_ELEMENT_LOOP_10K -> elementLoop(nd(in, "a"), nd(in, "b"));
            case SOFTMAX_256X1000, SOFTMAX_4096X1024 -> {
                SoftMax softmax = withOutputs(new SoftMax(nd(in, "x"), 1));
                yield fixed(() -> Nd4j.exec(softmax), softmax.getOutputArgument(0));
            }
            case CROSS_ENTROPY_TRAIN_256X1000 -> {
                INDArray labels = oneHot(in.data("labels"), 0, 256, 1000);
                var loss = withOutputs(new SoftmaxCrossEntropyLoss(labels, nd(in, "logits"), null,
                        LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0));
                DynamicCustomOp grad = backward("softmax_cross_entropy_loss_grad", loss);
                yield fixed(() -> {
                    Nd4j.exec(loss);
                    Nd4j.exec(grad);
                }, grad.getOutputArgument(0));
            }
            case CONV_LENET1, CONV_LENET2 -> {
                Conv2D conv = withOutputs(new Conv2D(nd(in, "x"), nd(in, "w"), nd(in, "b"), conv(w == Workload.CONV_LENET1 ? 2 : 0)));
                yield fixed(() -> Nd4j.exec(conv), conv.getOutputArgument(0));
            }
            case CONV_LENET1_TRAIN, CONV_LENET2_TRAIN -> {
                Conv2D conv = withOutputs(new Conv2D(nd(in, "x"), nd(in, "w"), nd(in, "b"), conv(w == Workload.CONV_LENET1_TRAIN ? 2 : 0)));
                DynamicCustomOp grad = backward("conv2d_bp", conv, nd(in, "gy"));
                yield fixed(() -> {
                    Nd4j.exec(conv);
                    Nd4j.exec(grad);
                }, grad.outputArguments().toArray(INDArray[]::new));
            }
            case MAXPOOL_256X6X28X28 -> {
                MaxPooling2D pool = withOutputs(new MaxPooling2D(nd(in, "x"), POOL));
                yield fixed(() -> Nd4j.exec(pool), pool.getOutputArgument(0));
            }
            case MAXPOOL_TRAIN_256X6X28X28 -> {
                MaxPooling2D pool = withOutputs(new MaxPooling2D(nd(in, "x"), POOL));
                DynamicCustomOp grad = backward("maxpool2d_bp", pool, nd(in, "gy"));
                yield fixed(() -> {
                    Nd4j.exec(pool);
                    Nd4j.exec(grad);
                }, grad.getOutputArgument(0));
            }
            case BATCHNORM_256X16X10X10, BATCHNORM_64X64X56X56, BATCHNORM_TRAIN_256X16X10X10, BATCHNORM_TRAIN_64X64X56X56 -> {
                INDArray x = nd(in, "x"), gamma = nd(in, "gamma"), mean = gamma.ulike(), var = gamma.ulike();
                BatchNorm norm = withOutputs(new BatchNorm(x, mean, var, gamma, nd(in, "beta"), 1e-5, 1));
                Runnable forward = () -> {
                    x.mean(mean, 0, 2, 3);
                    Nd4j.exec(new Variance(x, var, false, 0, 2, 3));
                    Nd4j.exec(norm);
                };
                if (w == Workload.BATCHNORM_256X16X10X10 || w == Workload.BATCHNORM_64X64X56X56)
                    yield fixed(forward, norm.getOutputArgument(0));
                // outputs: dx, dmean, dvariance, dgamma, dbeta; dx already counts the batch statistics' dependence on x
                DynamicCustomOp grad = backward("batchnorm_bp", norm, nd(in, "gy"));
                yield fixed(() -> {
                    forward.run();
                    Nd4j.exec(grad);
                }, grad.getOutputArgument(0), grad.getOutputArgument(3), grad.getOutputArgument(4));
            }
            case ADAM_1M, ADAM_10M -> {
                INDArray p = nd(in, "p"), g = nd(in, "g"), m = nd(in, "m"), v = nd(in, "v"), update = p.ulike();
                float eps = 1e-8f, beta2 = 0.999f;
                // adam_updater folds both bias corrections into the step, lr sqrt(1 - b2^t) / (1 - b1^t), and adds
                // its epsilon to sqrt(v) uncorrected (the paper's eps-hat); jgrad adds eps to sqrt(v / (1 - b2^t)).
                // The two are one update when eps-hat = eps sqrt(1 - b2^t). Its iteration counts from 0: t = 1 is 0.
                int t = 1;
                double epsHat = eps * Math.sqrt(1 - Math.pow(beta2, t));
                // its own update buffer (DL4J's overwrites the gradient) so that g is the same input on every call, as in jgrad
                AdamUpdater adam = new AdamUpdater(g, v, m, update, v, m, 1e-3, 0.9, beta2, epsHat, t - 1);
                yield fixed(() -> {
                    Nd4j.exec(adam);
                    p.subi(update);
                }, p);
            }
            case LENET_STEP_256 -> lenet(in, false);
            case LENET_EPOCH -> lenet(in, true);
            default -> throw new UnsupportedOperationException(unsupported(w));
        };
    }

    private static Conv2DConfig conv(int pad) {
        return Conv2DConfig.builder().kH(5).kW(5).sH(1).sW(1).pH(pad).pW(pad).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).weightsFormat(WeightsFormat.OIYX).build();
    }

    /** Gives {@code op} the output arrays its shape function asks for, for every call to write into. */
    private static <T extends DynamicCustomOp> T withOutputs(T op) {
        for (LongShapeDescriptor shape : Nd4j.getExecutioner().calculateOutputShape(op)) op.addOutputArgument(Nd4j.create(shape, false));
        return op;
    }

    /** The {@code _bp} op of a forward op: its inputs, then {@code extra}, and its integer and float arguments. */
    private static DynamicCustomOp backward(String name, DynamicCustomOp forward, INDArray... extra) {
        List<INDArray> inputs = new ArrayList<>(forward.inputArguments());
        inputs.addAll(List.of(extra));
        DynamicCustomOp bp = new DynamicCustomOp(name, inputs.toArray(INDArray[]::new), new INDArray[0]);
        bp.addIArgument(forward.iArgs());
        bp.addTArgument(forward.tArgs());
        return withOutputs(bp);
    }

    private static INDArray nd(Inputs in, String name) {
        return Nd4j.create(in.data(name), Arrays.stream(in.shape(name)).asLongStream().toArray(), DataType.FLOAT);
    }

    /** Rows {@code from..to} of class-index labels as the one-hot matrix DL4J's losses take. */
    private static INDArray oneHot(float[] labels, int from, int to, int classes) {
        float[] hot = new float[(to - from) * classes];
        for (int i = from; i < to; i++) hot[(i - from) * classes + (int) labels[i]] = 1;
        return Nd4j.create(hot, to - from, classes);
    }

    private static float[] host(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    /** An op whose call writes into {@code results}; its result is them, concatenated. */
    private static Op fixed(Runnable call, INDArray... results) {
        return new Op() {
            public Object run() {
                call.run();
                return results[0].getFloat(0);
            }

            public float[] result() {
                call.run();
                List<float[]> parts = new ArrayList<>();
                for (INDArray r : results) parts.add(host(r));
                return JgradEngine.concat(parts);
            }
        };
    }

    /** The course's demo: a new array per call, made element by element through the API, closed once read. */
    private static Op elementLoop(INDArray a, INDArray b) {
        int n = (int) a.length();
        return new Op() {
            INDArray call() {
                float[] c = new float[n];
                for (int i = 0; i < n; i++) c[i] = a.getFloat(i) + b.getFloat(i);
                return Nd4j.create(c, n);
            }

            public Object run() {
                try (INDArray c = call()) {
                    return c.getFloat(0);
                }
            }

            public float[] result() {
                try (INDArray c = call()) {
                    return host(c);
                }
            }
        };
    }

    private static Op lenet(Inputs in, boolean epoch) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.1))
                .list()
                .layer(new ConvolutionLayer.Builder(5, 5).nIn(1).nOut(6).padding(2, 2).activation(Activation.SIGMOID).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(16).activation(Activation.SIGMOID).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(120).activation(Activation.SIGMOID).build())
                .layer(new DenseLayer.Builder().nOut(84).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                // adds the CNN-to-dense preprocessor, which flattens NCHW in C order as PyTorch's flatten does
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (String name : Inputs.LENET_PARAMETERS.keySet()) net.setParam(key(name), dl4jLayout(name, nd(in, name)));
        DataSet batch = new DataSet(nd(in, "x"), oneHot(in.data("labels"), 0, 256, 10));
        float[] images = epoch ? in.data("images") : null, trainLabels = epoch ? in.data("trainLabels") : null;
        return new Op() {
            public Object run() {
                if (!epoch) {
                    net.fit(batch);
                    return (float) net.score();
                }
                int n = trainLabels.length, pixels = 28 * 28;
                for (int start = 0; start < n; start += 256) {
                    int b = Math.min(256, n - start);
                    INDArray xs = Nd4j.create(Arrays.copyOfRange(images, start * pixels, (start + b) * pixels), b, 1, 28, 28);
                    INDArray ys = oneHot(trainLabels, start, start + b, 10);
                    net.fit(new DataSet(xs, ys));
                    xs.close();
                    ys.close();
                }
                return (float) net.score();
            }

            public float[] result() {
                List<float[]> parts = new ArrayList<>();
                parts.add(new float[] {(Float) run()});
                for (String name : Inputs.LENET_PARAMETERS.keySet()) parts.add(host(benchLayout(name, net.getParam(key(name)))));
                return JgradEngine.concat(parts);
            }
        };
    }

    /** DL4J's parameter key, e.g. {@code 4_W} for {@code fc1.weight}. */
    private static String key(String name) {
        int dot = name.indexOf('.');
        return LENET_LAYERS.get(name.substring(0, dot)) + (name.endsWith(".weight") ? "_W" : "_b");
    }

    /** DL4J keeps a dense weight as (in, out) and every bias as a (1, out) row; conv weights are (out, in, kh, kw) as in PyTorch. */
    private static INDArray dl4jLayout(String name, INDArray a) {
        if (name.endsWith(".bias")) return a.reshape(1, a.length());
        return name.startsWith("fc") ? a.transpose() : a;
    }

    private static INDArray benchLayout(String name, INDArray a) {
        if (name.endsWith(".bias")) return a.reshape(a.length());
        return name.startsWith("fc") ? a.transpose() : a;
    }
}
