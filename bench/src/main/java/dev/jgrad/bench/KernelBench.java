package dev.jgrad.bench;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.BinaryOp;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.ConvGeometry;
import dev.jgrad.engine.ConvNdGeometry;
import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.engine.ReduceOp;
import dev.jgrad.engine.UnaryOp;
import dev.jgrad.engine.PoolGeometry;
import dev.jgrad.engine.StridedView;
import dev.jgrad.engine.cpu.looped.LoopedBackend;
import dev.jgrad.engine.cpu.vectorized.VectorizedBackend;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The looped reference kernels against the vectorized ones, called at the {@link Backend} level
 * on the same inputs in one run. Scores are operations per second; throughput follows from the
 * work per call written on each benchmark (GFLOP/s = ops/s x flops / 1e9).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class KernelBench {
    @Param({"looped", "vectorized"})
    public String kernels;

    // Sizes are instance fields, not constants: the JIT must not fold them into the kernels' loops
    // (a static final geometry let it unroll the looped pooling and batch-norm kernels, which
    // real callers never get).
    int SMALL = 10_000, LARGE = 1 << 24, MM = 512;
    ConvGeometry CONV = new ConvGeometry(64, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0);
    PoolGeometry POOL = new PoolGeometry(64, 6, 28, 28, 2, 2, 2, 2, 0, 0);
    int SOFTMAX_ROWS = 256, CLASSES = 1000, BN_N = 64, BN_C = 16, BN_HW = 100;
    /** A depthwise 3x3 layer (32 channels, 28x28, padding 1, batch 32) and a 3-D 3x3x3 one (8 -> 16 channels, 8x16x16, batch 4). */
    ConvNdGeometry DEPTHWISE = new ConvNdGeometry(2, 32, 32, 1, 28, 28, 32, 1, 3, 3, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 32);
    ConvNdGeometry CONV3D = new ConvNdGeometry(3, 4, 8, 8, 16, 16, 16, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);

    Backend backend;
    Buffer smallA, smallB, smallOut, largeA, largeB, largeOut;
    Buffer mmA, mmB, mmC;
    Buffer convX, convW, convBias, convOut;
    Buffer poolX, poolOut, poolArg;
    Buffer logits, probs, labels, loss, lse;
    Buffer bnX, bnGamma, bnBeta, bnRunMean, bnRunVar, bnY, bnMean, bnInvStd;
    // For the remaining ops: a 1M-element vector family, a 1024 x 1024 matrix family, and backward buffers.
    int MILLION = 1 << 20, SIDE = 1024;
    Buffer vx, vy, vg, vout, mask, adamM, adamV, matX, matRow, matOut, rowOut, rowIdx;
    Buffer dwX, dwW, dwOut, dwGy, dwGx, dwGw, c3X, c3W, c3Out;
    Buffer convGy, convGx, convGw, convGb, poolGy, poolGx, probsGrad, bnGy, bnGx, bnGGamma, bnGBeta, gLoss;

    @Setup(Level.Trial)
    public void setUp() {
        backend = switch (kernels) {
            case "looped" -> new LoopedBackend();
            case "vectorized" -> new VectorizedBackend();
            default -> throw new IllegalArgumentException("kernels must be looped or vectorized, not " + kernels);
        };
        SplittableRandom random = new SplittableRandom(42);
        smallA = random(SMALL, random);
        smallB = random(SMALL, random);
        smallOut = backend.allocate(SMALL);
        largeA = random(LARGE, random);
        largeB = random(LARGE, random);
        largeOut = backend.allocate(LARGE);
        mmA = random(MM * MM, random);
        mmB = random(MM * MM, random);
        mmC = backend.allocate(MM * MM);
        convX = random(CONV.n() * CONV.cIn() * CONV.h() * CONV.w(), random);
        convW = random(CONV.cOut() * CONV.patchSize(), random);
        convBias = random(CONV.cOut(), random);
        convOut = backend.allocate(CONV.n() * CONV.cOut() * CONV.outH() * CONV.outW());
        poolX = random(POOL.n() * POOL.c() * POOL.h() * POOL.w(), random);
        poolOut = backend.allocate(POOL.n() * POOL.c() * POOL.outH() * POOL.outW());
        poolArg = backend.allocate(POOL.n() * POOL.c() * POOL.outH() * POOL.outW());
        logits = random(SOFTMAX_ROWS * CLASSES, random);
        probs = backend.allocate(SOFTMAX_ROWS * CLASSES);
        float[] classes = new float[SOFTMAX_ROWS];
        for (int i = 0; i < classes.length; i++) classes[i] = random.nextInt(CLASSES);
        labels = backend.allocate(SOFTMAX_ROWS);
        backend.copyIn(classes, 0, labels, 0, SOFTMAX_ROWS);
        loss = backend.allocate(1);
        lse = backend.allocate(SOFTMAX_ROWS);
        int bn = BN_N * BN_C * BN_HW;
        bnX = random(bn, random);
        bnGamma = random(BN_C, random);
        bnBeta = random(BN_C, random);
        bnRunMean = random(BN_C, random);
        bnRunVar = backend.allocate(BN_C);
        backend.fill(bnRunVar, BN_C, 1f);
        bnY = backend.allocate(bn);
        bnMean = backend.allocate(BN_C);
        bnInvStd = backend.allocate(BN_C);
        vx = random(MILLION, random);
        vy = random(MILLION, random);
        vg = random(MILLION, random);
        vout = backend.allocate(MILLION);
        mask = backend.allocate(MILLION);
        adamM = random(MILLION, random);
        adamV = backend.allocate(MILLION);
        backend.fill(adamV, MILLION, 0.5f);
        matX = random(SIDE * SIDE, random);
        matRow = random(SIDE, random);
        matOut = backend.allocate(SIDE * SIDE);
        rowOut = backend.allocate(SIDE);
        rowIdx = backend.allocate(SIDE);
        backend.reduce(ReduceOp.ARGMAX, matX, rowIdx, SIDE, SIDE, 1);
        dwX = random((int) DEPTHWISE.inputElements(), random);
        dwW = random((int) DEPTHWISE.weightElements(), random);
        dwOut = backend.allocate((int) DEPTHWISE.outputElements());
        dwGy = random((int) DEPTHWISE.outputElements(), random);
        dwGx = backend.allocate((int) DEPTHWISE.inputElements());
        dwGw = backend.allocate((int) DEPTHWISE.weightElements());
        c3X = random((int) CONV3D.inputElements(), random);
        c3W = random((int) CONV3D.weightElements(), random);
        c3Out = backend.allocate((int) CONV3D.outputElements());
        convGy = random(CONV.n() * CONV.cOut() * CONV.outH() * CONV.outW(), random);
        convGx = backend.allocate(CONV.n() * CONV.cIn() * CONV.h() * CONV.w());
        convGw = backend.allocate(CONV.cOut() * CONV.patchSize());
        convGb = backend.allocate(CONV.cOut());
        poolGy = random(POOL.n() * POOL.c() * POOL.outH() * POOL.outW(), random);
        poolGx = backend.allocate(POOL.n() * POOL.c() * POOL.h() * POOL.w());
        backend.maxPool2d(poolX, poolOut, poolArg, POOL);
        probsGrad = backend.allocate(SOFTMAX_ROWS * CLASSES);
        backend.softmax(logits, probs, SOFTMAX_ROWS, CLASSES, 1, false);
        backend.crossEntropy(logits, labels, loss, lse, SOFTMAX_ROWS, CLASSES);
        gLoss = backend.allocate(1);
        backend.fill(gLoss, 1, 1f);
        bnGy = random(bn, random);
        bnGx = backend.allocate(bn);
        bnGGamma = backend.allocate(BN_C);
        bnGBeta = backend.allocate(BN_C);
        backend.batchNorm(bnX, bnGamma, bnBeta, bnRunMean, bnRunVar, bnY, bnMean, bnInvStd,
                BN_N, BN_C, BN_HW, 1e-5f, 0.1f, true);
    }

    private Buffer random(int n, SplittableRandom random) {
        float[] host = new float[n];
        for (int i = 0; i < n; i++) host[i] = (float) (random.nextDouble() * 2 - 1);
        Buffer b = backend.allocate(n);
        backend.copyIn(host, 0, b, 0, n);
        return b;
    }

    private void add(Buffer a, Buffer b, Buffer out, int n) {
        int[] shape = {n};
        backend.binary(BinaryOp.ADD, StridedView.contiguous(a, shape), StridedView.contiguous(b, shape), out, shape);
    }

    /** 10,000 floats: 120 KB moved per call. */
    @Benchmark
    public Buffer add10k() {
        add(smallA, smallB, smallOut, SMALL);
        return smallOut;
    }

    /** 16M floats: 201 MB moved per call. */
    @Benchmark
    public Buffer add16M() {
        add(largeA, largeB, largeOut, LARGE);
        return largeOut;
    }

    /** 512 x 512 x 512: 2.684e8 flops per call, so GFLOP/s = ops/s x 0.2684. */
    @Benchmark
    public Buffer matmul512() {
        backend.matmul(mmA, mmB, mmC, 1, MM, MM, MM, false, false, 0, 0);
        return mmC;
    }

    /** LeNet layer 2, (64, 6, 14, 14) -> (64, 16, 10, 10), 5x5: 3.072e7 flops per call. */
    @Benchmark
    public Buffer conv2dLeNet2() {
        backend.conv2d(convX, convW, convBias, convOut, CONV);
        return convOut;
    }

    /** Max-pooling 2x2 stride 2 of (64, 6, 28, 28). */
    @Benchmark
    public Buffer maxPool2x2() {
        backend.maxPool2d(poolX, poolOut, poolArg, POOL);
        return poolOut;
    }

    /** Softmax over the last axis of (256, 1000). */
    @Benchmark
    public Buffer softmax256x1000() {
        backend.softmax(logits, probs, SOFTMAX_ROWS, CLASSES, 1, false);
        return probs;
    }

    /** Mean cross-entropy of (256, 1000) logits. */
    @Benchmark
    public Buffer crossEntropy256x1000() {
        backend.crossEntropy(logits, labels, loss, lse, SOFTMAX_ROWS, CLASSES);
        return loss;
    }

    /** Training batch norm of (64, 16, 10, 10). */
    @Benchmark
    public Buffer batchNormForward() {
        backend.batchNorm(bnX, bnGamma, bnBeta, bnRunMean, bnRunVar, bnY, bnMean, bnInvStd,
                BN_N, BN_C, BN_HW, 1e-5f, 0.1f, true);
        return bnY;
    }

    /** exp of 1M floats. */
    @Benchmark
    public Buffer unaryExp1M() {
        backend.unary(UnaryOp.EXP, vx, vout, MILLION, 0f, 0f);
        return vout;
    }

    /** tanh backward of 1M floats: gx = gy (1 - y^2). */
    @Benchmark
    public Buffer unaryBackwardTanh1M() {
        backend.unaryBackward(UnaryOp.TANH, vx, vy, vg, vout, MILLION, 0f, 0f);
        return vout;
    }

    /** (1024, 1024) + (1024,): a bias row broadcast through a zero stride. */
    @Benchmark
    public Buffer addBroadcastRow() {
        int[] shape = {SIDE, SIDE};
        backend.binary(BinaryOp.ADD, StridedView.contiguous(matX, shape), new StridedView(matRow, 0, new int[] {0, 1}),
                matOut, shape);
        return matOut;
    }

    /** where(x > 0 ... ) over 1M floats with all three operands contiguous. */
    @Benchmark
    public Buffer where1M() {
        int[] shape = {MILLION};
        backend.where(StridedView.contiguous(vx, shape), StridedView.contiguous(vy, shape),
                StridedView.contiguous(vg, shape), vout, shape);
        return vout;
    }

    /** A (1024, 1024) transpose made contiguous. */
    @Benchmark
    public Buffer copyTranspose1024() {
        backend.copyStrided(new StridedView(matX, 0, new int[] {1, SIDE}), StridedView.contiguous(matOut, new int[] {SIDE, SIDE}),
                new int[] {SIDE, SIDE});
        return matOut;
    }

    /** Sum of each row of (1024, 1024). */
    @Benchmark
    public Buffer sumRows1024() {
        backend.reduce(ReduceOp.SUM, matX, rowOut, SIDE, SIDE, 1);
        return rowOut;
    }

    /** Sum of each column of (1024, 1024) (the bias-gradient shape). */
    @Benchmark
    public Buffer sumColumns1024() {
        backend.reduce(ReduceOp.SUM, matX, rowOut, 1, SIDE, SIDE);
        return rowOut;
    }

    /** Argmax of each row of (1024, 1024). */
    @Benchmark
    public Buffer argmaxRows1024() {
        backend.reduce(ReduceOp.ARGMAX, matX, rowOut, SIDE, SIDE, 1);
        return rowOut;
    }

    /** Unbiased variance of each row of (1024, 1024). */
    @Benchmark
    public Buffer varianceRows1024() {
        backend.variance(matX, rowOut, SIDE, SIDE, 1, 1);
        return rowOut;
    }

    /** The backward of a row max: scatter (1024,) back into (1024, 1024). */
    @Benchmark
    public Buffer scatterRows1024() {
        backend.scatterMiddle(rowIdx, matRow, matOut, SIDE, SIDE, 1);
        return matOut;
    }

    /** Depthwise 3x3 forward through convNd: 1.45e7 flops. */
    @Benchmark
    public Buffer convNdDepthwise() {
        backend.convNd(dwX, dwW, null, dwOut, DEPTHWISE);
        return dwOut;
    }

    /** Depthwise 3x3 input and weight gradients: 2.9e7 flops. */
    @Benchmark
    public Buffer convNdDepthwiseBackward() {
        backend.convNdBackwardInput(dwGy, dwW, dwGx, DEPTHWISE);
        backend.convNdBackwardWeight(dwX, dwGy, dwGw, null, DEPTHWISE);
        return dwGw;
    }

    /** 3-D 3x3x3 forward, 8 -> 16 channels on 8x16x16, batch 4: 5.66e7 flops. */
    @Benchmark
    public Buffer convNd3d() {
        backend.convNd(c3X, c3W, null, c3Out, CONV3D);
        return c3Out;
    }

    /** 512^3 with both operands stored transposed (the backward's layouts). */
    @Benchmark
    public Buffer matmul512Transposed() {
        backend.matmul(mmA, mmB, mmC, 1, MM, MM, MM, true, true, 0, 0);
        return mmC;
    }

    /** Input gradient of LeNet layer 2 (col2im): 3.072e7 flops. */
    @Benchmark
    public Buffer conv2dBackwardInputLeNet2() {
        backend.conv2dBackwardInput(convGy, convW, convGx, CONV);
        return convGx;
    }

    /** Weight and bias gradients of LeNet layer 2: 3.072e7 flops. */
    @Benchmark
    public Buffer conv2dBackwardWeightLeNet2() {
        backend.conv2dBackwardWeight(convX, convGy, convGw, convGb, CONV);
        return convGw;
    }

    /** Backward of max-pooling 2x2 of (64, 6, 28, 28). */
    @Benchmark
    public Buffer maxPool2x2Backward() {
        backend.maxPool2dBackward(poolGy, poolArg, poolGx, POOL);
        return poolGx;
    }

    /** Average-pooling 2x2 of (64, 6, 28, 28). */
    @Benchmark
    public Buffer avgPool2x2() {
        backend.avgPool2d(poolX, poolOut, POOL);
        return poolOut;
    }

    /** Backward of average-pooling 2x2 of (64, 6, 28, 28). */
    @Benchmark
    public Buffer avgPool2x2Backward() {
        backend.avgPool2dBackward(poolGy, poolGx, POOL);
        return poolGx;
    }

    /** Softmax backward over (256, 1000). */
    @Benchmark
    public Buffer softmaxBackward256x1000() {
        backend.softmaxBackward(probs, logits, probsGrad, SOFTMAX_ROWS, CLASSES, 1, false);
        return probsGrad;
    }

    /** Cross-entropy backward over (256, 1000). */
    @Benchmark
    public Buffer crossEntropyBackward256x1000() {
        backend.crossEntropyBackward(logits, labels, lse, gLoss, probsGrad, SOFTMAX_ROWS, CLASSES);
        return probsGrad;
    }

    /** Training batch-norm backward of (64, 16, 10, 10). */
    @Benchmark
    public Buffer batchNormBackward() {
        backend.batchNormBackward(bnX, bnGy, bnGamma, bnMean, bnInvStd, bnGx, bnGGamma, bnGBeta, BN_N, BN_C, BN_HW, true);
        return bnGx;
    }

    /** Dropout p = 0.5 over 1M floats (Philox mask). */
    @Benchmark
    public Buffer dropout1M() {
        backend.dropout(vx, vout, mask, MILLION, 0.5f, 1234L);
        return vout;
    }

    /** One Adam step over 1M parameters: 28 MB moved. */
    @Benchmark
    public Buffer adamStep1M() {
        backend.optimizerStep(new OptimizerStep(OptimizerStep.Kind.ADAM, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 10, 1f),
                new Buffer[] {vy}, new Buffer[] {vg}, new Buffer[] {adamM}, new Buffer[] {adamV}, new int[] {MILLION});
        return vy;
    }
}
