package dev.jgrad.cuda;

import dev.jgrad.engine.AbstractBackend;
import dev.jgrad.engine.BinaryOp;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.ConvGeometry;
import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.engine.PoolGeometry;
import dev.jgrad.engine.ReduceOp;
import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.StridedView;
import dev.jgrad.engine.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuInit;

/**
 * The CUDA backend: every {@link dev.jgrad.engine.Backend} method is one or a few launches of the hand-written
 * kernels in native-kernels (see each .cu file's header), on one stream of one GPU. Matmul uses
 * {@code sgemm_v4} by default; {@code -Djgrad.cuda.matmul=v1|v2|v3|v4|cublas} picks another version
 * or the cuBLAS baseline.
 *
 * <p>It reaches the GPU only through a {@link CudaDriver}: the real driver (JCuda), or, in tests,
 * the CUDA emulation ({@code -Djgrad.cuda.emulate=true}), under which it is named
 * {@code cuda (emulated)}. Launch shapes respect the hardware's limits (gridDim.y and gridDim.z at
 * most 65535): the kernels loop over those dimensions and the host caps them.
 */
public final class CudaBackend extends AbstractBackend {
    private static final int THREADS = 256;
    /** The hardware's limit on gridDim.y and gridDim.z. */
    static final int MAX_GRID_YZ = 65535;
    private final CudaRuntime rt;
    private final CudaDriver driver;
    private final DeviceAllocator allocator;
    private final String name;
    private final String matmul = System.getProperty("jgrad.cuda.matmul", "v4");
    /**
     * Forward convolution for stride 1: {@code implicit} (default, conv.cu's conv2d_implicit, no
     * column buffer) or {@code im2col} (im2col + GEMM, which every other stride and the backward
     * passes always use). {@code -Djgrad.cuda.conv}, read once here.
     */
    private final boolean implicitConv;
    private final int smCount;

    CudaBackend(CudaDriver driver) {
        this.driver = driver;
        rt = new CudaRuntime(driver);
        allocator = new DeviceAllocator(driver);
        name = driver.backendName();
        smCount = driver.multiprocessors();
        String conv = System.getProperty("jgrad.cuda.conv", "implicit");
        if (!conv.equals("implicit") && !conv.equals("im2col"))
            throw new IllegalArgumentException("-Djgrad.cuda.conv=" + conv + " is not one of implicit, im2col");
        implicitConv = conv.equals("implicit");
    }

    /** Number of CUDA devices (loads JCuda's driver library and calls cuInit). */
    static int deviceCount() {
        CudaException.check(cuInit(0), "cuInit");
        int[] count = new int[1];
        CudaException.check(cuDeviceGetCount(count), "cuDeviceGetCount");
        return count[0];
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        if (driver.emulated()) return name + " (" + driver.deviceName() + ")";
        return "cuda (" + driver.deviceName() + ", sm_" + driver.computeMajor() + driver.computeMinor() + ", driver "
                + driver.driverVersion() + ")";
    }

    /** A one-line description of the GPU, the driver and the cuBLAS baseline's status. */
    public String describe() {
        String cb = driver.blas().unavailableReason();
        return toString() + ", " + smCount + " SMs; cuBLAS baseline: " + (cb == null ? driver.blas().binding() : cb);
    }

    /** True when this backend runs on the CUDA emulation, not on a GPU. */
    public boolean emulated() {
        return driver.emulated();
    }

    /** How many times the stream was synchronized since this backend started (a test of hidden stalls). */
    public long streamSynchronizations() {
        return rt.synchronizations();
    }

    /** Device bytes handed out and not yet freed (rounded to the allocator's block sizes). */
    @Override
    public long bytesInUse() {
        return allocator.inUseBytes();
    }

    /** Device bytes held from the driver, cached blocks included. */
    public long bytesReserved() {
        return allocator.reservedBytes();
    }

    /** Blocks until every queued kernel has finished. */
    public void synchronize() {
        rt.synchronize("synchronize()");
    }

    // ---------------------------------------------------------------- for benchmarks

    /** Launches the empty kernel (one block of one thread): the cost of a launch from Java. */
    public void launchEmpty() {
        rt.makeCurrent();
        rt.launch("elementwise", "empty", new int[] {1, 1, 1}, new int[] {1, 1, 1});
    }

    /** cuMemcpyDtoDAsync of {@code n} floats: the device's copy bandwidth, the ceiling for memory-bound kernels. */
    public void copyDeviceToDevice(Buffer src, Buffer dst, int n) {
        requireElements("copyDeviceToDevice", "src", src, n);
        requireElements("copyDeviceToDevice", "dst", dst, n);
        rt.makeCurrent();
        driver.copyDtoDAsync(d(dst).address, d(src).address, (long) n * Float.BYTES);
    }

    /** {@link #matmul} with a named version ({@code v1}, {@code v2}, {@code v3}, {@code v4} or {@code cublas}). */
    public void matmulWith(String version, Buffer a, Buffer b, Buffer c, int batch, int m, int n, int k,
                           boolean transA, boolean transB) {
        checkMatmul("matmulWith " + version, a, b, c, batch, m, n, k, 0, 0);
        gemmVersion(version, d(a), d(b), d(c), batch, m, n, k, transA, transB, 0, 0, MAX_GRID_YZ);
    }

    /** {@link #matmulWith} with batch strides of A and B in elements (0 broadcasts one matrix). */
    public void matmulWith(String version, Buffer a, Buffer b, Buffer c, int batch, int m, int n, int k,
                           boolean transA, boolean transB, long aBatchStride, long bBatchStride) {
        checkMatmul("matmulWith " + version, a, b, c, batch, m, n, k, aBatchStride, bBatchStride);
        gemmVersion(version, d(a), d(b), d(c), batch, m, n, k, transA, transB, aBatchStride, bBatchStride, MAX_GRID_YZ);
    }

