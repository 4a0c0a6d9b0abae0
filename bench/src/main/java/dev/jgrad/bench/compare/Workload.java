package dev.jgrad.bench.compare;

import java.util.Arrays;
import java.util.List;

/**
 * The workloads every engine runs in {@link CompareBench}, all float32. Each one names its inputs
 * (made by {@link Inputs}, the same bytes for every engine), the work one call does (flops, or the
 * bytes it must at least read and write), and what {@code Op.result()} returns, which the agreement
 * check compares across engines.
 *
 * <p>"Train" workloads are forward plus backward: the upstream gradient is the input {@code gy}
 * (random, so that batch norm's input gradient is not identically zero) and the result is every
 * gradient, concatenated in the order the workload lists them.
 */
public enum Workload {
    // --- the ceilings, run by the "machine" engine only
    /** A 256 MB copy with every thread: bytes read plus bytes written. Result: none. */
    COPY_256MB("copy256MB", Kind.CEILING, Unit.BYTES, 2.0 * 4 * (64 << 20), false),
    /** x = 2x + 1 in place over 256 MB with every thread: bytes read plus bytes written, the pattern of an optimizer step. */
    UPDATE_256MB("update256MB", Kind.CEILING, Unit.BYTES, 2.0 * 4 * (64 << 20), false),
    /** Independent vector FMAs on every thread, nothing loaded: the FP32 peak. Result: none. */
    FMA_PEAK("fmaPeak", Kind.CEILING, Unit.FLOPS, 0, false),

    // --- matmul: C(n, n) = A(n, n) B(n, n); inputs a, b; result C
    SGEMM_256("sgemm256", Kind.MATMUL, Unit.FLOPS, 2.0 * 256 * 256 * 256, true),
    SGEMM_512("sgemm512", Kind.MATMUL, Unit.FLOPS, 2.0 * 512 * 512 * 512, true),
    SGEMM_1024("sgemm1024", Kind.MATMUL, Unit.FLOPS, 2.0 * 1024 * 1024 * 1024, false),
    SGEMM_2048("sgemm2048", Kind.MATMUL, Unit.FLOPS, 2.0 * 2048 * 2048 * 2048, true),

    // --- elementwise: c = a + b; inputs a, b; result c
    ADD_10K("add10k", Kind.ELEMENTWISE, Unit.BYTES, 12.0 * 10_000, false),
    ADD_16M("add16M", Kind.ELEMENTWISE, Unit.BYTES, 12.0 * (16 << 20), false),
    /** The course's vectorization demo: c[i] = a[i] + b[i] one element at a time through the engine's API. */
    ADD_ELEMENT_LOOP_10K("addElementLoop10k", Kind.ELEMENTWISE, Unit.BYTES, 12.0 * 10_000, false),

    // --- softmax over the last axis; input x; result y
    SOFTMAX_256X1000("softmax256x1000", Kind.SOFTMAX, Unit.BYTES, 8.0 * 256 * 1000, true),
    SOFTMAX_4096X1024("softmax4096x1024", Kind.SOFTMAX, Unit.BYTES, 8.0 * 4096 * 1024, false),
    /** Mean softmax-cross-entropy of logits (256, 1000) with class labels, then its backward. Result: dlogits. */
    CROSS_ENTROPY_TRAIN_256X1000("crossEntropyTrain256x1000", Kind.SOFTMAX, Unit.BYTES, 8.0 * 256 * 1000, false),

    // --- conv2d, batch 256; inputs x, w, b (and gy for Train); result y, or (dx, dw, db)
    /** LeNet layer 1: (256, 1, 28, 28) -> (256, 6, 28, 28), 5x5, padding 2. */
    CONV_LENET1("conv2dLeNet1", Kind.CONV, Unit.FLOPS, 2.0 * 256 * 6 * 28 * 28 * 25, false),
    /** LeNet layer 2: (256, 6, 14, 14) -> (256, 16, 10, 10), 5x5. */
    CONV_LENET2("conv2dLeNet2", Kind.CONV, Unit.FLOPS, 2.0 * 256 * 16 * 10 * 10 * 150, false),
    CONV_LENET1_TRAIN("conv2dLeNet1Train", Kind.CONV, Unit.FLOPS, 3 * 2.0 * 256 * 6 * 28 * 28 * 25, false),
    CONV_LENET2_TRAIN("conv2dLeNet2Train", Kind.CONV, Unit.FLOPS, 3 * 2.0 * 256 * 16 * 10 * 10 * 150, false),

