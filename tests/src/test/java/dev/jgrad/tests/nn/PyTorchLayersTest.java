package dev.jgrad.tests.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.PadMode;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.layers.Activation;
import dev.jgrad.nn.layers.Embedding;
import dev.jgrad.nn.layers.PReLU;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The issue-14 layers and ops against real PyTorch 1.13: outputs and the gradients of
 * {@code sum(y * r)} from {@code tests/src/test/python/gen_layers_golden.py}'s committed file, on
 * every device, to 1e-5 relative (max-norm); the embedding's padding row must get a zero gradient.
 */
class PyTorchLayersTest {
    private static Map<String, Tensor> golden;

    @BeforeAll
    static void load() throws Exception {
        golden = SafeTensors.load(Path.of(PyTorchLayersTest.class.getResource("/pytorch/layers_golden.safetensors").toURI()));
    }

    private static Tensor g(String name, Device d) {
        Tensor t = golden.get(name);
        if (t == null) throw new AssertionError("golden file lacks " + name);
        return t.to(d);
    }

    private static void close(String what, Tensor want, Tensor got) {
        GoldenClose.assertClose(what, want, got, 1e-5);
    }

    /** Runs {@code fn} on leaves that need gradients, checks y and each leaf's gradient. */
    private static void check(String prefix, Device d, Function<Tensor[], Tensor> fn, String... leaves) {
        Tensor[] in = new Tensor[leaves.length];
        for (int i = 0; i < leaves.length; i++) {
            Tensor t = g(prefix + "_" + leaves[i], d);
            in[i] = leaves[i].startsWith("idx") ? t : t.detach().requiresGrad(true);
        }
        Tensor y = fn.apply(in);
        close(prefix + " output on " + d, golden.get(prefix + "_y"), y);
        y.mul(g(prefix + "_r", d)).sum().backward();
        for (int i = 0; i < leaves.length; i++)
            if (!leaves[i].startsWith("idx"))
                close(prefix + " gradient of " + leaves[i] + " on " + d, golden.get(prefix + "_grad_" + leaves[i]), in[i].grad());
    }

    @TestFactory
    Stream<DynamicTest> matchPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Device.all()) {
            tests.add(DynamicTest.dynamicTest("Embedding(7, 4, padding_idx=2) on " + d, () -> {
                Embedding emb = new Embedding(7, 4, 2);
                try (GradMode.Scope ignored = GradMode.disable()) {
                    emb.weight.value().copyFrom(golden.get("emb_weight"));
                }
                emb.to(d);
                Tensor y = emb.forward(g("emb_idx", d));
                close("embedding output on " + d, golden.get("emb_y"), y);
                y.mul(g("emb_r", d)).sum().backward();
                Tensor grad = emb.weight.grad();
                close("embedding weight gradient on " + d, golden.get("emb_grad_weight"), grad);
                for (int j = 0; j < 4; j++) assertEquals(0f, grad.get(2, j), "the padding row gets no gradient");
            }));
            tests.add(DynamicTest.dynamicTest("PReLU(3) on " + d, () -> {
                PReLU p = new PReLU(3, 0.25f);
                try (GradMode.Scope ignored = GradMode.disable()) {
                    p.weight.value().copyFrom(golden.get("prelu_weight"));
                }
                p.to(d);
                check("prelu", d, in -> p.forward(in[0]), "x");
                close("PReLU weight gradient on " + d, golden.get("prelu_grad_weight"), p.weight.grad());
            }));
            Map<String, Module> acts = Map.of("gelu", Activation.gelu(), "gelu_tanh", Activation.geluTanh(),
                    "silu", Activation.silu(), "elu", Activation.elu(1.3f), "leaky", Activation.leakyRelu(0.07f),
                    "softplus", Activation.softplus(1.5f, 4f));
            for (Map.Entry<String, Module> a : acts.entrySet())
                tests.add(DynamicTest.dynamicTest(a.getValue() + " on " + d,
                        () -> check("act_" + a.getKey(), d, in -> a.getValue().forward(in[0]), "x")));
            int[] pads = {1, 2, 2, 1};
            for (PadMode m : PadMode.values())
                tests.add(DynamicTest.dynamicTest("pad " + m + " on " + d, () -> check("pad_" + m.name().toLowerCase(), d,
                        in -> in[0].pad(pads, m, m == PadMode.CONSTANT ? 0.5f : 0f), "x")));
            tests.add(DynamicTest.dynamicTest("gather on " + d, () -> check("gather", d, in -> in[0].gather(1, in[1]), "x", "idx")));
            tests.add(DynamicTest.dynamicTest("scatter_add on " + d,
                    () -> check("scatter", d, in -> in[0].scatterAdd(0, in[1], in[2]), "self", "idx", "src")));
            tests.add(DynamicTest.dynamicTest("cat on " + d, () -> check("cat", d, in -> Tensor.cat(1, in[0], in[1]), "a", "b")));
        }
        return tests.stream();
    }
}