    /**
     * {@link #matmulWith} with gridDim.y and gridDim.z capped at {@code gridLimitYZ} (at most the
     * hardware's 65,535) instead: a kernel author's way to run the kernels' loops over row tiles and
     * batch entries on small problems, where crossing the real limit would take 65,536 blocks.
     */
    public void matmulWith(String version, Buffer a, Buffer b, Buffer c, int batch, int m, int n, int k,
                           boolean transA, boolean transB, long aBatchStride, long bBatchStride, int gridLimitYZ) {
        if (gridLimitYZ < 1 || gridLimitYZ > MAX_GRID_YZ)
            throw new IllegalArgumentException("matmulWith: gridLimitYZ " + gridLimitYZ + " is not in [1, " + MAX_GRID_YZ + "]");
        checkMatmul("matmulWith " + version, a, b, c, batch, m, n, k, aBatchStride, bBatchStride);
        gemmVersion(version, d(a), d(b), d(c), batch, m, n, k, transA, transB, aBatchStride, bBatchStride, gridLimitYZ);
    }

    /** How the cuBLAS baseline is reached: JCublas2, FFM and the library, or the emulation's Java loop. */
    public String cublasBinding() {
        return driver.blas().unavailableReason() == null ? driver.blas().binding() : "none";
    }

    /** Null when the cuBLAS baseline loaded, otherwise why it did not. */
    public String cublasUnavailableReason() {
        return driver.blas().unavailableReason();
    }

    /** The device memory behind a buffer of this backend (the boundary checks have made sure it is one). */
    /** The driver this backend launches through (NcclCollective queues its work on the driver's stream). */
    CudaDriver driver() {
        return driver;
    }

    private static CudaBuffer d(Buffer b) {
        return (CudaBuffer) b;
    }

    @Override
    protected boolean owns(Buffer buffer) {
        return buffer instanceof CudaBuffer c && c.allocator == allocator && !c.freed.get();
    }

    private int[] grid1(long n) {
        long blocks = Math.max(1, Math.min((n + THREADS - 1) / THREADS, (long) smCount * 32));
        return new int[] {(int) blocks, 1, 1};
    }

    private void launch1(String module, String name, long n, Object... args) {
        if (n == 0) return;
        rt.launch(module, name, grid1(n), new int[] {THREADS, 1, 1}, args);
    }

    /** One block of {@code threads} per row (grid.x allows 2^31 - 1 rows). */
    private void launchRows(String module, String name, int rows, int threads, Object... args) {
        if (rows == 0) return;
        rt.launch(module, name, new int[] {rows, 1, 1}, new int[] {threads, 1, 1}, args);
    }

    /** The longest row that a warp-per-row kernel ({@code *_wK}) holds in its registers: 32 lanes of 32. */
    static final int WARP_ROW_MAX = 1024;

    /** The size class of a row of {@code r <= 1024}: elements per lane K in {1, 2, 4, 8, 16, 32}, r <= 32 K. */
    static int elementsPerLane(int r) {
        int k = 1;
        while (32 * k < r) k *= 2;
        return k;
    }

    /** Rows (warps) per block of a warp-per-row kernel of class {@code k}: 8 for short rows, 4 from K = 8 on. */
    static int warpRowsPerBlock(int k) {
        return k >= 8 ? 4 : 8;
    }

    /**
     * A warp per row, {@link #warpRowsPerBlock} rows per block: kernel {@code name + "_w" + K} with
     * grid.x = ceil(rows / rowsPerBlock) (at most 2^31 - 1 for any int rows) and whole warps.
     */
    private void launchWarpRows(String module, String name, int rows, int r, Object... args) {
        if (rows == 0) return;
        int k = elementsPerLane(r), perBlock = warpRowsPerBlock(k);
        int blocks = (int) (((long) rows + perBlock - 1) / perBlock);
        rt.launch(module, name + "_w" + k, new int[] {blocks, 1, 1}, new int[] {32 * perBlock, 1, 1}, args);
    }

    /** Threads for a row of {@code r}: whole warps, at most {@link #THREADS}, no idle warps on short rows. */
    private static int rowThreads(int r) {
        return (int) Math.min(THREADS, Math.max(32, ((long) r + 31) / 32 * 32));
    }

