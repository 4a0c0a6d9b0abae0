package dev.jgrad.conformance;

import dev.jgrad.engine.CrossEntropyOptions;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Reduction;
import dev.jgrad.engine.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cross-entropy's and NLL's options against numbers printed by PyTorch 1.13 ({@code F.cross_entropy}
 * and {@code F.nll_loss} in float64 on the inputs below, gradients of {@code loss.sum()}), and the
 * edges the spec's float64 reference cannot show: every row ignored (NaN for mean, 0 for sum), an
 * empty batch, and the errors.
 */
class LossOptionsTest {

    private static final float[] X = {0.5f, -1.0f, 2.0f, 0.25f, 1.5f, 0.0f, -0.5f, 0.75f, -2.0f, 1.0f, 0.5f, 0.0f,
            0.3f, 0.2f, -0.1f, 1.1f, 2.5f, -0.5f, 0.0f, -1.0f};
    private static final float[] LABELS_IGNORED = {2, -100, 0, 3, 1};
    private static final float[] LABELS = {2, 1, 0, 3, 1};
    private static final float[] W = {0.5f, 2.0f, 1.0f, 1.5f};

    private record Golden(String name, boolean nll, float[] labels, Function<Tensor, CrossEntropyOptions> opts,
                          double[] loss, double[] grad) {}

    private static final Golden[] GOLDEN = {
            new Golden("weight", false, LABELS, w -> CrossEntropyOptions.defaults().weight(w),
                    new double[] {1.9835647928594278},
                    new double[] {0.02203354646916603, 0.004916348752302887, -0.0441096384654956, 0.01715974324402669,
                            0.15605707477192984, -0.25089324562812954, 0.02112002841533637, 0.07371614244086326,
                            -0.06967171729244626, 0.03528735861979715, 0.021402864903181846, 0.012981493769467254,
                            0.04463636262124429, 0.040388651104723505, 0.029920648647135967, -0.11494566237310375,
                            0.24586679015826196, -0.27347329902328904, 0.02018197513180335, 0.007424533733223762}),
            new Golden("ignore_index 1", false, LABELS, w -> CrossEntropyOptions.defaults().ignoreIndex(1),
                    new double[] {1.614404522182669},
                    new double[] {0.05141160842805407, 0.011471480422040069, -0.10292248975282306, 0.04003940090272894,
                            0, 0, 0, 0, -0.3251346806980825, 0.16467434022572003, 0.09988003621484862,
                            0.06058030425751385, 0.0694343418552689, 0.06282679060734767, 0.04654323122887817,
                            -0.17880436369149472, 0, 0, 0, 0}),
            new Golden("label_smoothing 0.1", false, LABELS, w -> CrossEntropyOptions.defaults().labelSmoothing(0.1f),
                    new double[] {2.004137299483306},
                    new double[] {0.025846965056832445, 0.0018828882532240414, -0.046753493851693834, 0.01902364054163737,
                            0.1042399523403509, -0.16062527193969067, 0.009784019890735459, 0.04660129970860429,
                            -0.18008080841884952, 0.09380460413543204, 0.05492802172890918, 0.031348182554508316,
                            0.03666060511316135, 0.032696074364408606, 0.022925938737326908, -0.09228261821489683,
                            0.1671067531107834, -0.17643130931630235, 0.009127382592262348, 0.00019717361325663393}),
            new Golden("weight, ignore_index, label_smoothing 0.2, mean", false, LABELS_IGNORED,
                    w -> CrossEntropyOptions.defaults().weight(w).labelSmoothing(0.2f),
                    new double[] {1.9479868055695844},
                    new double[] {0.027389313309674066, -0.012772967334114756, -0.024841168544278532, 0.010224822568719238,
                            0, 0, 0, 0, -0.0818025254722522, 0.04422299268803082, 0.028953214123790965,
                            0.008626318660430404, 0.055407877414083956, 0.03465930782839249, 0.030492611169124016,
                            -0.1205597964116004, 0.3133974932549493, -0.32414792223515937, 0.016135657795685345,
                            -0.005385228815475226}),
            new Golden("weight, ignore_index, label_smoothing 0.2, none", false, LABELS_IGNORED,
                    w -> CrossEntropyOptions.defaults().weight(w).labelSmoothing(0.2f).reduction(Reduction.NONE),
                    new double[] {0.8564929483706659, 0.0, 1.8333625555073072, 1.2847040383821882, 5.76537448558776},
                    new double[] {0.13694656654837034, -0.06386483667057379, -0.12420584272139272, 0.05112411284359617,
                            0, 0, 0, 0, -0.409012627361261, 0.22111496344015416, 0.14476607061895486,
                            0.04313159330215203, 0.27703938707041975, 0.1732965391419624, 0.1524630558456201,
                            -0.6027989820580022, 1.5669874662747463, -1.6207396111757968, 0.08067828897842672,
                            -0.026926144077376146}),
            new Golden("weight, ignore_index, label_smoothing 0.2, sum", false, LABELS_IGNORED,
                    w -> CrossEntropyOptions.defaults().weight(w).labelSmoothing(0.2f).reduction(Reduction.SUM),
                    new double[] {9.739934027847923}, null),
            new Golden("nll weight, ignore_index", true, LABELS_IGNORED, w -> CrossEntropyOptions.defaults().weight(w),
                    new double[] {-0.33},
                    new double[] {0, 0, -0.2, 0, 0, 0, 0, 0, -0.1, 0, 0, 0, 0, 0, 0, -0.30000000000000004, 0, -0.4, 0, 0}),
            new Golden("nll weight, none", true, LABELS_IGNORED,
                    w -> CrossEntropyOptions.defaults().weight(w).reduction(Reduction.NONE),
                    new double[] {-2.0, 0.0, 1.0, -1.6500000000000001, 1.0}, null),
            new Golden("nll ignore_index 1, sum", true, LABELS,
                    w -> CrossEntropyOptions.defaults().ignoreIndex(1).reduction(Reduction.SUM),
                    new double[] {-1.1}, null),
    };

