package dev.jgrad.conformance;

import dev.jgrad.engine.CrossEntropyOptions;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Reduction;
import dev.jgrad.engine.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tensors with a zero-size dimension, on every device, with PyTorch's answers: an op whose
 * output has no element returns an empty tensor of the right shape; a reduction over an empty
 * dimension gives {@code sum = 0}, {@code mean = NaN} and {@code var = NaN} ({@code 0 / 0}), while
 * {@code max} and {@code argmax} over one are rejected (there is no identity to return); a
 * matmul with {@code k = 0} is all zeros (the empty sum); a conv2d or pooling of batch 0 is an
 * empty batch. Backward through each gives gradients of the inputs' shapes: empty where the
 * input is empty, zeros where it is not (a conv weight seen by no image, the operands of a
 * {@code k = 0} matmul's neighbours).
 *
 * <p>The non-empty operands are fresh random values; every expected value here follows from the
 * empty sum being 0 and {@code 0 / 0} being NaN, written out independently of the engine.
 */
class ZeroSizeTest {

    private record Case(String name, BiConsumer<Device, Generator> body) {}

    private static final List<Case> CASES = List.of(
            new Case("add (0, 3) + (3,) and backward", (d, gen) -> {
                Tensor a = Tensor.zeros(d, 0, 3).requiresGrad(true);
                Tensor b = Tensor.randn(d, gen, 3).requiresGrad(true);
                Tensor y = a.add(b);
                assertShape(y, 0, 3);
                y.sum().backward();
                assertShape(a.grad(), 0, 3);
                assertValues(b.grad(), new double[3], "gradient of the broadcast operand (an empty sum)");
            }),
            new Case("relu, exp, mul of (2, 0) and backward", (d, gen) -> {
                Tensor x = Tensor.zeros(d, 2, 0).requiresGrad(true);
                Tensor y = x.relu().exp().mul(x);
                assertShape(y, 2, 0);
                y.sum().backward();
                assertShape(x.grad(), 2, 0);
            }),
            new Case("sum of empty: 0", (d, gen) -> {
                assertValues(Tensor.zeros(d, 0).sum(), new double[] {0}, "sum()");
                assertValues(Tensor.zeros(d, 3, 0).sum(1, false), new double[3], "sum(dim 1) of (3, 0)");
                Tensor x = Tensor.zeros(d, 0, 4).requiresGrad(true);
                Tensor s = x.sum(0, true);
                assertShape(s, 1, 4);
                assertValues(s, new double[4], "sum(dim 0) of (0, 4)");
                s.sum().backward();
                assertShape(x.grad(), 0, 4);
            }),
            new Case("mean and var of empty: NaN", (d, gen) -> {
                assertValues(Tensor.zeros(d, 0).mean(), new double[] {Double.NaN}, "mean()");
                assertValues(Tensor.zeros(d, 3, 0).mean(1, false), nans(3), "mean(dim 1) of (3, 0)");
                Tensor x = Tensor.zeros(d, 0, 4).requiresGrad(true);
                Tensor m = x.mean(0, false);
                assertValues(m, nans(4), "mean(dim 0) of (0, 4)");
                m.sum().backward();
                assertShape(x.grad(), 0, 4);
                assertValues(Tensor.zeros(d, 2, 0).var(new int[] {1}, false, 1), nans(2), "var(dim 1) of (2, 0)");
                assertValues(Tensor.zeros(d, 2, 0).var(new int[] {1}, false, 0), nans(2), "var(dim 1, correction 0) of (2, 0)");
            }),
            new Case("reductions keeping an empty dimension: empty", (d, gen) -> {
                assertShape(Tensor.zeros(d, 0, 4).sum(1, false), 0);
                assertShape(Tensor.zeros(d, 0, 4).mean(1, true), 0, 1);
                assertShape(Tensor.zeros(d, 0, 4).max(1, false), 0);
                assertShape(Tensor.zeros(d, 0, 4).argmax(1, false), 0);
                assertShape(Tensor.zeros(d, 4, 0, 2).var(new int[] {0}, false, 1), 0, 2);
            }),
            new Case("max and argmax over an empty dimension are rejected", (d, gen) -> {
                for (Runnable call : new Runnable[] {
                        () -> Tensor.zeros(d, 3, 0).max(1, false), () -> Tensor.zeros(d, 3, 0).argmax(1, false),
                        () -> Tensor.zeros(d, 0).max()}) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
                    assertTrue(e.getMessage().contains("empty"), e.getMessage());
                }
            }),
            new Case("batched matmul (0, 3, 4) x (4, 5) and backward", (d, gen) -> {
                Tensor a = Tensor.zeros(d, 0, 3, 4).requiresGrad(true);
                Tensor b = Tensor.randn(d, gen, 4, 5).requiresGrad(true);
                Tensor y = a.matmul(b);
                assertShape(y, 0, 3, 5);
                y.sum().backward();
                assertShape(a.grad(), 0, 3, 4);
                assertValues(b.grad(), new double[20], "gradient of b (summed over an empty batch)");
            }),
            new Case("matmul with m = 0 or n = 0", (d, gen) -> {
                assertShape(Tensor.zeros(d, 2, 0, 4).matmul(Tensor.randn(d, gen, 4, 5)), 2, 0, 5);
                assertShape(Tensor.randn(d, gen, 2, 3, 4).matmul(Tensor.zeros(d, 4, 0)), 2, 3, 0);
                assertShape(Tensor.randn(d, gen, 3, 4).matmul(Tensor.zeros(d, 4, 0)), 3, 0);
                assertShape(Tensor.zeros(d, 0, 4).matmul(Tensor.randn(d, gen, 4)), 0);
            }),
            new Case("matmul with k = 0: zeros, and backward", (d, gen) -> {
                Tensor a = Tensor.zeros(d, 3, 0).requiresGrad(true);
                Tensor b = Tensor.zeros(d, 0, 4).requiresGrad(true);
                Tensor y = a.matmul(b);
                assertValues(y, new double[12], "(3, 0) x (0, 4)");
                y.mul(Tensor.randn(d, gen, 3, 4)).sum().backward();
                assertShape(a.grad(), 3, 0);
                assertShape(b.grad(), 0, 4);
                assertValues(Tensor.zeros(d, 2, 3, 0).matmul(Tensor.zeros(d, 2, 0, 5)), new double[30], "(2, 3, 0) x (2, 0, 5)");
                assertValues(Tensor.zeros(d, 0).matmul(Tensor.zeros(d, 0)), new double[] {0}, "(0,) . (0,)");
            }),
            new Case("conv2d of batch 0 and backward", (d, gen) -> {
                Tensor x = Tensor.zeros(d, 0, 2, 5, 5).requiresGrad(true);
                Tensor w = Tensor.randn(d, gen, 3, 2, 3, 3).requiresGrad(true);
                Tensor bias = Tensor.randn(d, gen, 3).requiresGrad(true);
                Tensor y = x.conv2d(w, bias, 1, 0);
                assertShape(y, 0, 3, 3, 3);
                assertShape(x.conv2d(w, null, 2, 1), 0, 3, 3, 3);
                y.sum().backward();
                assertShape(x.grad(), 0, 2, 5, 5);
                assertValues(w.grad(), new double[54], "weight gradient (no image)");
                assertValues(bias.grad(), new double[3], "bias gradient (no image)");
            }),
            new Case("grouped, dilated conv in 1 to 3 dims and convTranspose of batch 0 and backward", (d, gen) -> {
                Tensor x1 = Tensor.zeros(d, 0, 4, 9).requiresGrad(true);
                Tensor x3 = Tensor.zeros(d, 0, 2, 4, 3, 5).requiresGrad(true);
                Tensor w1 = Tensor.randn(d, gen, 6, 2, 3).requiresGrad(true);
                Tensor w3 = Tensor.randn(d, gen, 2, 3, 2, 2, 3).requiresGrad(true);
                Tensor b1 = Tensor.randn(d, gen, 6).requiresGrad(true), b3 = Tensor.randn(d, gen, 3).requiresGrad(true);
                Tensor y1 = x1.conv(w1, b1, dev.jgrad.engine.ConvOptions.defaults().groups(2).dilation(2).padding(new int[] {1}, new int[] {2}));
                assertShape(y1, 0, 6, 8);
                Tensor y3 = x3.convTranspose(w3, b3, dev.jgrad.engine.ConvOptions.defaults().stride(2).padding(1).outputPadding(1));
                assertShape(y3, 0, 3, 7, 5, 10);
                y1.sum().add(y3.sum()).backward();
                assertShape(x1.grad(), 0, 4, 9);
                assertShape(x3.grad(), 0, 2, 4, 3, 5);
                assertValues(w1.grad(), new double[36], "conv weight gradient (no image)");
                assertValues(b1.grad(), new double[6], "conv bias gradient (no image)");
                assertValues(w3.grad(), new double[72], "convTranspose weight gradient (no image)");
                assertValues(b3.grad(), new double[3], "convTranspose bias gradient (no image)");
            }),
            new Case("maxPool2d and avgPool2d of batch 0 and backward", (d, gen) -> {
                Tensor x = Tensor.zeros(d, 0, 3, 6, 6).requiresGrad(true);
                Tensor y = x.maxPool2d(2, 2, 0);
                assertShape(y, 0, 3, 3, 3);
                Tensor z = x.avgPool2d(3, 1, 1);
                assertShape(z, 0, 3, 6, 6);
                y.sum().add(z.sum()).backward();
                assertShape(x.grad(), 0, 3, 6, 6);
            }),
            new Case("maxPool, avgPool and adaptive pooling in 1 to 3 dims of batch 0 and backward", (d, gen) -> {
                Tensor x1 = Tensor.zeros(d, 0, 2, 7).requiresGrad(true);
                Tensor x3 = Tensor.zeros(d, 0, 2, 3, 4, 5).requiresGrad(true);
                Tensor a = x1.maxPool(new int[] {3}, new int[] {2}, new int[] {1}, new int[] {2}, true);
                assertShape(a, 0, 2, 3);
                Tensor b = x1.avgPool(new int[] {2}, null, new int[] {1}, true, false, 0);
                assertShape(b, 0, 2, 4);
                Tensor c = x3.maxPool(new int[] {2, 2, 3}, null, new int[] {1}, new int[] {1}, false);
                assertShape(c, 0, 2, 2, 3, 2);
                Tensor e = x3.avgPool(new int[] {3, 3, 3}, new int[] {1}, new int[] {1}, false, true, 0);
                assertShape(e, 0, 2, 3, 4, 5);
                Tensor f = x3.adaptiveAvgPool(1, 1, 1), g = x1.adaptiveMaxPool(4);
                assertShape(f, 0, 2, 1, 1, 1);
                assertShape(g, 0, 2, 4);
                a.sum().add(b.sum()).add(g.sum()).backward();
                assertShape(x1.grad(), 0, 2, 7);
                c.sum().add(e.sum()).add(f.sum()).backward();
                assertShape(x3.grad(), 0, 2, 3, 4, 5);
            }),
            new Case("softmax and logSoftmax of empty", (d, gen) -> {
                Tensor x = Tensor.zeros(d, 0, 5).requiresGrad(true);
                Tensor y = x.softmax(1);
                assertShape(y, 0, 5);
                assertShape(Tensor.zeros(d, 3, 0).logSoftmax(1), 3, 0);
                assertShape(Tensor.zeros(d, 3, 0, 2).softmax(1), 3, 0, 2);
                y.sum().backward();
                assertShape(x.grad(), 0, 5);
            }),
            new Case("views of empty: reshape, permute, slice, expand, contiguous", (d, gen) -> {
                Tensor x = Tensor.zeros(d, 2, 0, 3);
                assertShape(x.reshape(0, 6), 0, 6);
                assertShape(x.reshape(3, -1, 2), 3, 0, 2);
                assertShape(x.permute(2, 0, 1).contiguous(), 3, 2, 0);
                Tensor r = Tensor.randn(d, gen, 4, 3).requiresGrad(true);
                Tensor s = r.slice(0, 2, 2);
                assertShape(s, 0, 3);
                s.sum().backward();
                assertValues(r.grad(), new double[12], "gradient of an empty slice");
                assertShape(Tensor.zeros(d, 1, 3).expand(0, 3), 0, 3);
                assertEquals(0, Tensor.zeros(d, 0, 7).toArray().length);
            }),
            new Case("batchNorm of an empty batch: empty in evaluation, rejected in training", (d, gen) -> {
                Tensor x = Tensor.zeros(d, 0, 3, 2, 2).requiresGrad(true);
                Tensor gamma = Tensor.randn(d, gen, 3), beta = Tensor.randn(d, gen, 3);
                Tensor mean = Tensor.zeros(d, 3), var = Tensor.ones(d, 3);
                Tensor y = x.batchNorm(gamma, beta, mean, var, false, 0.1f, 1e-5f);
                assertShape(y, 0, 3, 2, 2);
                y.sum().backward();
                assertShape(x.grad(), 0, 3, 2, 2);
                assertThrows(IllegalArgumentException.class, () -> x.batchNorm(gamma, beta, mean, var, true, 0.1f, 1e-5f));
            }),
            new Case("where, clamp, copies and transfers of empty", (d, gen) -> {
                Tensor a = Tensor.zeros(d, 0, 3).requiresGrad(true);
                Tensor w = Tensor.where(Tensor.zeros(d, 0, 1), a, Tensor.randn(d, gen, 3));
                assertShape(w, 0, 3);
                w.clamp(-1f, 1f).sum().backward();
                assertShape(a.grad(), 0, 3);
                assertShape(Tensor.of(d, new float[0], 4, 0), 4, 0);
                assertShape(Tensor.arange(0).to(d), 0);
                assertShape(Tensor.zeros(d, 0, 2).to(Device.get("cpu-looped")), 0, 2);
                assertValues(Tensor.zeros(d, 0, 5).var(), nans(1), "var() of (0, 5)");
                Tensor target = Tensor.zeros(d, 2, 0);
                target.copyFrom(Tensor.zeros(d, 0));
                assertShape(target, 2, 0);
            }),
            new Case("crossEntropy of an empty batch: NaN", (d, gen) -> {
                Tensor logits = Tensor.zeros(d, 0, 4).requiresGrad(true);
                Tensor loss = logits.crossEntropy(Tensor.zeros(d, 0));
                assertValues(loss, new double[] {Double.NaN}, "mean over no sample");
                loss.backward();
                assertShape(logits.grad(), 0, 4);
            }),
            // ---- issue 14 (edges): norms and losses with options
            new Case("batchNorm of empty (N, C, L) and (N, C, D, H, W) in evaluation; layerNorm, groupNorm of empty", (d, gen) -> {
                Tensor gamma = Tensor.randn(d, gen, 3), beta = Tensor.randn(d, gen, 3);
                Tensor mean = Tensor.zeros(d, 3), var = Tensor.ones(d, 3);
                assertShape(Tensor.zeros(d, 0, 3, 5).batchNorm(gamma, beta, mean, var, false, 0.1f, 1e-5f), 0, 3, 5);
                assertShape(Tensor.zeros(d, 2, 3, 0, 2, 2).batchNorm(gamma, beta, mean, var, false, 0.1f, 1e-5f), 2, 3, 0, 2, 2);
                Tensor x = Tensor.zeros(d, 0, 6).requiresGrad(true);
                Tensor y = x.layerNorm(new int[] {6}, Tensor.ones(d, 6), Tensor.zeros(d, 6), 1e-5f);
                assertShape(y, 0, 6);
                y.sum().backward();
                assertShape(x.grad(), 0, 6);
                assertShape(Tensor.zeros(d, 0, 4, 3).groupNorm(2, Tensor.ones(d, 4), Tensor.zeros(d, 4), 1e-5f), 0, 4, 3);
            }),
            new Case("crossEntropy and nllLoss with options of an empty batch: NaN mean, 0 sum, (0) none", (d, gen) -> {
                Tensor logits = Tensor.zeros(d, 0, 4).requiresGrad(true);
                Tensor labels = Tensor.zeros(d, 0);
                CrossEntropyOptions o = CrossEntropyOptions.defaults().weight(Tensor.ones(d, 4)).labelSmoothing(0.1f);
                assertValues(logits.crossEntropy(labels, o), new double[] {Double.NaN}, "mean over no sample");
                assertValues(logits.crossEntropy(labels, o.reduction(Reduction.SUM)), new double[] {0}, "sum over no sample");
                assertShape(logits.crossEntropy(labels, o.reduction(Reduction.NONE)), 0);
                Tensor nll = logits.nllLoss(labels, CrossEntropyOptions.defaults().reduction(Reduction.SUM));
                assertValues(nll, new double[] {0}, "nll sum over no sample");
                nll.backward();
                assertShape(logits.grad(), 0, 4);
            }),
            new Case("activations, indexSelect, gather, scatterAdd, pad, cat, split of empty and backward", (d, gen) -> {
                Tensor x = Tensor.zeros(d, 0, 5).requiresGrad(true);
                Tensor acts = x.gelu().add(x.silu()).add(x.elu()).add(x.leakyRelu()).add(x.softplus())
                        .add(x.prelu(Tensor.ones(d, 5)));
                assertShape(acts, 0, 5);
                acts.sum().backward();
                assertShape(x.grad(), 0, 5);
                Tensor w = Tensor.randn(d, gen, 4, 3).requiresGrad(true);
                Tensor none = w.indexSelect(0, Tensor.zeros(d, 0));
                assertShape(none, 0, 3);
                none.sum().backward();
                assertValues(w.grad(), new double[12], "gradient of selecting nothing");
                assertShape(Tensor.zeros(d, 0, 3).indexSelect(1, Tensor.of(d, new float[] {2, 0}, 2)), 0, 2);
                assertShape(w.gather(1, Tensor.zeros(d, 4, 0)), 4, 0);
                assertValues(Tensor.zeros(d, 2, 2).scatterAdd(0, Tensor.zeros(d, 0, 2), Tensor.zeros(d, 0, 2)), new double[4],
                        "scatter of nothing");
                Tensor e = Tensor.zeros(d, 2, 0).requiresGrad(true);
                Tensor padded = e.pad(new int[] {1, 2}, dev.jgrad.engine.PadMode.CONSTANT, 3f);
                assertValues(padded, new double[] {3, 3, 3, 3, 3, 3}, "constant padding of an empty row");
                padded.sum().backward();
                assertShape(e.grad(), 2, 0);
                assertShape(Tensor.zeros(d, 0, 3).pad(new int[] {1, 1}, dev.jgrad.engine.PadMode.REFLECT, 0f), 0, 5);
                assertThrows(IllegalArgumentException.class, () -> e.pad(new int[] {1, 0}, dev.jgrad.engine.PadMode.REPLICATE, 0f));
                assertShape(Tensor.cat(0, Tensor.zeros(d, 0, 3), Tensor.zeros(d, 0, 3)), 0, 3);
                assertShape(Tensor.cat(1, Tensor.zeros(d, 2, 0), Tensor.ones(d, 2, 1)), 2, 1);
                assertEquals(1, Tensor.zeros(d, 0, 3).split(2, 0).size());
                assertEquals(0, Tensor.zeros(d, 0, 3).chunk(3, 0).get(0).numel());
            }));

    @TestFactory
    Stream<DynamicNode> everyCaseOnEveryDevice() {
        Stream<DynamicNode> run = Conformance.devices().stream().map(d -> DynamicContainer.dynamicContainer(
                "zero-size tensors on " + d.name(), CASES.stream().map(c -> DynamicTest.dynamicTest(
                        c.name + " on " + d.name(), () -> {
                            long seed = Seeds.forCase(c.name + d.name());
                            try {
                                c.body.accept(d, new Generator(seed));
                            } catch (AssertionError | RuntimeException e) {
                                throw new AssertionError(c.name + " on " + d.name() + " (seed " + seed + "): " + e.getMessage(), e);
                            }
                        }))));
        Stream<DynamicNode> skipped = Conformance.unavailable().entrySet().stream().map(e -> DynamicTest.dynamicTest(
                "zero-size tensors on " + e.getKey(), () -> Assumptions.abort(e.getKey() + " is not available: " + e.getValue())));
        return Stream.concat(run, skipped);
    }

    private static double[] nans(int n) {
        double[] v = new double[n];
        Arrays.fill(v, Double.NaN);
        return v;
    }

    private static void assertShape(Tensor t, int... shape) {
        assertArrayEquals(shape, t.shape(), "shape");
    }

    /** Exact match (the expected values here are 0 and NaN); NaN must be NaN. */
    private static void assertValues(Tensor t, double[] want, String what) {
        float[] got = t.toArray();
        assertEquals(want.length, got.length, what + ": element count");
        for (int i = 0; i < want.length; i++) {
            boolean ok = Double.isNaN(want[i]) ? Float.isNaN(got[i]) : got[i] == want[i];
            if (!ok) throw new AssertionError(what + ": element " + i + " is " + got[i] + ", want " + want[i]
                    + " (all: " + Arrays.toString(got) + ")");
        }
    }
}