    /** The kernels' Strided struct: rank, then shape and up to three operands' strides, 8 each. */
    private static int[] strided(int[] shape, int[]... strides) {
        if (shape.length > 8)
            throw new IllegalArgumentException("cuda: tensors of rank " + shape.length + " > 8 are not supported by strided kernels");
        int[] s = new int[1 + 4 * 8];
        s[0] = shape.length;
        System.arraycopy(shape, 0, s, 1, shape.length);
        for (int k = 0; k < strides.length; k++) System.arraycopy(strides[k], 0, s, 9 + 8 * k, shape.length);
        return s;
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    // ---------------------------------------------------------------- memory

    @Override
    protected Buffer doAllocate(int numel) {
        return allocator.allocate(numel);
    }

    @Override
    protected void doCopyIn(float[] src, int srcOffset, Buffer dst, int dstOffset, int n) {
        if (n == 0) return;
        rt.copyIn(src, srcOffset, d(dst).at(dstOffset), n);
    }

    @Override
    protected void doCopyOut(Buffer src, int srcOffset, float[] dst, int dstOffset, int n) {
        rt.copyOut(d(src).at(srcOffset), dst, dstOffset, n);
    }

    @Override
    protected void doFree(Buffer buffer) {
        allocator.free(d(buffer));
    }

    // ---------------------------------------------------------------- layout, elementwise

    @Override
    protected void doFill(Buffer out, int n, float value) {
        launch1("elementwise", "fill", n, d(out), (long) n, value);
    }

    @Override
    protected void doCopyStrided(StridedView src, StridedView dst, int[] shape) {
        long n = numel(shape);
        launch1("elementwise", "copy_strided", n, d(src.buffer()), (long) src.offset(), d(dst.buffer()),
                (long) dst.offset(), n, strided(shape, src.strides(), dst.strides()));
    }

    @Override
    protected void doUnary(UnaryOp op, Buffer x, Buffer out, int n, float a, float b) {
        launch1("elementwise", "unary_fwd", n, op.ordinal(), d(x), d(out), (long) n, a, b);
    }

    @Override
    protected void doUnaryBackward(UnaryOp op, Buffer x, Buffer y, Buffer gy, Buffer gx, int n, float a, float b) {
        launch1("elementwise", "unary_bwd", n, op.ordinal(), d(x), d(y), d(gy), d(gx), (long) n, a, b);
    }

    private static boolean dense(StridedView v, int[] shape) {
        return v.offset() == 0 && Arrays.equals(v.strides(), dev.jgrad.engine.Shapes.contiguousStrides(shape));
    }

    @Override
    protected void doBinary(BinaryOp op, StridedView a, StridedView b, Buffer out, int[] shape) {
        long n = numel(shape);
        if (dense(a, shape) && dense(b, shape))
            launch1("elementwise", "binary_contig", n, op.ordinal(), d(a.buffer()), d(b.buffer()), d(out), n);
        else
            launch1("elementwise", "binary_strided", n, op.ordinal(), d(a.buffer()), (long) a.offset(), d(b.buffer()),
                    (long) b.offset(), d(out), n, strided(shape, a.strides(), b.strides()));
    }

    @Override
    protected void doWhere(StridedView cond, StridedView a, StridedView b, Buffer out, int[] shape) {
        long n = numel(shape);
        launch1("elementwise", "where_strided", n, d(cond.buffer()), (long) cond.offset(), d(a.buffer()),
                (long) a.offset(), d(b.buffer()), (long) b.offset(), d(out), n,
                strided(shape, cond.strides(), a.strides(), b.strides()));
    }

    @Override
    protected void doDropout(Buffer x, Buffer y, Buffer mask, int n, float p, long seed) {
        launch1("elementwise", "dropout_fwd", n, d(x), d(y), d(mask), (long) n, p, seed);
    }

    // ---------------------------------------------------------------- reductions

    @Override
    protected void doReduce(ReduceOp op, Buffer x, Buffer out, int outer, int r, int inner) {
        if (inner == 1) launchRows("reduce", "reduce_rows", outer, rowThreads(r), op.ordinal(), d(x), d(out), outer, r);
        else launch1("reduce", "reduce_cols", (long) outer * inner, op.ordinal(), d(x), d(out), outer, r, inner);
    }

    @Override
    protected void doVariance(Buffer x, Buffer out, int outer, int r, int inner, int correction) {
        if (inner == 1) launchRows("reduce", "variance_rows", outer, rowThreads(r), d(x), d(out), outer, r, correction);
        else launch1("reduce", "variance_cols", (long) outer * inner, d(x), d(out), outer, r, inner, correction);
    }

    @Override
    protected void doScatterMiddle(Buffer index, Buffer g, Buffer gx, int outer, int r, int inner) {
        launch1("reduce", "scatter_mid", (long) outer * r * inner, d(index), d(g), d(gx), outer, r, inner);
    }

    // ---------------------------------------------------------------- matmul, conv

    @Override
    protected void doMatmul(Buffer a, Buffer b, Buffer c, int batch, int m, int n, int k,
                       boolean transA, boolean transB, int aBatchStride, int bBatchStride) {
        gemm(d(a), d(b), d(c), batch, m, n, k, transA, transB, aBatchStride, bBatchStride);
    }

    private void gemm(CudaBuffer a, CudaBuffer b, CudaBuffer c, int batch, int m, int n, int k,
                      boolean transA, boolean transB, long aBatchStride, long bBatchStride) {
        if ((long) m * n == 0 || batch == 0) return;
        if (k == 0) {
            long total = (long) batch * m * n;
            launch1("elementwise", "fill", total, c, total, 0f);
            return;
        }
        boolean tiled = matmul.equals("v3") || matmul.equals("v4");
        if (tiled && (long) m * n <= 256) {
            tinyGemm(a, b, c, batch, m, n, k, transA, transB, aBatchStride, bBatchStride);
            return;
        }
        String version = tiled && (long) m * n < 64 * 64 ? "v2" : matmul;
        gemmVersion(version, a, b, c, batch, m, n, k, transA, transB, aBatchStride, bBatchStride, MAX_GRID_YZ);
    }

    /**
     * Products of at most 256 outputs (a conv layer's per-image GEMM on a tiny image, a batch of
     * 2x2 matrices): sgemm_v1 with its block fitted to the output instead of a 32x32 tile, so that
     * a batch of 65,537 2x3 products launches 4-thread blocks rather than 1,024-thread ones.
     */
    private void tinyGemm(CudaBuffer a, CudaBuffer b, CudaBuffer c, int batch, int m, int n, int k,
                          boolean transA, boolean transB, long aBatchStride, long bBatchStride) {
        int bx = Integer.highestOneBit(Math.max(1, n - 1)) << (n > 1 ? 1 : 0), by = Math.max(1, 256 / Math.max(bx, 1));
        bx = Math.min(bx, 256);
        by = Math.min(by, Integer.highestOneBit(Math.max(1, m - 1)) << (m > 1 ? 1 : 0));
        rt.launch("matmul", "sgemm_v1", new int[] {(n + bx - 1) / bx, Math.min((m + by - 1) / by, MAX_GRID_YZ),
                Math.min(batch, MAX_GRID_YZ)}, new int[] {bx, by, 1}, a, b, c, m, n, k, transA ? 1 : 0, transB ? 1 : 0,
                aBatchStride, bBatchStride, batch);
    }

    private void gemmVersion(String version, CudaBuffer a, CudaBuffer b, CudaBuffer c, int batch, int m, int n, int k,
                             boolean transA, boolean transB, long aBatchStride, long bBatchStride, int limit) {
        int ta = transA ? 1 : 0, tb = transB ? 1 : 0;
        // gridDim.y (row tiles) and gridDim.z (batch) stop at 65535 (or a lower test limit); the kernels loop past them.
        int z = Math.min(batch, limit);
        switch (version) {
            case "cublas" -> cublasGemm(a, b, c, batch, m, n, k, transA, transB, aBatchStride, bBatchStride);
            case "v1" -> rt.launch("matmul", "sgemm_v1", new int[] {(n + 15) / 16, Math.min((m + 15) / 16, limit), z},
                    new int[] {16, 16, 1}, a, b, c, m, n, k, ta, tb, aBatchStride, bBatchStride, batch);
            case "v2" -> rt.launch("matmul", "sgemm_v2", new int[] {(n + 31) / 32, Math.min((m + 31) / 32, limit), z},
                    new int[] {32, 32, 1}, a, b, c, m, n, k, ta, tb, aBatchStride, bBatchStride, batch);
            case "v3" -> rt.launch("matmul", "sgemm_v3", new int[] {(n + 127) / 128, Math.min((m + 127) / 128, limit), z},
                    new int[] {256, 1, 1}, a, b, c, m, n, k, ta, tb, aBatchStride, bBatchStride, batch);
            // One kernel per transposition (no trans flags): sgemm_v4_nn, _nt, _tn, _tt.
            case "v4" -> rt.launch("matmul", "sgemm_v4_" + (transA ? "t" : "n") + (transB ? "t" : "n"),
                    new int[] {(n + 127) / 128, Math.min((m + 127) / 128, limit), z},
                    new int[] {256, 1, 1}, a, b, c, m, n, k, aBatchStride, bBatchStride, batch);
            default -> throw new IllegalArgumentException("-Djgrad.cuda.matmul=" + matmul + " is not one of v1, v2, v3, v4, cublas");
        }
    }

    /**
     * Row-major {@code C = op(A) op(B)}, batched, through cuBLAS as the column-major product
     * {@code C^T = op(B)^T op(A)^T}, which is the same memory. Strides stay 64-bit.
     */
    private void cublasGemm(CudaBuffer a, CudaBuffer b, CudaBuffer c, int batch, int m, int n, int k,
                            boolean transA, boolean transB, long aBatchStride, long bBatchStride) {
        rt.makeCurrent();
        int lda = transA ? m : k, ldb = transB ? k : n;
        driver.blas().sgemmStridedBatched(transB, transA, n, m, k, 1f, b.address, ldb, bBatchStride, a.address, lda,
                aBatchStride, 0f, c.address, n, (long) m * n, batch);
    }

    private static int[] conv(ConvGeometry g) {
        return new int[] {g.n(), g.cIn(), g.h(), g.w(), g.cOut(), g.kh(), g.kw(), g.strideH(), g.strideW(),
                g.padH(), g.padW(), g.outH(), g.outW()};
    }

    /**
     * im2col's and col2im's {@code wide} flag: 1 when an index over {@code elements}, plus the grid
     * stride {@link #launch1} gives it, would not fit in an int (the kernels then index in 64 bits).
     */
    private int wide(long... elements) {
        // -Djgrad.cuda.conv.wide=true takes the 64-bit path for any size (read per call: tests switch it)
        if (Boolean.getBoolean("jgrad.cuda.conv.wide")) return 1;
        for (long e : elements) {
            long stride = (long) grid1(e)[0] * THREADS;
            if (e + stride > Integer.MAX_VALUE) return 1;
        }
        return 0;
    }

    /** conv2d_implicit indexes within one image in 32 bits (plus a 64-bit per-image base). */
    private static boolean fitsImplicit(ConvGeometry g) {
        long spatial = (long) g.outH() * g.outW(), limit = Integer.MAX_VALUE - 64L;
        return (long) g.cIn() * g.h() * g.w() <= limit && g.cOut() * spatial <= limit
                && (long) g.cOut() * g.patchSize() <= limit && spatial + 64 <= limit;
    }

    @Override
    protected void doConv2d(Buffer x, Buffer weight, Buffer bias, Buffer out, ConvGeometry g) {
        int spatial = g.outH() * g.outW(), patch = g.patchSize();
        // Per-image outputs of at most 256 (65,537 3x3 images) would leave the implicit kernel's
        // 64x64 tiles nearly empty: im2col + the fitted tiny GEMM serve them better.
        if (implicitConv && g.strideH() == 1 && g.strideW() == 1 && (long) g.cOut() * spatial > 256 && fitsImplicit(g)) {
            if ((long) g.n() * g.cOut() * spatial == 0) return;
            if (patch == 0) {
                long total = (long) g.n() * g.cOut() * spatial;
                launch1("elementwise", "fill", total, d(out), total, 0f);
            } else {
                // blockIdx.x: 64-wide spatial tiles; y: 64-channel tiles and z: images, both capped and looped over
                rt.launch("conv", "conv2d_implicit", new int[] {(spatial + 63) / 64,
                        Math.min((g.cOut() + 63) / 64, MAX_GRID_YZ), Math.min(g.n(), MAX_GRID_YZ)},
                        new int[] {256, 1, 1}, d(x), d(weight), d(out), conv(g));
            }
            if (bias != null) {
                long total = (long) g.n() * g.cOut() * spatial;
                launch1("conv", "bias_add", total, d(out), d(bias), total, g.cOut(), spatial);
            }
            return;
        }
        g.requireColumnsFit("conv2d on " + name(), g.n());
        CudaBuffer col = allocator.allocate((int) g.columnElements(g.n()));
        try {
            long cols = (long) g.n() * patch * spatial;
            launch1("conv", "im2col", cols, d(x), col, conv(g), wide(cols, (long) g.n() * g.cIn() * g.h() * g.w()));
            // out[img] (cOut, spatial) = W (cOut, patch) @ col[img] (patch, spatial)
            gemm(d(weight), col, d(out), g.n(), g.cOut(), spatial, patch, false, false, 0, (long) patch * spatial);
            if (bias != null) {
                long total = (long) g.n() * g.cOut() * spatial;
                launch1("conv", "bias_add", total, d(out), d(bias), total, g.cOut(), spatial);
            }
        } finally {
            allocator.free(col);
        }
    }

    @Override
    protected void doConv2dBackwardInput(Buffer gy, Buffer weight, Buffer gx, ConvGeometry g) {
        int spatial = g.outH() * g.outW(), patch = g.patchSize();
        g.requireColumnsFit("conv2d backward (input) on " + name(), g.n());
        CudaBuffer col = allocator.allocate((int) g.columnElements(g.n()));
        try {
            // col[img] (patch, spatial) = W^T (patch, cOut) @ gy[img] (cOut, spatial)
            gemm(d(weight), d(gy), col, g.n(), patch, spatial, g.cOut(), true, false, 0, (long) g.cOut() * spatial);
            long pixels = (long) g.n() * g.cIn() * g.h() * g.w();
            launch1("conv", "col2im", pixels, col, d(gx), conv(g), wide(pixels, (long) g.n() * patch * spatial));
        } finally {
            allocator.free(col);
        }
    }

    @Override
    protected void doConv2dBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, ConvGeometry g) {
        int spatial = g.outH() * g.outW(), patch = g.patchSize();
        g.requireColumnsFit("conv2d backward (weight) on " + name(), g.n());
        CudaBuffer col = allocator.allocate((int) g.columnElements(g.n()));
        long perImageFloats = (long) g.n() * g.cOut() * patch;
        if (perImageFloats > Shapes.MAX_ELEMENTS) {
            allocator.free(col);
            throw Shapes.tooLarge("conv2d backward (weight) on " + name(), "the per-image weight gradients (" + g.n() + ", "
                    + g.cOut() + ", " + patch + ")", perImageFloats);
        }
        CudaBuffer perImage = allocator.allocate((int) perImageFloats);
        try {
            long cols = (long) g.n() * patch * spatial;
            launch1("conv", "im2col", cols, d(x), col, conv(g), wide(cols, (long) g.n() * g.cIn() * g.h() * g.w()));
            // perImage[img] (cOut, patch) = gy[img] (cOut, spatial) @ col[img]^T (spatial, patch)
            gemm(d(gy), col, perImage, g.n(), g.cOut(), patch, spatial, false, true, (long) g.cOut() * spatial,
                    (long) patch * spatial);
            reduce(ReduceOp.SUM, perImage, gWeight, 1, g.n(), g.cOut() * patch);
            if (gBias != null) biasGrad(d(gy), d(gBias), g.n(), g.cOut(), spatial);
        } finally {
            allocator.free(col);
            allocator.free(perImage);
        }
    }

