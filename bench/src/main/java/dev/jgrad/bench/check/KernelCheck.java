package dev.jgrad.bench.check;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.engine.StridedView;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.cuda.CudaBackend;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.models.Models;
import dev.jgrad.nn.optim.Adam;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The four target kernels of the first-GPU check, each timed by {@link Timer} next to its
 * ceiling measured in the same process: SGEMM against cuBLAS (where it loads), and Adam over 10M
 * parameters, softmax of (65536, 1024) and training batch-norm forward of (256, 64, 56, 56)
 * against a device-to-device copy that reads and writes the same number of bytes the kernel must
 * at least move. Every input is larger than an H100's or H200's L2 cache (50 or 60 MB), except
 * SGEMM's 64 MB matrices, whose kernel is compute-bound; so no cache flush is needed.
 *
 * <p>Before timing, each kernel's output is poisoned with NaN and a sample of it is checked
 * against a float64 computation on the host (the conformance suite is the full correctness
 * check; this one makes sure that what is timed computes the right thing at these sizes). A kernel
 * that fails its check is reported as failed, with no time.
 *
 * <p>Writes {@code kernels.tsv}: one row per (op, engine) with the median, minimum and maximum
 * microseconds per call and every sample ({@code torch_check.py} writes PyTorch's rows in the
 * same format, and {@link CheckReport} puts them side by side). {@link CheckSize#SMALL} shrinks
 * every op so that a CPU-emulated CUDA device (or the CPU) finishes in seconds.
 */
final class KernelCheck {
    static final String HEADER = "op\tengine\tshape\tunit\twork\tmedian_us\tmin_us\tmax_us\treps\tcalls_per_rep\tstatus\tnote\tsamples_us";

    private final Device device;
    private final Backend be;
    private final CudaBackend cuda;
    private final CheckSize sz;
    private final Timer.Settings settings;
    private final float[] pool;
    private final List<String> rows = new ArrayList<>();
    private final PrintStream log;
    private int failures;

    private KernelCheck(Device device, CheckSize size, PrintStream log) {
        this.device = device;
        this.be = device.backend();
        // guarded by name so that a CPU run never resolves the CUDA classes
        this.cuda = device.name().startsWith("cuda") && be instanceof CudaBackend c ? c : null;
        this.sz = size;
        this.settings = size.timing();
        this.log = log;
        long need = Math.max(Math.max(2L * sz.gemm() * sz.gemm(), 3L * sz.adam()),
                Math.max((long) sz.smRows() * sz.smCols(), sz.bnNumel()));
        pool = new float[Math.toIntExact(need)];
        SplittableRandom r = new SplittableRandom(20261203);
        for (int i = 0; i < pool.length; i++) pool[i] = (float) (r.nextDouble() * 2 - 1);
    }

    /** Checks and times the four ops and their ceilings on {@code device}; returns the number that failed. */
    static int run(Device device, CheckSize size, Path out) throws IOException {
        KernelCheck k = new KernelCheck(device, size, System.out);
        k.log.println("kernels on " + describe(device) + ", size " + size.name());
        k.sgemm();
        k.adam();
        k.softmax();
        k.batchNorm();
        k.lenetStep();
        Files.createDirectories(out.toAbsolutePath().getParent());
        StringBuilder tsv = new StringBuilder("# device: " + describe(device) + "\n# size: " + size.name() + "\n" + HEADER + "\n");
        for (String row : k.rows) tsv.append(row).append('\n');
        Files.writeString(out, tsv);
        k.log.println("wrote " + out + "; " + k.failures + " failed");
        return k.failures;
    }

    static String describe(Device d) {
        Backend b = d.backend();
        return d.name().startsWith("cuda") && b instanceof CudaBackend c ? c.describe() : b.toString();
    }

    // ---------------------------------------------------------------- the ops

    private void sgemm() {
        int n = sz.gemm();
        String shape = n + "x" + n + "x" + n;
        double flops = 2.0 * n * n * n;
        Buffer a = upload(0, n * n), b = upload(n * n, n * n), c = be.allocate(n * n);
        try {
            measure("sgemm", "jgrad", shape, "flops", flops, c, n * n,
                    () -> be.matmul(a, b, c, 1, n, n, n, false, false, 0, 0),
                    () -> checkGemm(c, n), cuda != null ? "sgemm_" + System.getProperty("jgrad.cuda.matmul", "v4") : be.name());
            if (cuda == null) {
                skipped("sgemm", "cublas", shape, "flops", flops, "not a CUDA device");
            } else if (cuda.cublasUnavailableReason() != null) {
                skipped("sgemm", "cublas", shape, "flops", flops, cuda.cublasUnavailableReason());
            } else {
                measure("sgemm", "cublas", shape, "flops", flops, c, n * n,
                        () -> cuda.matmulWith("cublas", a, b, c, 1, n, n, n, false, false),
                        () -> checkGemm(c, n), "cublasSgemmStridedBatched through " + cuda.cublasBinding());
            }
        } finally {
            free(a, b, c);
        }
    }

    private void adam() {
        int n = sz.adam();
        String shape = String.format(Locale.ROOT, "%,d parameters", n);
        double bytes = 28.0 * n; // reads p, g, m, v; writes p, m, v
        OptimizerStep step = new OptimizerStep(OptimizerStep.Kind.ADAM, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 10, 1f);
        Buffer p = upload(0, n), g = upload(n, n), m = upload(2 * n, n), v = be.allocate(n);
        try {
            be.fill(v, n, 0.25f);
            Buffer[] ps = {p}, gs = {g}, ms = {m}, vs = {v};
            int[] sizes = {n};
            Runnable call = () -> be.optimizerStep(step, ps, gs, ms, vs, sizes);
            measure("adam", "jgrad", shape, "bytes", bytes, null, 0, call, () -> checkAdam(step, p, m, v, call),
                    cuda != null ? "one fused launch; its pointer tables are uploaded on the stream only when they change" : be.name());
        } finally {
            free(p, g, m, v);
        }
        copyCeiling("adam", shape, Math.round(bytes / 8));
    }

    private void softmax() {
        int rows = sz.smRows(), cols = sz.smCols();
        String shape = "(" + rows + ", " + cols + ")";
        double bytes = 8.0 * rows * cols;
        Buffer x = upload(0, rows * cols), y = be.allocate(rows * cols);
        try {
            measure("softmax", "jgrad", shape, "bytes", bytes, y, rows * cols,
                    () -> be.softmax(x, y, rows, cols, 1, false), () -> checkSoftmax(y, rows, cols), "over the last axis, " + be.name());
        } finally {
            free(x, y);
        }
        copyCeiling("softmax", shape, (long) rows * cols);
    }

    private void batchNorm() {
        int n = sz.bnN(), c = sz.bnC(), hw = sz.bnH() * sz.bnH();
        int total = Math.toIntExact(sz.bnNumel());
        String shape = "(" + n + ", " + c + ", " + sz.bnH() + ", " + sz.bnH() + ")";
        double bytes = 8.0 * total; // reads x, writes y (a two-pass kernel reads x twice: 1.5x this)
        Buffer x = upload(0, total), y = be.allocate(total), gamma = upload(1000, c), beta = upload(2000, c);
        Buffer rm = be.allocate(c), rv = be.allocate(c), mean = be.allocate(c), inv = be.allocate(c);
        try {
            be.fill(rm, c, 0f);
            be.fill(rv, c, 1f);
            measure("batchNorm", "jgrad", shape, "bytes", bytes, y, total,
                    () -> be.batchNorm(x, gamma, beta, rm, rv, y, mean, inv, n, c, hw, 1e-5f, 0.1f, true),
                    () -> checkBatchNorm(y), "training mode: batch statistics, then normalize, " + be.name());
        } finally {
            free(x, y, gamma, beta, rm, rv, mean, inv);
        }
        copyCeiling("batchNorm", shape, total);
    }

    /** A copy of {@code floats} floats: it reads and writes the bytes of the op it stands beside. */
    private void copyCeiling(String op, String shape, long floats) {
        int n = Math.toIntExact(floats);
        Buffer src = be.allocate(n), dst = be.allocate(n);
        try {
            be.copyIn(pool, 0, src, 0, Math.min(n, pool.length));
            Runnable call;
            String how;
            if (cuda != null) {
                call = () -> cuda.copyDeviceToDevice(src, dst, n);
                how = "cuMemcpyDtoDAsync";
            } else {
                StridedView s = StridedView.contiguous(src, new int[] {n}), d = StridedView.contiguous(dst, new int[] {n});
                call = () -> be.copyStrided(s, d, new int[] {n});
                how = "copyStrided (no device copy engine)";
            }
            measure(op, "copy", shape, "bytes", 8.0 * n, dst, n, call, () -> checkCopy(dst, n),
                    how + " of " + String.format(Locale.ROOT, "%,d", n) + " floats");
        } finally {
            free(src, dst);
        }
    }

    /**
     * One LeNet training step (forward, cross-entropy, backward, Adam) at batch 256, as PyTorch
     * eager does it in torch_check.py: the same architecture (sigmoid, average pooling), the same
     * optimizer, no host read inside the step. Throughput in images per second.
     */
    private void lenetStep() {
        int batch = sz.lenetStepBatch();
        String shape = "batch " + batch;
        try {
            Init.manualSeed(42);
            Module model = Models.lenet().to(device);
            Adam adam = new Adam(model.parameters(), 1e-3f);
            float[] labels = new float[batch];
            for (int i = 0; i < batch; i++) labels[i] = i % 10;
            Tensor x = MemoryScope.keep(Tensor.of(device, java.util.Arrays.copyOf(pool, batch * 784), batch, 1, 28, 28));
            Tensor y = MemoryScope.keep(Tensor.of(device, labels, batch));
            float[] loss = new float[2];
            Runnable step = () -> {
                try (MemoryScope scope = MemoryScope.open()) {
                    adam.zeroGrad();
                    Tensor l = Losses.crossEntropy(model.forward(x), y);
                    l.backward();
                    adam.step();
                }
            };
            Check falls = () -> {
                for (int i = 0; i < 20; i++)
                    try (MemoryScope scope = MemoryScope.open()) {
                        adam.zeroGrad();
                        Tensor l = Losses.crossEntropy(model.forward(x), y);
                        l.backward();
                        adam.step();
                        loss[i == 0 ? 0 : 1] = l.item();
                    }
                return Float.isFinite(loss[1]) && loss[1] < loss[0] ? null
                        : "lenet step: the loss on one batch did not fall over 20 steps: " + loss[0] + " -> " + loss[1];
            };
            measure("lenetStep", "jgrad", shape, "images", batch, null, 0, step, falls,
                    "LeNet (sigmoid, avg-pool), cross-entropy, backward, Adam; " + device.name());
        } catch (RuntimeException | LinkageError e) {
            failures++;
            row("lenetStep", "jgrad", shape, "images", batch, null, "failed", "set-up: " + e);
        }
    }

    // ---------------------------------------------------------------- timing and rows

    private interface Check { String run(); }

    /** Poisons {@code out}, runs the call once and checks it; times it if the check passed. */
    private void measure(String op, String engine, String shape, String unit, double work, Buffer out, int outN,
                         Runnable call, Check check, String note) {
        long t0 = System.nanoTime();
        try {
            if (out != null) be.fill(out, outN, Float.NaN);
            String bad = null;
            if (check != null) {
                if (out != null) call.run();
                bad = check.run();
            }
            if (bad != null) {
                failures++;
                row(op, engine, shape, unit, work, null, "failed", bad);
                return;
            }
            Timer.Result r = Timer.time(call, this::sync, settings);
            row(op, engine, shape, unit, work, r, "ok", note);
        } catch (RuntimeException | LinkageError e) {
            failures++;
            row(op, engine, shape, unit, work, null, "failed", e.toString());
        } finally {
            log.printf(Locale.ROOT, "  %s %s: %.1f s%n", op, engine, (System.nanoTime() - t0) / 1e9);
        }
    }

    private void skipped(String op, String engine, String shape, String unit, double work, String why) {
        row(op, engine, shape, unit, work, null, "unavailable", why);
    }

    private void row(String op, String engine, String shape, String unit, double work, Timer.Result r, String status,
                     String note) {
        String clean = note == null ? "" : note.replaceAll("[\t\r\n]+", " ");
        String line = r == null
                ? String.join("\t", op, engine, shape, unit, fmt(work), "", "", "", "0", "0", status, clean, "")
                : String.join("\t", op, engine, shape, unit, fmt(work), fmt(r.median()), fmt(r.min()), fmt(r.max()),
                        Integer.toString(r.micros().length), Integer.toString(r.callsPerRep()), status, clean, r.samples());
        rows.add(line);
        if (r == null) log.printf(Locale.ROOT, "%-10s %-7s %s: %s: %s%n", op, engine, shape, status, clean);
        else {
            double rate = work / (r.median() * 1e-6) / (unit.equals("images") ? 1 : 1e9);
            log.printf(Locale.ROOT, "%-10s %-7s %s: median %.2f us (min %.2f, max %.2f, %d reps x %d calls) = %.1f %s%n",
                    op, engine, shape, r.median(), r.min(), r.max(), r.micros().length, r.callsPerRep(), rate,
                    unit.equals("flops") ? "GFLOP/s" : unit.equals("images") ? "images/s" : "GB/s");
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private void sync() {
        if (cuda != null) cuda.synchronize();
    }

    private Buffer upload(int poolOffset, int n) {
        Buffer b = be.allocate(n);
        be.copyIn(pool, poolOffset, b, 0, n);
        return b;
    }

    private void free(Buffer... buffers) {
        sync();
        for (Buffer b : buffers) be.free(b);
    }

    private float[] read(Buffer b, int offset, int n) {
        float[] out = new float[n];
        be.copyOut(b, offset, out, 0, n);
        return out;
    }

    // ---------------------------------------------------------------- the float64 checks

    /** Relative L2 error of {@code got} against {@code ref}; also fails on any non-finite value. */
    private static String compare(String what, double[] got, double[] ref, double tolerance) {
        double num = 0, den = 0;
        for (int i = 0; i < got.length; i++) {
            if (!Double.isFinite(got[i])) return what + ": element " + i + " is " + got[i] + " (expected " + ref[i] + ")";
            num += (got[i] - ref[i]) * (got[i] - ref[i]);
            den += ref[i] * ref[i];
        }
        double rel = Math.sqrt(num / Math.max(den, 1e-300));
        return rel <= tolerance ? null : String.format(Locale.ROOT, "%s: relative error %.3g > %.0e", what, rel, tolerance);
    }

    /** 128 sampled elements of C = A B against float64 dot products (A, B: the pool at 0 and n*n). */
    private String checkGemm(Buffer c, int n) {
        SplittableRandom r = new SplittableRandom(11);
        int samples = 128;
        double[] got = new double[samples], ref = new double[samples];
        for (int s = 0; s < samples; s++) {
            int i = r.nextInt(n), j = r.nextInt(n);
            double dot = 0;
            for (int k = 0; k < n; k++) dot += (double) pool[i * n + k] * pool[n * n + k * n + j];
            ref[s] = dot;
            got[s] = be.read(c, i * n + j);
        }
        return compare("sgemm, 128 sampled elements", got, ref, 1e-3);
    }

    /** Eight rows of softmax(x) against float64. */
    private String checkSoftmax(Buffer y, int rows, int cols) {
        int[] picks = {0, 1, rows / 3, rows / 2, rows - 2, rows - 1, 7 % rows, (rows * 2) / 3};
        double[] got = new double[picks.length * cols], ref = new double[got.length];
        for (int p = 0; p < picks.length; p++) {
            int row = picks[p];
            float[] yr = read(y, row * cols, cols);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < cols; j++) max = Math.max(max, pool[row * cols + j]);
            for (int j = 0; j < cols; j++) sum += Math.exp(pool[row * cols + j] - max);
            for (int j = 0; j < cols; j++) {
                got[p * cols + j] = yr[j];
                ref[p * cols + j] = Math.exp(pool[row * cols + j] - max) / sum;
            }
        }
        return compare("softmax, 8 rows", got, ref, 1e-5);
    }

    /** Channel 1 of the first and last image against float64 batch statistics. */
    private String checkBatchNorm(Buffer y) {
        int n = sz.bnN(), c = sz.bnC(), hw = sz.bnH() * sz.bnH(), ch = 1;
        double mean = 0, var = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) mean += pool[(i * c + ch) * hw + j];
        mean /= (double) n * hw;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < hw; j++) {
                double d = pool[(i * c + ch) * hw + j] - mean;
                var += d * d;
            }
        var /= (double) n * hw;
        double inv = 1 / Math.sqrt(var + 1e-5), gamma = pool[1000 + ch], beta = pool[2000 + ch];
        int[] images = {0, n - 1};
        double[] got = new double[images.length * hw], ref = new double[got.length];
        for (int k = 0; k < images.length; k++) {
            int base = (images[k] * c + ch) * hw;
            float[] yr = read(y, base, hw);
            for (int j = 0; j < hw; j++) {
                got[k * hw + j] = yr[j];
                ref[k * hw + j] = gamma * (pool[base + j] - mean) * inv + beta;
            }
        }
        return compare("batch norm, channel 1 of two images", got, ref, 1e-5);
    }

    /** One step's update of the first 4,096 parameters, and both moments, against float64. */
    private String checkAdam(OptimizerStep s, Buffer p, Buffer m, Buffer v, Runnable call) {
        int k = Math.min(4096, sz.adam()), n = sz.adam();
        float[] p0 = read(p, 0, k), m0 = read(m, 0, k), v0 = read(v, 0, k);
        call.run();
        float[] p1 = read(p, 0, k), m1 = read(m, 0, k), v1 = read(v, 0, k);
        double b1 = s.beta1(), b2 = s.beta2(), c1 = 1 - Math.pow(b1, s.step()), c2 = 1 - Math.pow(b2, s.step());
        double[] gotStep = new double[k], refStep = new double[k], gotM = new double[k], refM = new double[k],
                gotV = new double[k], refV = new double[k];
        for (int i = 0; i < k; i++) {
            double g = pool[n + i];
            double mm = b1 * m0[i] + (1 - b1) * g, vv = b2 * v0[i] + (1 - b2) * g * g;
            refM[i] = mm;
            refV[i] = vv;
            refStep[i] = -s.lr() * (mm / c1) / (Math.sqrt(vv / c2) + s.eps());
            gotM[i] = m1[i];
            gotV[i] = v1[i];
            gotStep[i] = (double) p1[i] - p0[i];
        }
        String bad = compare("adam: first moment", gotM, refM, 1e-5);
        if (bad == null) bad = compare("adam: second moment", gotV, refV, 1e-5);
        // p1 - p0 cancels: float32 spacing near |p| = 1 is 1.2e-7 against steps of about lr = 1e-3
        if (bad == null) bad = compare("adam: parameter update", gotStep, refStep, 1e-3);
        return bad;
    }

    private String checkCopy(Buffer dst, int n) {
        SplittableRandom r = new SplittableRandom(13);
        int limit = Math.min(n, pool.length);
        for (int s = 0; s < 64; s++) {
            int i = r.nextInt(limit);
            float got = be.read(dst, i);
            if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(pool[i]))
                return "copy: element " + i + " is " + got + ", expected " + pool[i];
        }
        return null;
    }
}
