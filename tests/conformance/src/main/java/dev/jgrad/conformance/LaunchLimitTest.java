package dev.jgrad.conformance;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.conformance.OpSpec.Arg;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.jgrad.conformance.OpSpec.TOL;
import static dev.jgrad.conformance.OpSpec.TOL_LONG_SUM;
import static dev.jgrad.conformance.Sampler.distinct;
import static dev.jgrad.conformance.Sampler.normal;
import static dev.jgrad.conformance.Sampler.uniform;

/**
 * Shapes that cross GPU launch limits, on every device of {@link Device#all()}, against the
 * suite's float64 references ({@link RefOps}): a batch of 65537 (one more than a grid's 65535
 * y/z blocks) for batched matmul and conv2d, softmax rows longer than 1024 threads and not a power
 * of two, reductions whose length is not a multiple of a 256-thread block or a 32-lane warp (along
 * the last and along a middle dimension), and batch norm with {@code N*H*W = 231}. The work is
 * tiny per item, so every case stays well under a second on the CPU (the CUDA emulator runs them
 * too). Forward outputs and gradients are checked; gradients of {@code L = sum(out * R)} against
 * float64 formulas written here (central differences would cost a full op per element), except
 * batch norm, which goes through {@link Checker} and its central differences.
 */
class LaunchLimitTest {

    /** Batches past CUDA's 65535 limit on gridDim.y and gridDim.z. */
    static final int BIG_BATCH = 65537;
    static final int[] REDUCE_LENGTHS = {1, 31, 257, 1000, 4099};

    private record Big(String op, String label, Body body) {}

    @FunctionalInterface
    private interface Body {
        void run(Run r);
    }

    /** One case on one device: its random stream and how its failures are titled. */
    private record Run(String title, Device device, SplittableRandom rnd) {
        Ref draw(Sampler s, int... shape) {
            return new Ref(shape, s.sample(rnd, Ref.numel(shape)));
        }

        Tensor on(Ref r, boolean grad) {
            return Tensor.of(device, r.toFloats(), r.shape).requiresGrad(grad);
        }

        void check(String what, Tensor got, Ref want, double tol, Arg... inputs) {
            Checker.Context ctx = new Checker.Context(title, Seeds.base(), List.of(inputs));
            if (got == null) throw new AssertionError(ctx.header(what + ": backward left no gradient"));
            if (!java.util.Arrays.equals(got.shape(), want.shape))
                throw new AssertionError(ctx.header(what + ": shape " + Ref.str(got.shape()) + ", reference "
                        + Ref.str(want.shape)));
            Checker.compare(ctx, what, got.toArray(), want, tol);
        }
    }

    static List<Big> cases() {
        List<Big> all = new ArrayList<>();
        matmul(all);
        conv(all);
        for (boolean log : new boolean[] {false, true}) softmax(all, log);
        reductions(all);
        return all;
    }

    @TestFactory
    Stream<DynamicNode> bigShapesOnEveryDevice() {
        List<Big> cases = cases();
        Stream<DynamicNode> run = Conformance.devices().stream().map(d -> DynamicContainer.dynamicContainer(
                "launch-limit shapes on " + d.name(), Stream.concat(
                        cases.stream().map(c -> DynamicTest.dynamicTest(c.op() + "[" + c.label() + "] on " + d.name(), () -> {
                            String title = c.op() + "[" + c.label() + "] on " + d.name();
                            c.body().run(new Run(title, d, new SplittableRandom(Seeds.forCase(c.op() + "[" + c.label() + "]"))));
                        })),
                        batchNorm().cases().stream().map(c -> DynamicTest.dynamicTest(
                                batchNorm().name() + "[" + c.label() + "] on " + d.name(),
                                () -> Checker.check(batchNorm(), c, d))))));
        Stream<DynamicNode> skipped = Conformance.unavailable().entrySet().stream().map(e -> DynamicTest.dynamicTest(
                "launch-limit shapes on " + e.getKey(), () -> Assumptions.abort(e.getKey() + " is not available: " + e.getValue())));
        return Stream.concat(run, skipped);
    }