    /** gBias[co] = the sum of gy's (n, co, spatial) values: split per channel as batch norm's statistics, then a fixed-order sum. */
    private void biasGrad(CudaBuffer gy, CudaBuffer gBias, int n, int cOut, int spatial) {
        int splits = splits(cOut, (long) n * spatial);
        int[] block = {splitThreads(n, spatial, splits), 1, 1};
        if (splits == 1) {
            rt.launch("conv", "bias_grad_partial", new int[] {cOut, 1, 1}, block, gy, gBias, n, cOut, spatial, 1);
            return;
        }
        CudaBuffer partial = allocator.allocate(Math.multiplyExact(cOut, splits));
        try {
            rt.launch("conv", "bias_grad_partial", new int[] {cOut, splits, 1}, block, gy, partial, n, cOut, spatial, splits);
            rt.launch("conv", "bias_grad_finalize", new int[] {(cOut + THREADS - 1) / THREADS, 1, 1},
                    new int[] {THREADS, 1, 1}, partial, gBias, cOut, splits);
        } finally {
            allocator.free(partial);
        }
    }

    // ---------------------------------------------------------------- pooling

    private static int[] pool(PoolGeometry g) {
        return new int[] {g.n(), g.c(), g.h(), g.w(), g.kh(), g.kw(), g.strideH(), g.strideW(), g.padH(), g.padW(),
                g.outH(), g.outW()};
    }

