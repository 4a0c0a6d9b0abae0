package dev.jgrad.tests.cuda;

import dev.jgrad.conformance.Ref;
import dev.jgrad.conformance.RefOps;
import dev.jgrad.conformance.Seeds;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Parameter;
import dev.jgrad.nn.optim.AdaGrad;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.AdamW;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.RMSProp;
import dev.jgrad.nn.optim.SGD;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The index paths of batch norm, convolution and the fused optimizer step (issue 12), on every
 * device of {@link Device#all()}, against the same computation on {@code cpu-looped}: batch norm
 * with hw = 1 and with planes far longer than a block, with per-channel slices split over several
 * blocks whose ranges start and end mid-plane; conv2d with a bias whose gradient spans several
 * blocks per channel (and a second pass); every optimizer over tensors of sizes 1, 3, 4, 1027 and
 * 4099 (past one chunk of 4096, a float4 body with a scalar tail) in one step; im2col/col2im's
 * 64-bit path, forced by {@code -Djgrad.cuda.conv.wide}; and the stride-1 implicit-GEMM forward
 * (conv2d_implicit) on shapes at and across its 64x64 tile edges, kernels 1x1 to 5x5, with and
 * without a bias. Gradients are of
 * {@code L = sum(out * R)} for a random R.
 */
class KernelPathTest {
    private static final Device REF = Device.get("cpu-looped");

    private record Case(String name, Run body) {}

    @FunctionalInterface
    private interface Run {
        void on(Device d, String title);
    }

    @TestFactory
    Stream<DynamicTest> kernelPathsMatchCpuLooped() {
        List<Case> cases = new ArrayList<>();
        int[][] bnShapes = {{9000, 3}, {64, 3}, {7, 2, 1, 1}, {2, 3, 50, 100}, {1, 2, 64, 129}, {1000, 2, 3, 3}, {3, 2, 37, 41}, {5, 4, 7, 11}};
        for (int[] shape : bnShapes)
            for (boolean training : new boolean[] {true, false})
                cases.add(new Case("batchNorm " + Ref.str(shape) + (training ? " training" : " evaluation"),
                        (d, title) -> batchNorm(d, title, shape, training)));
        int[][] convShapes = {{4, 2, 48, 48, 3, 1, 1}, {3, 3, 40, 41, 5, 2, 2}, {9, 1, 30, 30, 2, 1, 0}, {2, 2, 5, 5, 3, 1, 1}};
        for (int[] c : convShapes)
            cases.add(new Case("conv2d x " + Ref.str(new int[] {c[0], c[1], c[2], c[3]}) + " -> " + c[4] + " channels, stride "
                    + c[5] + ", padding " + c[6], (d, title) -> conv(d, title, c)));
        // im2col's and col2im's 64-bit instantiation (taken only past 2^31 elements), forced
        int[] wideCase = {3, 3, 20, 21, 4, 2, 1};
        cases.add(new Case("conv2d x 3x3x20x21 -> 4 channels, stride 2, padding 1, 64-bit indexing", (d, title) -> {
            System.setProperty("jgrad.cuda.conv.wide", "true");
            try {
                conv(d, title, wideCase);
            } finally {
                System.clearProperty("jgrad.cuda.conv.wide");
            }
        }));
        // stride 1, the implicit-GEMM forward (conv2d_implicit, 64x64 tiles, BK = 8) by default:
        // shapes on and across tile edges, kernel sizes 1, 3 and 5, with and without a bias
        // {n, cIn, h, w, cOut, kh, kw, padding}
        int[][] implicitShapes = {{1, 1, 5, 5, 1, 3, 3, 1}, {2, 3, 17, 13, 7, 5, 5, 2}, {3, 16, 12, 12, 65, 3, 3, 0},
                {1, 6, 14, 14, 16, 5, 5, 0}, {2, 5, 9, 11, 3, 1, 1, 0}, {1, 70, 8, 9, 66, 1, 1, 0}};
        for (int[] c : implicitShapes)
            for (boolean withBias : new boolean[] {true, false})
                cases.add(new Case("conv2d stride 1 x " + Ref.str(new int[] {c[0], c[1], c[2], c[3]}) + " * "
                        + Ref.str(new int[] {c[4], c[1], c[5], c[6]}) + ", padding " + c[7] + (withBias ? ", bias" : ", no bias"),
                        (d, title) -> convStride1(d, title, c, withBias)));
        for (OptCase o : optimizers()) cases.add(new Case("optimizer " + o.name(), (d, title) -> optimizer(d, title, o)));
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Device.all())
            for (Case c : cases) {
                String title = c.name() + " on " + d.name();
                tests.add(DynamicTest.dynamicTest(title, () -> c.body().on(d, title)));
            }
        return tests.stream();
    }

    // ------------------------------------------------------------------ helpers

    private static float[] random(SplittableRandom rnd, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return v;
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /** |got - want| within tol of the reference's largest magnitude plus a relative tol. */
    private static void close(String title, String what, float[] got, float[] want, double tol) {
        if (got.length != want.length) throw new AssertionError(title + ": " + what + " has " + got.length + " values, reference " + want.length);
        double scale = 0;
        for (float w : want) scale = Math.max(scale, Math.abs(w));
        for (int i = 0; i < got.length; i++) {
            double err = Math.abs((double) got[i] - want[i]);
            if (!(err <= tol * (scale + Math.abs(want[i])) + 1e-30))
                throw new AssertionError(title + ": " + what + "[" + i + "] = " + got[i] + ", cpu-looped " + want[i]
                        + " (error " + err + ", largest reference magnitude " + scale + ")");
        }
    }

    // ------------------------------------------------------------------ batch norm

    private static final class Bn {
        Tensor x, gamma, beta, rm, rv, out;
    }

    private static Bn bnRun(Device dev, int[] shape, float[] x, float[] g, float[] b, float[] rm, float[] rv, float[] r,
                            boolean training) {
        int c = shape[1];
        Bn s = new Bn();
        s.x = Tensor.of(dev, x, shape).requiresGrad(true);
        s.gamma = Tensor.of(dev, g, c).requiresGrad(true);
        s.beta = Tensor.of(dev, b, c).requiresGrad(true);
        s.rm = Tensor.of(dev, rm, c);
        s.rv = Tensor.of(dev, rv, c);
        s.out = s.x.batchNorm(s.gamma, s.beta, s.rm, s.rv, training, 0.1f, 1e-5f);
        s.out.mul(Tensor.of(dev, r, shape)).sum().backward();
        return s;
    }

    private static void batchNorm(Device d, String title, int[] shape, boolean training) {
        SplittableRandom rnd = new SplittableRandom(Seeds.forCase(title.substring(0, title.lastIndexOf(" on "))));
        int n = numel(shape), c = shape[1];
        float[] x = random(rnd, n, -2, 3), g = random(rnd, c, 0.5, 2), b = random(rnd, c, -1, 1);
        float[] rm = random(rnd, c, -0.5, 0.5), rv = random(rnd, c, 0.5, 2), r = random(rnd, n, 0.5, 1.5);
        Bn got = bnRun(d, shape, x, g, b, rm, rv, r, training), want = bnRun(REF, shape, x, g, b, rm, rv, r, training);
        close(title, "output", got.out.toArray(), want.out.toArray(), 1e-5);
        close(title, "running mean", got.rm.toArray(), want.rm.toArray(), 1e-5);
        close(title, "running variance", got.rv.toArray(), want.rv.toArray(), 1e-5);
        close(title, "input gradient", got.x.grad().toArray(), want.x.grad().toArray(), 1e-4);
        // gamma's and beta's gradients are sums over n*hw terms that cancel: in float64 here, within
        // float32 rounding of the sum of the terms' magnitudes
        int hw = n / (shape[0] * c);
        double[] gGamma = new double[c], gBeta = new double[c], mag = new double[c], bMag = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double mean = 0, m2 = 0, cnt = (double) shape[0] * hw;
            for (int i = 0; i < shape[0]; i++)
                for (int s = 0; s < hw; s++) mean += x[(i * c + ch) * hw + s];
            mean /= cnt;
            for (int i = 0; i < shape[0]; i++)
                for (int s = 0; s < hw; s++) m2 += Math.pow(x[(i * c + ch) * hw + s] - mean, 2);
            double mu = training ? mean : rm[ch], inv = 1 / Math.sqrt((training ? m2 / cnt : rv[ch]) + 1e-5);
            for (int i = 0; i < shape[0]; i++)
                for (int s = 0; s < hw; s++) {
                    int at = (i * c + ch) * hw + s;
                    double term = r[at] * (x[at] - mu) * inv;
                    gGamma[ch] += term;
                    mag[ch] += Math.abs(term);
                    gBeta[ch] += r[at];
                    bMag[ch] += Math.abs(r[at]);
                }
        }
        sums(title, "gamma gradient", got.gamma.grad().toArray(), gGamma, mag);
        sums(title, "beta gradient", got.beta.grad().toArray(), gBeta, bMag);
    }

    private static void sums(String title, String what, float[] got, double[] want, double[] magnitude) {
        for (int i = 0; i < want.length; i++)
            if (!(Math.abs(got[i] - want[i]) <= 1e-5 * magnitude[i] + 1e-6))
                throw new AssertionError(title + ": " + what + "[" + i + "] = " + got[i] + ", float64 " + want[i]
                        + " (sum of the terms' magnitudes " + magnitude[i] + ")");
    }

    // ------------------------------------------------------------------ conv2d

    /** c = {n, cIn, h, w, cOut, stride, padding}; a 3x3 kernel. */
    private static void conv(Device d, String title, int[] c) {
        SplittableRandom rnd = new SplittableRandom(Seeds.forCase(title.substring(0, title.lastIndexOf(" on "))));
        int[] xs = {c[0], c[1], c[2], c[3]}, ws = {c[4], c[1], 3, 3};
        float[] x = random(rnd, numel(xs), -1, 1), w = random(rnd, numel(ws), -0.5, 0.5), b = random(rnd, c[4], -1, 1);
        int[] os = {c[0], c[4], (c[2] + 2 * c[6] - 3) / c[5] + 1, (c[3] + 2 * c[6] - 3) / c[5] + 1};
        float[] r = random(rnd, numel(os), 0.5, 1.5);
        Tensor[] got = convRun(d, xs, ws, x, w, b, r, c), want = convRun(REF, xs, ws, x, w, b, r, c);
        String[] what = {"output", "input gradient", "weight gradient", "bias gradient"};
        for (int k = 0; k < 4; k++) close(title, what[k], got[k].toArray(), want[k].toArray(), 1e-4);
        // the bias gradient (split over blocks, summed in a fixed order) is the same bits on every run
        Tensor[] again = convRun(d, xs, ws, x, w, b, r, c);
        if (!java.util.Arrays.equals(got[3].toArray(), again[3].toArray()))
            throw new AssertionError(title + ": the bias gradient differs between two runs");
    }

    private static Tensor[] convRun(Device dev, int[] xs, int[] ws, float[] x, float[] w, float[] b, float[] r, int[] c) {
        Tensor tx = Tensor.of(dev, x, xs).requiresGrad(true), tw = Tensor.of(dev, w, ws).requiresGrad(true);
        Tensor tb = Tensor.of(dev, b, c[4]).requiresGrad(true);
        Tensor out = tx.conv2d(tw, tb, c[5], c[6]);
        out.mul(Tensor.of(dev, r, out.shape())).sum().backward();
        return new Tensor[] {out, tx.grad(), tw.grad(), tb.grad()};
    }

    /** c = {n, cIn, h, w, cOut, kh, kw, padding}, stride 1: output, and the three gradients. */
    private static void convStride1(Device d, String title, int[] c, boolean withBias) {
        SplittableRandom rnd = new SplittableRandom(Seeds.forCase(title.substring(0, title.lastIndexOf(" on "))));
        int[] xs = {c[0], c[1], c[2], c[3]}, ws = {c[4], c[1], c[5], c[6]};
        float[] x = random(rnd, numel(xs), -1, 1), w = random(rnd, numel(ws), -0.5, 0.5), b = random(rnd, c[4], -1, 1);
        int[] os = {c[0], c[4], c[2] + 2 * c[7] - c[5] + 1, c[3] + 2 * c[7] - c[6] + 1};
        float[] r = random(rnd, numel(os), 0.5, 1.5);
        Tensor[] got = convRun1(d, xs, ws, x, w, withBias ? b : null, r, c[7]);
        Tensor[] want = convRun1(REF, xs, ws, x, w, withBias ? b : null, r, c[7]);
        if (!java.util.Arrays.equals(got[0].shape(), os))
            throw new AssertionError(title + ": output shape " + Ref.str(got[0].shape()) + ", expected " + Ref.str(os));
        String[] what = {"output", "input gradient", "weight gradient", "bias gradient"};
        for (int k = 0; k < got.length; k++) close(title, what[k], got[k].toArray(), want[k].toArray(), 1e-4);
    }

    private static Tensor[] convRun1(Device dev, int[] xs, int[] ws, float[] x, float[] w, float[] b, float[] r, int pad) {
        Tensor tx = Tensor.of(dev, x, xs).requiresGrad(true), tw = Tensor.of(dev, w, ws).requiresGrad(true);
        Tensor tb = b == null ? null : Tensor.of(dev, b, ws[0]).requiresGrad(true);
        Tensor out = tx.conv2d(tw, tb, 1, pad);
        out.mul(Tensor.of(dev, r, out.shape())).sum().backward();
        return tb == null ? new Tensor[] {out, tx.grad(), tw.grad()} : new Tensor[] {out, tx.grad(), tw.grad(), tb.grad()};
    }

    // ------------------------------------------------------------------ optimizers

    private record OptCase(String name, Function<List<Parameter>, Optimizer> make) {}

    private static List<OptCase> optimizers() {
        return List.of(
                new OptCase("SGD", ps -> new SGD(ps, 0.1f)),
                new OptCase("SGD momentum 0.9, weight decay 0.01", ps -> new SGD(ps, 0.1f, 0.9f, 0.01f)),
                new OptCase("AdaGrad", ps -> new AdaGrad(ps, 0.1f)),
                new OptCase("RMSProp alpha 0.9", ps -> new RMSProp(ps, 0.1f, 0.9f, 0f)),
                new OptCase("Adam", ps -> new Adam(ps, 0.01f)),
                new OptCase("Adam L2 0.05", ps -> new Adam(ps, 0.01f, 0.9f, 0.999f, 1e-8f, 0.05f, false)),
                new OptCase("AdamW 0.05", ps -> new AdamW(ps, 0.01f, 0.05f)));
    }

    private static final int[] OPT_SIZES = {1, 3, 4, 1027, 4099, 8};

    private static void optimizer(Device d, String title, OptCase o) {
        SplittableRandom rnd = new SplittableRandom(Seeds.forCase(title.substring(0, title.lastIndexOf(" on "))));
        float[][] init = new float[OPT_SIZES.length][];
        for (int k = 0; k < OPT_SIZES.length; k++) init[k] = random(rnd, OPT_SIZES[k], -1, 1);
        float[][][] grads = new float[3][OPT_SIZES.length][];
        for (float[][] step : grads)
            for (int k = 0; k < OPT_SIZES.length; k++) step[k] = random(rnd, OPT_SIZES[k], -2, 2);
        List<Parameter> got = optRun(d, o, init, grads), want = optRun(REF, o, init, grads);
        for (int k = 0; k < OPT_SIZES.length; k++)
            close(title, "parameter " + k + " (size " + OPT_SIZES[k] + ")", got.get(k).value().toArray(),
                    want.get(k).value().toArray(), 1e-5);
    }

    private static List<Parameter> optRun(Device dev, OptCase o, float[][] init, float[][][] grads) {
        List<Parameter> ps = new ArrayList<>();
        for (int k = 0; k < init.length; k++) ps.add(new Parameter(Tensor.of(dev, init[k], init[k].length)));
        Optimizer opt = o.make().apply(ps);
        for (float[][] step : grads) {
            Tensor loss = null;
            for (int k = 0; k < init.length; k++) {
                Tensor term = ps.get(k).value().mul(Tensor.of(dev, step[k], step[k].length)).sum();
                loss = loss == null ? term : loss.add(term);
            }
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        return ps;
    }
}