    // ------------------------------------------------------------------ matmul

    private static void matmul(List<Big> all) {
        int n = BIG_BATCH;
        int[][][] shapes = {
                {{n, 2, 3}, {n, 3, 2}},   // both batched
                {{n, 2, 3}, {3, 2}},      // the right matrix broadcast to every batch entry
                {{2, 3}, {n, 3, 2}},      // the left one
                {{n, 1, 4}, {1, 4, 3}},   // a size-1 batch dimension broadcast
        };
        for (int[][] s : shapes) {
            Arg a = Arg.of(normal(), s[0]), b = Arg.of(normal(), s[1]);
            all.add(new Big("matmul", a.describe() + " @ " + b.describe(), r -> {
                Ref ra = r.draw(a.sampler(), a.shape()), rb = r.draw(b.sampler(), b.shape());
                Tensor ta = r.on(ra, true), tb = r.on(rb, true);
                Tensor out = ta.matmul(tb);
                Ref want = RefOps.matmul(ra, rb);
                r.check("forward output " + Ref.str(want.shape), out, want, TOL, a, b);
                Ref weight = r.draw(uniform(0.5, 1.5), want.shape);
                out.mul(r.on(weight, false)).sum().backward();
                // dL/dA = R B^T, dL/dB = A^T R, summed over the batch entries an operand was broadcast to
                Ref ga = sumToShape(RefOps.matmul(weight, rb.transposeLast()), ra.shape);
                Ref gb = sumToShape(RefOps.matmul(ra.transposeLast(), weight), rb.shape);
                r.check("gradient of the left operand", ta.grad(), ga, ra.rank() < 3 ? TOL_LONG_SUM : TOL, a, b);
                r.check("gradient of the right operand", tb.grad(), gb,
                        rb.rank() < 3 || rb.shape[0] == 1 ? TOL_LONG_SUM : TOL, a, b);
            }));
        }
    }

    /** {@code g} summed over its leading dimensions (and size-1 ones) down to {@code shape}. */
    private static Ref sumToShape(Ref g, int[] shape) {
        int lead = g.rank() - shape.length;
        Ref out = Ref.zeros(shape);
        for (int i = 0; i < g.data.length; i++) {
            int[] idx = g.unravel(i);
            int f = 0;
            for (int d = 0; d < shape.length; d++) f = f * shape[d] + (shape[d] == 1 ? 0 : idx[lead + d]);
            out.data[f] += g.data[i];
        }
        return out;
    }

    // ------------------------------------------------------------------ conv2d

    private static void conv(List<Big> all) {
        int[][] geometries = {{1, 0}, {2, 1}};   // stride, padding
        for (int[] geo : geometries) {
            int stride = geo[0], pad = geo[1];
            Arg x = Arg.of(normal(), BIG_BATCH, 1, 3, 3), w = Arg.of(normal(), 2, 1, 2, 2), bias = Arg.of(normal(), 2);
            all.add(new Big("conv2d", x.describe() + " * " + w.describe() + " stride " + stride + " pad " + pad, r -> {
                Ref rx = r.draw(x.sampler(), x.shape()), rw = r.draw(w.sampler(), w.shape()), rb = r.draw(bias.sampler(), bias.shape());
                Tensor tx = r.on(rx, true), tw = r.on(rw, true), tb = r.on(rb, true);
                Tensor out = tx.conv2d(tw, tb, stride, pad);
                Ref want = RefOps.conv2d(rx, rw, rb, stride, pad);
                r.check("forward output " + Ref.str(want.shape), out, want, TOL, x, w, bias);
                Ref weight = r.draw(uniform(0.5, 1.5), want.shape);
                out.mul(r.on(weight, false)).sum().backward();
                Ref[] g = convGrads(rx, rw, weight, stride, pad);
                r.check("gradient of the input", tx.grad(), g[0], TOL, x, w, bias);
                // the weight and bias gradients sum over 65537 images: long sums
                r.check("gradient of the weight", tw.grad(), g[1], TOL_LONG_SUM, x, w, bias);
                r.check("gradient of the bias", tb.grad(), g[2], TOL_LONG_SUM, x, w, bias);
            }));
        }
    }