    @Override
    protected void doMaxPool2d(Buffer x, Buffer out, Buffer argmax, PoolGeometry g) {
        launch1("pool", "maxpool_fwd", (long) g.n() * g.c() * g.outH() * g.outW(), d(x), d(out), d(argmax), pool(g));
    }

    @Override
    protected void doMaxPool2dBackward(Buffer gy, Buffer argmax, Buffer gx, PoolGeometry g) {
        launch1("pool", "maxpool_bwd", (long) g.n() * g.c() * g.h() * g.w(), d(gy), d(argmax), d(gx), pool(g));
    }

    @Override
    protected void doAvgPool2d(Buffer x, Buffer out, PoolGeometry g) {
        launch1("pool", "avgpool_fwd", (long) g.n() * g.c() * g.outH() * g.outW(), d(x), d(out), pool(g));
    }

    @Override
    protected void doAvgPool2dBackward(Buffer gy, Buffer gx, PoolGeometry g) {
        launch1("pool", "avgpool_bwd", (long) g.n() * g.c() * g.h() * g.w(), d(gy), d(gx), pool(g));
    }

    // ---------------------------------------------------------------- softmax family

    @Override
    protected void doSoftmax(Buffer x, Buffer y, int outer, int r, int inner, boolean log) {
        int logMode = log ? 1 : 0;
        if (inner == 1 && r <= WARP_ROW_MAX) launchWarpRows("softmax", "softmax_rows", outer, r, d(x), d(y), outer, r, logMode);
        else if (inner == 1) launchRows("softmax", "softmax_rows", outer, rowThreads(r), d(x), d(y), outer, r, logMode);
        else launch1("softmax", "softmax_cols", (long) outer * inner, d(x), d(y), outer, r, inner, logMode);
    }

