package dev.jgrad.tests.cuda;

import dev.jgrad.conformance.Ref;
import dev.jgrad.conformance.RefOps;
import dev.jgrad.conformance.Seeds;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.cuda.CudaBackend;
import dev.jgrad.nn.Parameter;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.ThrowingConsumer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the conformance suite cannot see from outside the CUDA backend: where it waits for the GPU,
 * launch shapes past the hardware's grid limits, host copies of any size, calls from threads that
 * never made the context current, and the cuBLAS baseline's argument mapping. Runs on every CUDA
 * device in {@link Device#all()}: the emulated one in CI, the GPU where there is one.
 */
class CudaBackendTest {

    private static Stream<DynamicTest> onCuda(String what, ThrowingConsumer<Device> body) {
        List<Device> cuda = Device.all().stream().filter(d -> d.backend() instanceof CudaBackend).toList();
        if (cuda.isEmpty())
            return Stream.of(DynamicTest.dynamicTest(what + " on cuda", () -> Assumptions.abort(
                    "no CUDA device, real or emulated (-Djgrad.cuda.emulate=true): " + Device.unavailable())));
        return cuda.stream().map(d -> DynamicTest.dynamicTest(what + " on " + d.name(), () -> body.accept(d)));
    }

    private static CudaBackend cuda(Device d) {
        return (CudaBackend) d.backend();
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    @TestFactory
    Stream<DynamicTest> crossEntropyForwardQueuesWithoutWaitingAndReportsABadLabelAtTheNextSync() {
        return onCuda("crossEntropy[no sync, deferred label error]", d -> {
            Generator gen = new Generator(Seeds.forCase("xent sync " + d));
            Tensor logits = Tensor.randn(d, gen, 4, 5);
            Tensor good = Tensor.of(d, new float[] {0, 4, 2, 1}, 4);
            Tensor bad = Tensor.of(d, new float[] {0, 7, 2, 9}, 4);
            cuda(d).synchronize();
            long before = cuda(d).streamSynchronizations();
            Tensor loss = logits.crossEntropy(good);
            Tensor badLoss = logits.crossEntropy(bad);
            assertEquals(before, cuda(d).streamSynchronizations(), "crossEntropy's forward waited for the GPU");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, badLoss::item);
            assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("label 7.0")
                    && e.getMessage().contains("[0, 5)"), "the error must name the first bad row and label: " + e.getMessage());
            // The flag is cleared once reported: the good loss reads back, and equals the CPU's.
            float expected = logits.to(Device.get("cpu-looped")).crossEntropy(good.to(Device.get("cpu-looped"))).item();
            assertEquals(expected, loss.item(), 1e-5f * Math.max(1, Math.abs(expected)));
        });
    }

    @TestFactory
    Stream<DynamicTest> uploadsQueueWithoutWaitingAndCopiesOfAnySizeRoundTrip() {
        return onCuda("copyIn[no sync; pieces through the staging ring]", d -> {
            SplittableRandom r = new SplittableRandom(Seeds.forCase("copy " + d));
            cuda(d).synchronize();
            long before = cuda(d).streamSynchronizations();
            Tensor small = Tensor.of(d, random(r, 100), 100);
            assertEquals(before, cuda(d).streamSynchronizations(), "a small upload waited for the GPU");
            // Larger than the test's staging ring (-Djgrad.cuda.stagingBytes), odd size: several pieces.
            for (int n : new int[] {1, 16_385, 250_001}) {
                float[] v = random(r, n);
                float[] back = Tensor.of(d, v, n).toArray();
                for (int i = 0; i < n; i++) if (Float.floatToRawIntBits(v[i]) != Float.floatToRawIntBits(back[i]))
                    fail("element " + i + " of " + n + " changed in the round trip: " + v[i] + " -> " + back[i]);
            }
            assertEquals(100, small.toArray().length);
        });
    }

    /** Copies over 2 GiB failed (one ByteBuffer view of the staging memory); they now go in pieces. */
    @TestFactory
    Stream<DynamicTest> aCopyOverTwoGibibytesRoundTrips() {
        return onCuda("copyIn/copyOut[2 GiB + 12 bytes]", d -> {
            int n = (1 << 29) + 3;
            Assumptions.assumeTrue(Runtime.getRuntime().maxMemory() > 3L * n * Float.BYTES,
                    "needs a heap of " + 3L * n * 4 / (1 << 20) + " MiB (-Xmx)");
            Backend b = d.backend();
            float[] host = new float[n];
            for (int i = 0; i < n; i += 4093) host[i] = i;
            host[n - 1] = -1f;
            Buffer buf = b.allocate(n);
            try {
                b.copyIn(host, 0, buf, 0, n);
                float[] back = new float[n];
                b.copyOut(buf, 0, back, 0, n);
                for (int i = 0; i < n; i += 4093) assertEquals(host[i], back[i], "element " + i);
                assertEquals(-1f, back[n - 1], "the last element");
                assertEquals(0f, back[n - 2], "an element between the marks");
            } finally {
                b.free(buf);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> optimizerStepsQueueWithoutWaitingAndMatchTheCpu() {
        return onCuda("Adam[5 steps, no sync, tables cached]", d -> {
            Device cpu = Device.get("cpu-looped");
            List<float[]> results = new ArrayList<>();
            for (Device dev : List.of(cpu, d)) {
                Generator gen = new Generator(Seeds.forCase("adam tables"));
                List<Parameter> ps = List.of(new Parameter(Tensor.randn(dev, gen, 7, 3)),
                        new Parameter(Tensor.randn(dev, gen, 1)), new Parameter(Tensor.randn(dev, gen, 300)));
                Adam adam = new Adam(ps, 0.01f);
                for (int step = 0; step < 5; step++) {
                    adam.zeroGrad();
                    Tensor loss = ps.get(0).value().mul(ps.get(0).value()).sum()
                            .add(ps.get(1).value().sum()).add(ps.get(2).value().exp().sum());
                    loss.backward();
                    long before = dev.backend() instanceof CudaBackend c ? c.streamSynchronizations() : 0;
                    adam.step();
                    if (dev.backend() instanceof CudaBackend c)
                        assertEquals(before, c.streamSynchronizations(), "step " + step + " of Adam waited for the GPU");
                }
                float[] all = new float[21 + 1 + 300];
                int at = 0;
                for (Parameter p : ps) for (float v : p.value().toArray()) all[at++] = v;
                results.add(all);
            }
            for (int i = 0; i < results.get(0).length; i++)
                assertEquals(results.get(0)[i], results.get(1)[i], 1e-5f, "parameter element " + i);
        });
    }

    @TestFactory
    Stream<DynamicTest> opsWorkFromAThreadThatNeverTouchedTheDevice() {
        return onCuda("conv2d, matmul, crossEntropy[fresh thread]", d -> {
            Generator gen = new Generator(Seeds.forCase("thread " + d));
            Device cpu = Device.get("cpu-looped");
            Tensor x = Tensor.randn(cpu, gen, 2, 3, 6, 5), w = Tensor.randn(cpu, gen, 4, 3, 3, 3);
            Tensor xd = x.to(d), wd = w.to(d);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            float[][] out = new float[1][];
            Thread t = new Thread(() -> {
                try {
                    Tensor y = xd.conv2d(wd, null, 1, 1);
                    out[0] = y.flatten(1).matmul(Tensor.ones(d, 4 * 30, 2)).toArray();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "fresh-thread");
            t.start();
            t.join();
            if (failure.get() != null) throw new AssertionError("an op on a new thread failed", failure.get());
            float[] expected = x.conv2d(w, null, 1, 1).flatten(1).matmul(Tensor.ones(cpu, 4 * 30, 2)).toArray();
            for (int i = 0; i < expected.length; i++)
                assertEquals(expected[i], out[0][i], 1e-4f * Math.max(1, Math.abs(expected[i])), "element " + i);
        });
    }

    /**
     * The Backend called directly from a thread whose first device call is an internal allocation
     * (batch norm's partial sums, cross-entropy's per-row losses): that allocation used to happen
     * before the context was made current on the thread, which CUDA fails.
     */
    @TestFactory
    Stream<DynamicTest> backendCallsWhoseFirstDeviceCallIsAnAllocationWorkFromAFreshThread() {
        return onCuda("batchNorm, crossEntropy[Backend, fresh thread]", d -> {
            SplittableRandom r = new SplittableRandom(Seeds.forCase("bn thread " + d));
            int n = 3, c = 2, hw = 5;
            float[] x = random(r, n * c * hw), logits = random(r, 4 * 3);
            Backend cpu = Device.get("cpu-looped").backend();
            List<float[]> out = new ArrayList<>();
            for (Backend b : List.of(cpu, d.backend())) {
                Buffer bx = b.allocate(x.length), g = b.allocate(c), be = b.allocate(c), rm = b.allocate(c),
                        rv = b.allocate(c), y = b.allocate(x.length), sm = b.allocate(c), si = b.allocate(c),
                        lg = b.allocate(logits.length), lb = b.allocate(4), loss = b.allocate(1), lse = b.allocate(4);
                b.copyIn(x, 0, bx, 0, x.length);
                b.copyIn(new float[] {1.5f, -0.5f}, 0, g, 0, c);
                b.copyIn(new float[] {0.25f, 2f}, 0, be, 0, c);
                b.copyIn(new float[] {0f, 0f}, 0, rm, 0, c);
                b.copyIn(new float[] {1f, 1f}, 0, rv, 0, c);
                b.copyIn(logits, 0, lg, 0, logits.length);
                b.copyIn(new float[] {2, 0, 1, 1}, 0, lb, 0, 4);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread t = new Thread(() -> {
                    try {
                        b.batchNorm(bx, g, be, rm, rv, y, sm, si, n, c, hw, 1e-5f, 0.1f, true);
                        b.crossEntropy(lg, lb, loss, lse, 4, 3);
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }, "fresh-thread-backend");
                t.start();
                t.join();
                if (failure.get() != null) throw new AssertionError("Backend call on a new thread failed on " + b.name(), failure.get());
                float[] res = new float[x.length + 1];
                b.copyOut(y, 0, res, 0, x.length);
                b.copyOut(loss, 0, res, x.length, 1);
                out.add(res);
            }
            for (int i = 0; i < out.get(0).length; i++)
                assertEquals(out.get(0)[i], out.get(1)[i], 1e-4f, "element " + i + " (the last is the loss)");
        });
    }

    /**
     * argmax over a row longer than a block, with NaNs at 200 and 300: thread 44 of a 256-thread
     * block first holds index 300, so the tree compares (NaN, 300) with (NaN, 200) and two NaNs must
     * tie towards the lower index (PyTorch: the first NaN). Also on the CPU backends.
     */
    @TestFactory
    Stream<DynamicTest> argmaxPicksTheFirstOfSeveralNaNs() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest("argmax[301 with NaN at 200 and 300] on " + d, () -> {
            for (int[] nans : new int[][] {{200, 300}, {300, 200}, {5, 261, 17}}) {
                float[] v = new float[2 * 301];
                for (int i = 0; i < v.length; i++) v[i] = (i % 301) * 0.001f;
                for (int at : nans) v[301 + at] = Float.NaN;
                v[0] = Float.NaN;
                v[250] = Float.NaN;
                float[] got = Tensor.of(d, v, 2, 301).argmax(1, false).toArray();
                int first = Integer.MAX_VALUE;
                for (int at : nans) first = Math.min(first, at);
                assertEquals(0f, got[0], "row 0: NaN at 0 and 250");
                assertEquals(first, got[1], "row 1: NaNs at " + java.util.Arrays.toString(nans));
            }
        }));
    }

    /**
     * Row reductions and batch-norm statistics at lengths that give blocks that are not a power of
     * two (rows of 70 or 77 get 96 threads) or not a multiple of the block (257, 1000), against
     * float64 on every device.
     */
    @TestFactory
    Stream<DynamicTest> reductionsAtBlockSizesThatAreNotAPowerOfTwo() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest("sum, max, argmax, var, batchNorm[r = 1, 33, 70, 77, 257, 1000] on " + d, () -> {
            SplittableRandom r = new SplittableRandom(Seeds.forCase("reduce block " + d));
            for (int len : new int[] {1, 33, 70, 77, 257, 1000}) {
                int rows = 3;
                float[] v = random(r, rows * len);
                Tensor t = Tensor.of(d, v, rows, len);
                float[] sum = t.sum(1, false).toArray(), max = t.max(1, false).toArray(), arg = t.argmax(1, false).toArray();
                for (int row = 0; row < rows; row++) {
                    double s = 0, m = Double.NEGATIVE_INFINITY;
                    int am = 0;
                    for (int j = 0; j < len; j++) {
                        double x = v[row * len + j];
                        s += x;
                        if (x > m) { m = x; am = j; }
                    }
                    assertEquals(s, sum[row], 1e-4 * Math.max(1, Math.abs(s)), "sum of row " + row + " of " + len);
                    assertEquals(m, max[row], 0, "max of row " + row + " of " + len);
                    assertEquals(am, arg[row], "argmax of row " + row + " of " + len);
                }
                if (len == 1) continue;  // batch norm in training needs two values per channel
                // Batch norm over (n, c, h, w) = (1, 2, 1, len): each channel's statistics is one block of len.
                Tensor x = Tensor.of(d, random(r, 2 * len), 1, 2, 1, len);
                float[] xs = x.toArray();
                float[] y = new dev.jgrad.nn.layers.BatchNorm2d(2).to(d).forward(x).toArray();  // training mode
                for (int ch = 0; ch < 2; ch++) {
                    double mean = 0, var = 0;
                    for (int j = 0; j < len; j++) mean += xs[ch * len + j];
                    mean /= len;
                    for (int j = 0; j < len; j++) var += Math.pow(xs[ch * len + j] - mean, 2);
                    var /= len;
                    for (int j = 0; j < len; j++) {
                        double ref = (xs[ch * len + j] - mean) / Math.sqrt(var + 1e-5);
                        assertEquals(ref, y[ch * len + j], 2e-4 * Math.max(1, Math.abs(ref)), "batch norm channel " + ch
                                + " element " + j + " of " + len);
                    }
                }
            }
        }));
    }

    /** C = A B with an independent float64 reference, through one named kernel version. */
    private static void checkMatmul(Device d, String version, int batch, int m, int n, int k, boolean ta, boolean tb,
                                    boolean broadcastA) {
        checkMatmul(d, version, batch, m, n, k, ta, tb, broadcastA, 65_535);
    }

    private static void checkMatmul(Device d, String version, int batch, int m, int n, int k, boolean ta, boolean tb,
                                    boolean broadcastA, int gridLimit) {
        SplittableRandom r = new SplittableRandom(Seeds.forCase("matmul " + version + " " + batch + " " + m));
        Backend b = d.backend();
        int aBatch = broadcastA ? 1 : batch;
        float[] a = random(r, aBatch * m * k), bb = random(r, batch * k * n);
        Buffer da = b.allocate(a.length), db = b.allocate(bb.length), dc = b.allocate(batch * m * n);
        try {
            b.copyIn(a, 0, da, 0, a.length);
            b.copyIn(bb, 0, db, 0, bb.length);
            cuda(d).matmulWith(version, da, db, dc, batch, m, n, k, ta, tb, broadcastA ? 0 : m * k, k * n, gridLimit);
            float[] c = new float[batch * m * n];
            b.copyOut(dc, 0, c, 0, c.length);
            for (int q = 0; q < batch; q++)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        double ref = 0;
                        for (int p = 0; p < k; p++) {
                            int ao = (broadcastA ? 0 : q * m * k) + (ta ? p * m + i : i * k + p);
                            int bo = q * k * n + (tb ? j * k + p : p * n + j);
                            ref += (double) a[ao] * bb[bo];
                        }
                        float got = c[(q * m + i) * n + j];
                        if (!(Math.abs(got - ref) <= 1e-4 * Math.max(1, Math.abs(ref))))
                            fail(version + " batch " + q + " (" + i + ", " + j + ") of " + batch + "x" + m + "x" + n + "x" + k
                                    + (ta ? " A^T" : "") + (tb ? " B^T" : "") + ": " + got + ", expected " + ref);
                    }
        } finally {
            b.free(da);
            b.free(db);
            b.free(dc);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyMatmulVersionPastTheGridLimits() {
        // sgemm_v1's grid.y was (m + 15) / 16, over 65535 for m > 1,048,560; every version's grid.z
        // was the batch. Both are now capped at 65535 and the kernels loop.
        return Stream.of(
                onCuda("sgemm_v1[m = 1,048,577]", d -> checkMatmul(d, "v1", 1, 1_048_577, 1, 2, false, false, false)),
                onCuda("sgemm_v1[batch 65,537]", d -> checkMatmul(d, "v1", 65_537, 2, 3, 2, false, true, false))
        ).flatMap(s -> s);
    }

    /**
     * The same loops in every tiled version, on small problems: gridDim.y and gridDim.z capped at 2
     * (matmulWith's test limit), with more row tiles and batch entries than that, every transposition.
     */
    @TestFactory
    Stream<DynamicTest> everyTiledVersionLoopsOverRowTilesAndBatchEntries() {
        return onCuda("sgemm v1-v4[grid y, z capped at 2; 5 batch entries, 3-5 row tiles]", d -> {
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true}) {
                    checkMatmul(d, "v1", 5, 16 * 4 + 3, 9, 5, ta, tb, false, 2);
                    checkMatmul(d, "v2", 5, 32 * 3 + 1, 33, 40, ta, tb, true, 2);
                    checkMatmul(d, "v3", 5, 128 * 2 + 5, 7, 9, ta, tb, false, 2);
                    checkMatmul(d, "v4", 5, 128 * 2 + 4, 8, 16, ta, tb, true, 2);
                }
        });
    }

    @TestFactory
    Stream<DynamicTest> sgemmV4OnEveryTranspositionAndAwkwardShapes() {
        // sgemm_v4 has a float4 fast path (aligned launch, blocks inside the matrix) and a predicated
        // edge path; these shapes hit both, partial k tiles, one k tile, and mixed blocks.
        int[][] shapes = { // batch, m, n, k, broadcast A
                {1, 1, 1, 1, 0}, {1, 127, 129, 33, 0}, {1, 128, 128, 16, 0}, {1, 256, 64, 48, 0},
                {1, 256, 256, 32, 0}, {1, 3, 500, 7, 0}, {1, 132, 260, 20, 0}, {3, 130, 136, 24, 1},
                {1, 260, 132, 32, 0} /* aligned: fast and edge blocks */, {2, 128, 256, 16, 1} /* fast, batched */};
        return Stream.of(false, true).flatMap(ta -> Stream.of(false, true).flatMap(tb ->
                onCuda("sgemm_v4[" + (ta ? "t" : "n") + (tb ? "t" : "n") + ", awkward shapes]", d -> {
                    for (int[] s : shapes) checkMatmul(d, "v4", s[0], s[1], s[2], s[3], ta, tb, s[4] == 1);
                })));
    }

    @TestFactory
    Stream<DynamicTest> theCublasPathMapsRowMajorOntoColumnMajor() {
        return onCuda("matmul[cublas, every transposition, batch strides, broadcast]", d -> {
            Assumptions.assumeTrue(cuda(d).cublasUnavailableReason() == null, "cuBLAS: " + cuda(d).cublasUnavailableReason());
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true}) {
                    checkMatmul(d, "cublas", 3, 5, 7, 4, ta, tb, false);
                    checkMatmul(d, "cublas", 2, 1, 9, 3, ta, tb, true);
                }
        });
    }
}