    /**
     * Gradients of {@code sum(conv2d(x, w) * r)}: each output term {@code r[n,o,y,x] x[n,c,iy,ix]
     * w[o,c,i,j]} adds its other two factors to the input's and the weight's gradient; the bias
     * gets {@code sum r}.
     */
    private static Ref[] convGrads(Ref x, Ref w, Ref r, int stride, int pad) {
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
        int o = w.shape[0], kh = w.shape[2], kw = w.shape[3], oh = r.shape[2], ow = r.shape[3];
        Ref gx = Ref.zeros(x.shape), gw = Ref.zeros(w.shape), gb = Ref.zeros(o);
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++) {
                        double g = r.at(b, oc, y, xx);
                        gb.data[oc] += g;
                        for (int ic = 0; ic < c; ic++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++) {
                                    int iy = y * stride - pad + i, ix = xx * stride - pad + j;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    gx.data[gx.flat(b, ic, iy, ix)] += g * w.at(oc, ic, i, j);
                                    gw.data[gw.flat(oc, ic, i, j)] += g * x.at(b, ic, iy, ix);
                                }
                    }
        return new Ref[] {gx, gw, gb};
    }

    // ------------------------------------------------------------------ softmax

    private static void softmax(List<Big> all, boolean log) {
        int[][] shapeDim = {{3, 1531, 1}, {2, 4099, 1}, {1531, 3, 0}, {2, 1031, 3, 1}};
        for (int[] sd : shapeDim) {
            int dim = sd[sd.length - 1];
            int[] shape = java.util.Arrays.copyOf(sd, sd.length - 1);
            Arg x = Arg.of(normal(3), shape);
            all.add(new Big(log ? "logSoftmax" : "softmax", x.describe() + " dim " + dim, r -> {
                Ref rx = r.draw(x.sampler(), shape);
                Tensor tx = r.on(rx, true);
                Tensor out = log ? tx.logSoftmax(dim) : tx.softmax(dim);
                Ref y = RefOps.softmax(rx, dim, log);
                r.check("forward output", out, y, TOL, x);
                Ref weight = r.draw(uniform(0.5, 1.5), shape);
                out.mul(r.on(weight, false)).sum().backward();
                // the backward sums r y over the whole row (1031 to 4099 terms) and subtracts: a long sum
                r.check("gradient", tx.grad(), softmaxGrad(y, weight, dim, log), TOL_LONG_SUM, x);
            }));
        }
    }

    /** softmax: {@code y (r - sum(r y))}; log-softmax: {@code r - exp(y) sum(r)}, along {@code dim}. */
    private static Ref softmaxGrad(Ref y, Ref r, int dim, boolean log) {
        int size = y.shape[dim], inner = 1;
        for (int d = dim + 1; d < y.rank(); d++) inner *= y.shape[d];
        int outer = y.numel() / (size * inner);
        Ref g = Ref.zeros(y.shape);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++) {
                int base = o * size * inner + i;
                double s = 0;
                for (int j = 0; j < size; j++) s += log ? r.data[base + j * inner] : r.data[base + j * inner] * y.data[base + j * inner];
                for (int j = 0; j < size; j++) {
                    int at = base + j * inner;
                    g.data[at] = log ? r.data[at] - Math.exp(y.data[at]) * s : y.data[at] * (r.data[at] - s);
                }
            }
        return g;
    }

    // ------------------------------------------------------------------ reductions

    private static void reductions(List<Big> all) {
        for (int len : REDUCE_LENGTHS) {
            int[][] shapes = {{3, len}, {2, len, 3}};
            for (int[] shape : shapes) {
                int dim = 1;
                String where = (shape.length == 2 ? "last" : "middle") + " dim";
                int correction = len == 1 ? 0 : 1;
                reduction(all, "sum", shape, dim, where, normal(), t -> t.sum(dim, false),
                        x -> RefOps.sum(x, new int[] {dim}, false), (x, w) -> w.expand(x.shape));
                reduction(all, "mean", shape, dim, where, normal(), t -> t.mean(dim, true),
                        x -> RefOps.mean(x, new int[] {dim}, true), (x, w) -> w.expand(x.shape).map(v -> v / len));
                reduction(all, "max", shape, dim, where, distinct(), t -> t.max(dim, false),
                        x -> RefOps.maxAlong(x, dim, false, false), (x, w) -> {
                            // the weight lands on each output's (first, and here only) maximum
                            Ref at = RefOps.maxAlong(x, dim, true, true), g = Ref.zeros(x.shape);
                            for (int i = 0; i < x.data.length; i++) {
                                int[] idx = x.unravel(i);
                                int k = idx[dim];
                                idx[dim] = 0;
                                if (at.at(idx) == k) g.data[i] = w.broadcastAt(idx);
                            }
                            return g;
                        });
                reduction(all, "argmax", shape, dim, where, distinct(), t -> t.argmax(dim, false),
                        x -> RefOps.maxAlong(x, dim, false, true), null);
                reduction(all, "var(correction " + correction + ")", shape, dim, where, normal(),
                        t -> t.var(new int[] {dim}, true, correction),
                        x -> RefOps.var(x, new int[] {dim}, true, correction), (x, w) -> {
                            // d var / dx = 2 (x - mean) / (len - correction)
                            Ref mean = RefOps.mean(x, new int[] {dim}, true), g = Ref.zeros(x.shape);
                            for (int i = 0; i < x.data.length; i++) {
                                int[] idx = x.unravel(i);
                                idx[dim] = 0;
                                g.data[i] = w.broadcastAt(idx) * 2 * (x.data[i] - mean.at(idx)) / (len - correction);
                            }
                            return g;
                        });
            }
        }
    }

    @FunctionalInterface
    private interface GradRef {
        /** {@code dL/dx} for input {@code x} and output weight {@code w} (kept-dim shape). */
        Ref apply(Ref x, Ref w);
    }

    private static void reduction(List<Big> all, String op, int[] shape, int dim, String where, Sampler s,
                                  Function<Tensor, Tensor> call, Function<Ref, Ref> ref, GradRef grad) {
        Arg x = Arg.of(s, shape);
        all.add(new Big(op, x.describe() + " along the " + where + " (" + shape[dim] + ")", r -> {
            Ref rx = r.draw(s, shape);
            Tensor tx = r.on(rx, grad != null);
            Tensor out = call.apply(tx);
            Ref want = ref.apply(rx);
            r.check("forward output " + Ref.str(want.shape), out, want, grad == null ? 0 : TOL, x);
            if (grad == null) return;
            Ref weight = r.draw(uniform(0.5, 1.5), want.shape);
            out.mul(r.on(weight, false)).sum().backward();
            int[] kept = shape.clone();
            kept[dim] = 1;
            r.check("gradient", tx.grad(), grad.apply(rx, weight.reshape(kept)), TOL, x);
        }));
    }

    // ------------------------------------------------------------------ batch norm

    private static OpSpec batchNorm;

    /** Batch norm of (3, 5, 7, 11): N*H*W = 231 per channel, through Checker and central differences. */
    private static synchronized OpSpec batchNorm() {
        if (batchNorm != null) return batchNorm;
        OpSpec.Builder b = OpSpec.named("batchNorm").gradTolerance(TOL_LONG_SUM);
        for (boolean training : new boolean[] {true, false}) {
            Arg[] args = {Arg.of(uniform(-2, 3), 3, 5, 7, 11), Arg.of(uniform(0.5, 2), 5), Arg.of(normal(), 5),
                    Arg.of(normal(0.5), 5).noGrad(), Arg.of(uniform(0.5, 2), 5).noGrad()};
            b.add(args[0].describe() + (training ? " training" : " evaluation"), TOL,
                    in -> in[0].batchNorm(in[1], in[2], in[3], in[4], training, NnSpecs.MOMENTUM, NnSpecs.EPS),
                    in -> RefOps.batchNorm(in[0], in[1], in[2], in[3], in[4], training, NnSpecs.EPS), args);
        }
        return batchNorm = b.build();
    }
}