    @Override
    protected void doSoftmaxBackward(Buffer y, Buffer gy, Buffer gx, int outer, int r, int inner, boolean log) {
        int logMode = log ? 1 : 0;
        if (inner == 1 && r <= WARP_ROW_MAX)
            launchWarpRows("softmax", "softmax_bwd_rows", outer, r, d(y), d(gy), d(gx), outer, r, logMode);
        else if (inner == 1) launchRows("softmax", "softmax_bwd_rows", outer, rowThreads(r), d(y), d(gy), d(gx), outer, r, logMode);
        else launch1("softmax", "softmax_bwd_cols", (long) outer * inner, d(y), d(gy), d(gx), outer, r, inner, logMode);
    }

    @Override
    protected void doCrossEntropy(Buffer logits, Buffer labels, Buffer loss, Buffer lse, int n, int c) {
        // A bad label raises the runtime's error flag; it is read (and thrown) at the next
        // synchronization, so the forward pass queues its kernels and returns without waiting.
        CudaBuffer rows = allocator.allocate(n);
        try {
            if (c <= WARP_ROW_MAX) launchWarpRows("softmax", "xent_fwd", n, c, d(logits), d(labels), rows, d(lse), n, c, rt.errorFlag());
            else launchRows("softmax", "xent_fwd", n, rowThreads(c), d(logits), d(labels), rows, d(lse), n, c, rt.errorFlag());
            rt.launch("softmax", "mean_rows", new int[] {1, 1, 1}, new int[] {1024, 1, 1}, rows, d(loss), n);
        } finally {
            allocator.free(rows);  // stream order: the next user of this block runs after mean_rows
        }
    }

    @Override
    protected void doCrossEntropyBackward(Buffer logits, Buffer labels, Buffer lse, Buffer gLoss, Buffer gx, int n, int c) {
        if (c <= WARP_ROW_MAX) {
            // a warp per row, as launchWarpRows' short rows (one kernel: the row streams, no registers to size)
            int perBlock = warpRowsPerBlock(1);
            if (n == 0) return;
            rt.launch("softmax", "xent_bwd_rows", new int[] {(int) (((long) n + perBlock - 1) / perBlock), 1, 1},
                    new int[] {32 * perBlock, 1, 1}, d(logits), d(labels), d(lse), d(gLoss), d(gx), n, c);
        } else {
            launchRows("softmax", "xent_bwd", n, rowThreads(c), d(logits), d(labels), d(lse), d(gLoss), d(gx), n, c);
        }
    }

    // ---------------------------------------------------------------- batch norm

    /**
     * Blocks per channel for a per-channel reduction over {@code c} channels of {@code perChannel}
     * values: enough that all the channels together fill every SM (8 blocks of 256 threads each,
     * 2048 threads, the most an SM holds), but at least 2048 values (8 per thread) per block, and
     * within gridDim.y's limit.
     */
    private int splits(int c, long perChannel) {
        long wanted = Math.max(1, ((long) smCount * 8 + c - 1) / Math.max(1, c));
        return (int) Math.max(1, Math.min(Math.min(wanted, perChannel / 2048), MAX_GRID_YZ));
    }

    /** Threads for one (channel, split) block: fitted to its share of the channel, as {@link #rowThreads}. */
    private static int splitThreads(int n, int hw, int splits) {
        long per = ((long) n * hw + splits - 1) / splits;
        return rowThreads((int) Math.min(per, THREADS));
    }

    @Override
    protected void doBatchNorm(Buffer x, Buffer gamma, Buffer beta, Buffer runMean, Buffer runVar,
                          Buffer y, Buffer saveMean, Buffer saveInvStd,
                          int n, int c, int hw, float eps, float momentum, boolean training) {
        int splits = splits(c, (long) n * hw);
        CudaBuffer partial = allocator.allocate(Math.multiplyExact(c, splits * 3));
        try {
            int t = training ? 1 : 0;
            if (training)
                rt.launch("batchnorm", "bn_stats_partial", new int[] {c, splits, 1}, new int[] {splitThreads(n, hw, splits), 1, 1},
                        d(x), partial, n, c, hw, splits);
            rt.launch("batchnorm", "bn_stats_finalize", new int[] {(c + THREADS - 1) / THREADS, 1, 1},
                    new int[] {THREADS, 1, 1}, partial, d(runMean), d(runVar), d(saveMean), d(saveInvStd), c, splits,
                    eps, momentum, t);
            long total = (long) n * c * hw;
            launch1("batchnorm", "bn_apply", total, d(x), d(gamma), d(beta), d(saveMean), d(saveInvStd), d(y), total, c, hw);
        } finally {
            allocator.free(partial);
        }
    }

    @Override
    protected void doBatchNormBackward(Buffer x, Buffer gy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                                  Buffer gx, Buffer gGamma, Buffer gBeta, int n, int c, int hw, boolean training) {
        int splits = splits(c, (long) n * hw);
        CudaBuffer partial = allocator.allocate(Math.multiplyExact(c, splits * 2));
        try {
            rt.launch("batchnorm", "bn_bwd_partial", new int[] {c, splits, 1}, new int[] {splitThreads(n, hw, splits), 1, 1},
                    d(x), d(gy), d(saveMean), d(saveInvStd), partial, n, c, hw, splits);
            rt.launch("batchnorm", "bn_bwd_finalize", new int[] {(c + THREADS - 1) / THREADS, 1, 1},
                    new int[] {THREADS, 1, 1}, partial, d(gGamma), d(gBeta), c, splits);
            long total = (long) n * c * hw;
            launch1("batchnorm", "bn_bwd_apply", total, d(x), d(gy), d(gamma), d(saveMean), d(saveInvStd), d(gGamma),
                    d(gBeta), d(gx), total, c, hw, n, training ? 1 : 0);
        } finally {
            allocator.free(partial);
        }
    }

    // ---------------------------------------------------------------- optimizers

    /** Elements per entry of the optimizer's chunk table (optim.cu's OPT_CHUNK). */
    static final int OPT_CHUNK = 4096;