    // --- max-pool 2x2 stride 2 of (256, 6, 28, 28); input x (and gy); result y, or dx
    MAXPOOL_256X6X28X28("maxPool256x6x28x28", Kind.POOL, Unit.BYTES, 4.0 * 256 * 6 * (28 * 28 + 14 * 14), false),
    MAXPOOL_TRAIN_256X6X28X28("maxPoolTrain256x6x28x28", Kind.POOL, Unit.BYTES, 2 * 4.0 * 256 * 6 * (28 * 28 + 14 * 14), false),

    // --- batch norm 2d in training mode (batch statistics); inputs x, gamma, beta (and gy); result y, or (dx, dgamma, dbeta)
    BATCHNORM_256X16X10X10("batchNorm256x16x10x10", Kind.NORM, Unit.BYTES, 8.0 * 256 * 16 * 100, true),
    BATCHNORM_64X64X56X56("batchNorm64x64x56x56", Kind.NORM, Unit.BYTES, 8.0 * 64 * 64 * 56 * 56, false),
    BATCHNORM_TRAIN_256X16X10X10("batchNormTrain256x16x10x10", Kind.NORM, Unit.BYTES, 20.0 * 256 * 16 * 100, true),
    BATCHNORM_TRAIN_64X64X56X56("batchNormTrain64x64x56x56", Kind.NORM, Unit.BYTES, 20.0 * 64 * 64 * 56 * 56, false),

    // --- one Adam step (lr 1e-3, betas 0.9/0.999, eps 1e-8, step 1); inputs p, g, m, v; result p
    ADAM_1M("adam1M", Kind.OPTIMIZER, Unit.BYTES, 28.0 * 1_000_000, true),
    ADAM_10M("adam10M", Kind.OPTIMIZER, Unit.BYTES, 28.0 * 10_000_000, false),

    // --- LeNet-5 (sigmoid, average pooling), mean cross-entropy, SGD lr 0.1, no momentum
    /** One training step on a batch of 256: forward, backward, update. Result: the loss, then every updated parameter. */
    LENET_STEP_256("leNetStep256", Kind.MODEL, Unit.STEPS, 1, false),
    /** One epoch of Fashion-MNIST's 60,000 training images in batches of 256 (the last one 96). Result: the last loss. */
    LENET_EPOCH("leNetEpoch", Kind.MODEL, Unit.STEPS, 1, true);

    /** What a workload exercises; the report groups rows by it. */
    public enum Kind { CEILING, MATMUL, ELEMENTWISE, SOFTMAX, CONV, POOL, NORM, OPTIMIZER, MODEL }

    /** How the work per call is counted: flops (GFLOP/s), bytes moved (GB/s), or whole calls (time per call). */
    public enum Unit { FLOPS, BYTES, STEPS }

    public final Kind kind;
    public final Unit unit;
    private final String id;
    private final double workPerCall;
    /**
     * Left out of the quick mode for every engine, to keep it near five minutes: the epoch, and the
     * second size of a family whose other size the quick mode runs (it keeps every size the issue's
     * targets name).
     */
    public final boolean fullOnly;

    Workload(String id, Kind kind, Unit unit, double workPerCall, boolean fullOnly) {
        this.id = id;
        this.kind = kind;
        this.unit = unit;
        this.workPerCall = workPerCall;
        this.fullOnly = fullOnly;
    }

    /** Flops or bytes of one call; 1 for {@link Unit#STEPS}. */
    public double workPerCall() {
        return this == FMA_PEAK ? Ceilings.fmaFlopsPerCall() : workPerCall;
    }

    /** The JMH parameter value and the report's row name, e.g. {@code sgemm1024}. */
    public String id() {
        return id;
    }

    public static Workload byId(String id) {
        for (Workload w : values()) if (w.id().equals(id)) return w;
        throw new IllegalArgumentException("unknown workload '" + id + "'; choose one of "
                + Arrays.stream(values()).map(Workload::id).toList());
    }

    /** The workloads the engines (not the machine) run, in report order. */
    public static List<Workload> engineWorkloads() {
        return Arrays.stream(values()).filter(w -> w.kind != Kind.CEILING).toList();
    }
}