    @TestFactory
    Stream<DynamicTest> pytorchGoldenValues() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Conformance.devices())
            for (Golden g : GOLDEN)
                tests.add(DynamicTest.dynamicTest((g.nll ? "" : "crossEntropy ") + g.name + " on " + d, () -> {
                    Tensor x = Tensor.of(d, X, 5, 4).requiresGrad(true);
                    Tensor labels = Tensor.of(d, g.labels, 5);
                    CrossEntropyOptions o = g.opts.apply(Tensor.of(d, W, 4));
                    Tensor loss = g.nll ? x.nllLoss(labels, o) : x.crossEntropy(labels, o);
                    assertClose(g.loss, loss.toArray(), g.name + " loss");
                    if (g.grad == null) return;
                    loss.sum().backward();
                    assertClose(g.grad, x.grad().toArray(), g.name + " gradient");
                }));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> edges() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Conformance.devices()) {
            tests.add(DynamicTest.dynamicTest("every row ignored on " + d, () -> {
                Tensor x = Tensor.of(d, X, 5, 4);
                Tensor none = Tensor.full(d, -100f, 5);
                CrossEntropyOptions o = CrossEntropyOptions.defaults();
                assertTrue(Float.isNaN(x.crossEntropy(none, o).item()), "mean over no kept row is NaN, as PyTorch");
                assertTrue(Float.isNaN(x.crossEntropy(none, o.weight(Tensor.of(d, W, 4)).labelSmoothing(0.1f)).item()));
                assertEquals(0f, x.crossEntropy(none, o.reduction(Reduction.SUM)).item());
                assertTrue(Float.isNaN(x.nllLoss(none, o).item()));
            }));
            tests.add(DynamicTest.dynamicTest("empty batch on " + d, () -> {
                Tensor x = Tensor.zeros(d, 0, 4).requiresGrad(true);
                Tensor labels = Tensor.zeros(d, 0);
                CrossEntropyOptions o = CrossEntropyOptions.defaults().labelSmoothing(0.1f);
                assertTrue(Float.isNaN(x.crossEntropy(labels, o).item()));
                assertEquals(0f, x.crossEntropy(labels, o.reduction(Reduction.SUM)).item());
                Tensor rows = x.crossEntropy(labels, o.reduction(Reduction.NONE));
                assertEquals(0, rows.numel());
                x.crossEntropy(labels, o.reduction(Reduction.SUM)).backward();
                assertEquals(0, x.grad().numel());
            }));
            tests.add(DynamicTest.dynamicTest("bad options on " + d, () -> {
                Tensor x = Tensor.of(d, X, 5, 4);
                CrossEntropyOptions o = CrossEntropyOptions.defaults();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> x.crossEntropy(Tensor.of(d, new float[] {0, 1, 4, 0, 0}, 5), o.labelSmoothing(0.1f)));
                assertTrue(e.getMessage().contains("crossEntropy") && e.getMessage().contains("row 2"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> x.crossEntropy(Tensor.of(d, LABELS, 5), o.weight(Tensor.of(d, W, 4).reshape(2, 2))));
                assertTrue(e.getMessage().contains("weight"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> x.crossEntropy(Tensor.of(d, LABELS, 5), o.weight(Tensor.ones(d, 3))));
                assertTrue(e.getMessage().contains("weight (3,)"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> x.nllLoss(Tensor.of(d, LABELS, 5), o.labelSmoothing(0.1f)));
                assertTrue(e.getMessage().contains("nllLoss"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> o.labelSmoothing(1.5f));
                assertTrue(e.getMessage().contains("label_smoothing"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> x.crossEntropy(Tensor.of(d, new float[] {0, 1, 2}, 3), o.reduction(Reduction.SUM)));
                assertTrue(e.getMessage().contains("labels (3,)"), e.getMessage());
            }));
        }
        return tests.stream();
    }

    private static void assertClose(double[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + " size");
        double err = 0, ref = 0;
        for (int i = 0; i < want.length; i++) {
            err += (got[i] - want[i]) * (got[i] - want[i]);
            ref += want[i] * want[i];
        }
        assertTrue(Math.sqrt(err) <= 1e-5 * Math.sqrt(ref) + 1e-7, what + ": relative error "
                + Math.sqrt(err / Math.max(ref, 1e-300)) + " against PyTorch 1.13; got " + java.util.Arrays.toString(got));
    }
}
