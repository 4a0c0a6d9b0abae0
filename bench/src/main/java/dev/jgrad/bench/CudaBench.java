package dev.jgrad.bench;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.ConvGeometry;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.cuda.CudaBackend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The hand-written CUDA kernels on a real GPU, each next to its ceiling: cuBLAS SGEMM for the
 * matmuls, a device-to-device copy for the memory-bound kernels, an empty kernel for launch
 * overhead. Every benchmark waits for the GPU (synchronize), so the time is the kernel's plus one
 * launch. {@link GpuReport} turns the scores into GFLOP/s, GB/s and ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CudaBench {
    static final int COPY = 64 << 20, GEMM = 4096, ADAM = 10_000_000, SM_ROWS = 65536, SM_COLS = 1024;
    static final int BN_N = 256, BN_C = 64, BN_HW = 56 * 56;
    static final ConvGeometry LENET1 = new ConvGeometry(256, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2);
    static final ConvGeometry LENET2 = new ConvGeometry(256, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0);

    CudaBackend cuda;
    Buffer copySrc, copyDst, a, b, c, p, g, m, v, smX, smY, bnX, bnY, bnGamma, bnBeta, bnRm, bnRv, bnMean, bnInv;
    Buffer c1x, c1w, c1b, c1y, c2x, c2w, c2b, c2y;

    @Setup(Level.Trial)
    public void setUp() {
        Backend backend = Device.get("cuda").backend();
        cuda = (CudaBackend) backend;
        SplittableRandom r = new SplittableRandom(7);
        copySrc = random(COPY, r);
        copyDst = cuda.allocate(COPY);
        a = random(GEMM * GEMM, r);
        b = random(GEMM * GEMM, r);
        c = cuda.allocate(GEMM * GEMM);
        p = random(ADAM, r);
        g = random(ADAM, r);
        m = random(ADAM, r);
        v = cuda.allocate(ADAM);
        cuda.fill(v, ADAM, 0.25f);
        smX = random(SM_ROWS * SM_COLS, r);
        smY = cuda.allocate(SM_ROWS * SM_COLS);
        int bn = BN_N * BN_C * BN_HW;
        bnX = random(bn, r);
        bnY = cuda.allocate(bn);
        bnGamma = random(BN_C, r);
        bnBeta = random(BN_C, r);
        bnRm = random(BN_C, r);
        bnRv = cuda.allocate(BN_C);
        cuda.fill(bnRv, BN_C, 1f);
        bnMean = cuda.allocate(BN_C);
        bnInv = cuda.allocate(BN_C);
        c1x = random(LENET1.n() * LENET1.cIn() * LENET1.h() * LENET1.w(), r);
        c1w = random(LENET1.cOut() * LENET1.patchSize(), r);
        c1b = random(LENET1.cOut(), r);
        c1y = cuda.allocate(LENET1.n() * LENET1.cOut() * LENET1.outH() * LENET1.outW());
        c2x = random(LENET2.n() * LENET2.cIn() * LENET2.h() * LENET2.w(), r);
        c2w = random(LENET2.cOut() * LENET2.patchSize(), r);
        c2b = random(LENET2.cOut(), r);
        c2y = cuda.allocate(LENET2.n() * LENET2.cOut() * LENET2.outH() * LENET2.outW());
        cuda.synchronize();
    }

    private Buffer random(int n, SplittableRandom r) {
        float[] host = new float[n];
        for (int i = 0; i < n; i++) host[i] = (float) (r.nextDouble() * 2 - 1);
        Buffer buf = cuda.allocate(n);
        cuda.copyIn(host, 0, buf, 0, n);
        return buf;
    }

    /** 1,000 empty launches, then one synchronize: the per-launch cost from Java. */
    @Benchmark
    @OperationsPerInvocation(1000)
    public void emptyLaunch() {
        for (int i = 0; i < 1000; i++) cuda.launchEmpty();
        cuda.synchronize();
    }

    /** 256 MB device-to-device copy: 512 MB moved (the bandwidth ceiling). */
    @Benchmark
    public void copy256MB() {
        cuda.copyDeviceToDevice(copySrc, copyDst, COPY);
        cuda.synchronize();
    }

    /** 4096^3 SGEMM with the warptiled sgemm_v4 (the default): 1.374e11 flops. */
    @Benchmark
    public void sgemm4096HandV4() {
        cuda.matmulWith("v4", a, b, c, 1, GEMM, GEMM, GEMM, false, false);
        cuda.synchronize();
    }

    /** 4096^3 SGEMM with the hand-written sgemm_v3: 1.374e11 flops. */
    @Benchmark
    public void sgemm4096HandV3() {
        cuda.matmulWith("v3", a, b, c, 1, GEMM, GEMM, GEMM, false, false);
        cuda.synchronize();
    }

    /** 4096^3 SGEMM with the shared-memory tiled sgemm_v2. */
    @Benchmark
    public void sgemm4096HandV2() {
        cuda.matmulWith("v2", a, b, c, 1, GEMM, GEMM, GEMM, false, false);
        cuda.synchronize();
    }

    /** 4096^3 SGEMM with cuBLAS (the ceiling); fails with the reason if cuBLAS cannot load. */
    @Benchmark
    public void sgemm4096Cublas() {
        cuda.matmulWith("cublas", a, b, c, 1, GEMM, GEMM, GEMM, false, false);
        cuda.synchronize();
    }

    /** One fused Adam step over 10M parameters: 280 MB moved. */
    @Benchmark
    public void adam10M() {
        cuda.optimizerStep(new OptimizerStep(OptimizerStep.Kind.ADAM, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 10, 1f),
                new Buffer[] {p}, new Buffer[] {g}, new Buffer[] {m}, new Buffer[] {v}, new int[] {ADAM});
        cuda.synchronize();
    }

    /** Softmax over the rows of (65536, 1024): 512 MB moved at minimum. */
    @Benchmark
    public void softmax65536x1024() {
        cuda.softmax(smX, smY, SM_ROWS, SM_COLS, 1, false);
        cuda.synchronize();
    }

    /** Training batch norm forward of (256, 64, 56, 56): 411 MB moved at minimum (read x, write y). */
    @Benchmark
    public void batchNormForward256x64x56x56() {
        cuda.batchNorm(bnX, bnGamma, bnBeta, bnRm, bnRv, bnY, bnMean, bnInv, BN_N, BN_C, BN_HW, 1e-5f, 0.1f, true);
        cuda.synchronize();
    }

    /** LeNet layer 1 forward, batch 256: 1.88e8 flops. */
    @Benchmark
    public void conv2dLeNet1() {
        cuda.conv2d(c1x, c1w, c1b, c1y, LENET1);
        cuda.synchronize();
    }

    /** LeNet layer 2 forward, batch 256: 1.23e8 flops. */
    @Benchmark
    public void conv2dLeNet2() {
        cuda.conv2d(c2x, c2w, c2b, c2y, LENET2);
        cuda.synchronize();
    }
}