    // The optimizer's device tables: four arrays of tensor addresses (params, grads, state1,
    // state2), the tensors' sizes and the chunk table ((tensor << 32) | first element, one entry
    // per OPT_CHUNK elements of each tensor), one persistent device block reused every step.
    private CudaBuffer optTables;
    private long[] optTablesContent = new long[0];

    /**
     * One launch updates every tensor. The kernel reads four pointer tables, the tensors' sizes and the
     * chunk table (each block updates chunks of OPT_CHUNK elements of one tensor) from one device block, uploaded only when its content changes (a new parameter set, or gradients
     * that moved). Why that is free of races without any synchronization:
     * <ol>
     *   <li>the device block is written only by copies queued on the backend's stream, the stream
     *       that runs every optimizer_step; stream order puts each upload after the previous step's
     *       kernel has finished reading the block, and before the next one starts;</li>
     *   <li>the bytes come from the runtime's pinned staging ring, which is never rewritten before
     *       the stream has been synchronized, so they are intact when the asynchronous copy runs
     *       (the old code's synchronous cuMemcpyHtoD from pageable memory ran on the legacy stream,
     *       which a non-blocking stream does not wait for: it could overwrite a block a queued kernel
     *       was still to read, and it stalled every step);</li>
     *   <li>the block grows by allocating a new one; the old one is freed into the caching allocator
     *       after the launch that used it is queued, and anything reusing that memory is queued
     *       after it on the same stream.</li>
     * </ol>
     * The block is the backend's, shared by every optimizer on every thread, so the upload and the
     * launch that reads it happen under one lock: two optimizers stepping on two threads at once
     * would otherwise launch with each other's tables (ThreadSafetyTest found it). Stream order does
     * the rest. Two optimizers that alternate re-upload their tables each step.
     */
    @Override
    protected synchronized void doOptimizerStep(OptimizerStep s, Buffer[] params, Buffer[] grads, Buffer[] state1, Buffer[] state2,
                              int[] sizes) {
        int count = params.length;
        if (count == 0) return;
        long chunkCount = 0;
        for (int size : sizes) chunkCount += (size + OPT_CHUNK - 1) / OPT_CHUNK;
        if (chunkCount == 0) return;
        int chunks = Math.toIntExact(chunkCount);
        long[] content = new long[Math.addExact(5 * count, chunks)];
        Buffer[][] lists = {params, grads, state1 == null ? params : state1, state2 == null ? params : state2};
        for (int t = 0; t < 4; t++)
            for (int i = 0; i < count; i++) content[t * count + i] = d(lists[t][i]).address;
        for (int i = 0, at = 5 * count; i < count; i++) {
            content[4 * count + i] = sizes[i];
            for (int first = 0; first < sizes[i]; first += OPT_CHUNK) content[at++] = ((long) i << 32) | first;
        }
        rt.makeCurrent();
        if (!Arrays.equals(content, optTablesContent)) {
            if (optTables == null || optTables.capacity() < 2 * content.length) {
                if (optTables != null) allocator.free(optTables);
                optTables = allocator.allocate(Math.multiplyExact(2, content.length));
            }
            rt.copyIn(MemorySegment.ofArray(content), optTables.address);
            optTablesContent = content;
        }
        long base = optTables.address, table = (long) count * Long.BYTES;
        float c1 = (float) (1 - Math.pow(s.beta1(), s.step())), c2 = (float) (1 - Math.pow(s.beta2(), s.step()));
        // One block per chunk, up to 8 blocks of 256 threads per SM (full occupancy); blocks stride over the rest.
        int blocks = (int) Math.min(chunks, (long) smCount * 8);
        rt.launch("optim", "optimizer_step", new int[] {blocks, 1, 1}, new int[] {THREADS, 1, 1}, s.kind().ordinal(),
                base, base + table, base + 2 * table, base + 3 * table, base + 4 * table, base + 5 * table, chunks,
                s.lr(), s.beta1(), s.beta2(), s.eps(), s.weightDecay(), s.gradScale(), c1, c2);
    }

    // ---------------------------------------------------------------- convolution in 1 to 3 dims (issue 14)

    /** convnd.cu's ConvNdArgs: sizes, kernel, strides, begin paddings, dilations, output sizes, groups. */
    private static int[] convNdArgs(dev.jgrad.engine.ConvNdGeometry g) {
        return new int[] {g.n(), g.cIn(), g.d(), g.h(), g.w(), g.cOut(), g.kd(), g.kh(), g.kw(),
                g.strideD(), g.strideH(), g.strideW(), g.padD0(), g.padH0(), g.padW0(), g.dilD(), g.dilH(), g.dilW(),
                g.outD(), g.outH(), g.outW(), g.groups()};
    }

    // ---------------------------------------------------------------- fused recurrent cells (rnn.cu)

    @Override
    protected void doLstmCell(Buffer gates, Buffer c, Buffer out, int n, int h) {
        launch1("rnn", "lstm_cell_fwd", (long) n * h, d(gates), d(c), d(out), (long) n, h);
    }

    @Override
    protected void doLstmCellBackward(Buffer gates, Buffer c, Buffer gOut, Buffer gGates, Buffer gC, int n, int h) {
        launch1("rnn", "lstm_cell_bwd", (long) n * h, d(gates), d(c), d(gOut), d(gGates), d(gC), (long) n, h);
    }

    @Override
    protected void doGruCell(Buffer xg, Buffer hg, Buffer hPrev, Buffer out, int n, int h) {
        launch1("rnn", "gru_cell_fwd", (long) n * h, d(xg), d(hg), d(hPrev), d(out), (long) n, h);
    }

    @Override
    protected void doGruCellBackward(Buffer xg, Buffer hg, Buffer hPrev, Buffer gOut, Buffer gXg, Buffer gHg, Buffer gH, int n, int h) {
        launch1("rnn", "gru_cell_bwd", (long) n * h, d(xg), d(hg), d(hPrev), d(gOut), d(gXg), d(gHg), d(gH), (long) n, h);
    }

    @Override
    protected void doConvNd(Buffer x, Buffer weight, Buffer bias, Buffer out, dev.jgrad.engine.ConvNdGeometry g) {
        launch1("convnd", "convnd_fwd", g.outputElements(), d(x), d(weight), bias == null ? d(out) : d(bias), bias == null ? 0 : 1,
                d(out), convNdArgs(g));
    }

    @Override
    protected void doConvNdBackwardInput(Buffer gy, Buffer weight, Buffer gx, dev.jgrad.engine.ConvNdGeometry g) {
        launch1("convnd", "convnd_bwd_input", g.inputElements(), d(gy), d(weight), d(gx), convNdArgs(g));
    }

    @Override
    protected void doConvNdBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, dev.jgrad.engine.ConvNdGeometry g) {
        long elements = g.weightElements();
        if (elements > Integer.MAX_VALUE)   // one block per weight element: grid.x holds 2^31 - 1
            throw Shapes.tooLarge("convNd backward (weight) on " + name(), "the weight", elements);
        long terms = (long) g.n() * g.outSpatial();   // each weight element's sum: whole warps, no more than it has terms
        if (elements > 0)
            rt.launch("convnd", "convnd_bwd_weight", new int[] {(int) elements, 1, 1}, new int[] {rowThreads((int) Math.min(THREADS, terms)), 1, 1},
                    d(x), d(gy), d(gWeight), convNdArgs(g));
        if (gBias == null || g.cOut() == 0) return;
        if (terms == 0) doFill(gBias, g.cOut(), 0f);
        else biasGrad(d(gy), d(gBias), g.n(), g.cOut(), g.outSpatial());
    }

    // ---------------------------------------------------------------- pooling in 1 to 3 dims (issue 14)

    private static int[] pool3(dev.jgrad.engine.Pool3dGeometry g) {
        return new int[] {g.n(), g.c(), g.d(), g.h(), g.w(), g.kd(), g.kh(), g.kw(), g.strideD(), g.strideH(), g.strideW(),
                g.padD(), g.padH(), g.padW(), g.dilationD(), g.dilationH(), g.dilationW(), g.outD(), g.outH(), g.outW(),
                g.countIncludePad() ? 1 : 0, g.divisorOverride()};
    }

    private static int[] adaptive3(dev.jgrad.engine.AdaptivePoolGeometry g) {
        return new int[] {g.n(), g.c(), g.d(), g.h(), g.w(), g.outD(), g.outH(), g.outW()};
    }

    @Override
    protected void doMaxPool3d(Buffer x, Buffer out, Buffer argmax, dev.jgrad.engine.Pool3dGeometry g) {
        launch1("pool3d", "maxpool3d_fwd", (long) g.n() * g.c() * g.planeOut(), d(x), d(out), d(argmax), pool3(g));
    }

    @Override
    protected void doMaxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, dev.jgrad.engine.Pool3dGeometry g) {
        launch1("pool3d", "maxpool3d_bwd", (long) g.n() * g.c() * g.planeIn(), d(gy), d(argmax), d(gx), pool3(g));
    }

    @Override
    protected void doAvgPool3d(Buffer x, Buffer out, dev.jgrad.engine.Pool3dGeometry g) {
        launch1("pool3d", "avgpool3d_fwd", (long) g.n() * g.c() * g.planeOut(), d(x), d(out), pool3(g));
    }

    @Override
    protected void doAvgPool3dBackward(Buffer gy, Buffer gx, dev.jgrad.engine.Pool3dGeometry g) {
        launch1("pool3d", "avgpool3d_bwd", (long) g.n() * g.c() * g.planeIn(), d(gy), d(gx), pool3(g));
    }

    @Override
    protected void doAdaptiveAvgPool3d(Buffer x, Buffer out, dev.jgrad.engine.AdaptivePoolGeometry g) {
        launch1("pool3d", "adaptive_pool3d_fwd", (long) g.n() * g.c() * g.planeOut(), d(x), d(out), d(out), adaptive3(g), 0);
    }

    @Override
    protected void doAdaptiveAvgPool3dBackward(Buffer gy, Buffer gx, dev.jgrad.engine.AdaptivePoolGeometry g) {
        launch1("pool3d", "adaptive_pool3d_bwd", (long) g.n() * g.c() * g.planeIn(), d(gy), d(gy), d(gx), adaptive3(g), 0);
    }

    @Override
    protected void doAdaptiveMaxPool3d(Buffer x, Buffer out, Buffer argmax, dev.jgrad.engine.AdaptivePoolGeometry g) {
        launch1("pool3d", "adaptive_pool3d_fwd", (long) g.n() * g.c() * g.planeOut(), d(x), d(out), d(argmax), adaptive3(g), 1);
    }

    @Override
    protected void doAdaptiveMaxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, dev.jgrad.engine.AdaptivePoolGeometry g) {
        launch1("pool3d", "adaptive_pool3d_bwd", (long) g.n() * g.c() * g.planeIn(), d(gy), d(argmax), d(gx), adaptive3(g), 1);
    }

    // ---------------------------------------------------------------- indexing: gather, scatter-add (issue 14)

    @Override
    protected void doGather(Buffer x, StridedView index, Buffer out, int outer, int r, int inner, int rOut, float fill) {
        long n = (long) outer * rOut * inner;
        int[] is = index.strides();
        launch1("gather", "gather_mid", n, d(x), d(index.buffer()), (long) index.offset(), is[0], is[1], is[2], d(out),
                outer, r, inner, rOut, fill);
    }

    @Override
    protected void doScatterAdd(StridedView index, Buffer src, Buffer out, int outer, int r, int inner, int rOut) {
        // one thread per (o, i) column, which sums its j in ascending order: no atomics, the CPU's order
        int[] is = index.strides();
        launch1("gather", "scatter_add_mid", (long) outer * inner, d(index.buffer()), (long) index.offset(), is[0], is[1], is[2],
                d(src), d(out), outer, r, inner, rOut);
    }
}
