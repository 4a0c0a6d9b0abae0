package dev.jgrad.tests.nn;

import dev.jgrad.engine.ConvOptions;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.layers.Conv1d;
import dev.jgrad.nn.layers.Conv2d;
import dev.jgrad.nn.layers.Conv3d;
import dev.jgrad.nn.layers.ConvLayer;
import dev.jgrad.nn.layers.ConvTranspose1d;
import dev.jgrad.nn.layers.ConvTranspose2d;
import dev.jgrad.nn.layers.ConvTranspose3d;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * jgrad's convolution layers against real torch.nn layers (PyTorch 1.13): each layer is built with
 * the same arguments, loads PyTorch's state dict as is (names and weight layouts), and must give
 * PyTorch's output and the gradients of {@code sum(y * r)} for input, weight and bias, on every
 * device, to 1e-5 relative (max-norm). The numbers come from
 * {@code tests/src/test/python/gen_conv_golden.py} (committed with its output).
 */
class PyTorchConvLayersTest {
    private static Map<String, Tensor> golden;

    @BeforeAll
    static void load() throws Exception {
        golden = SafeTensors.load(Path.of(PyTorchConvLayersTest.class.getResource("/pytorch/conv_golden.safetensors").toURI()));
    }

    /** The jgrad layer for each case of the generator, with PyTorch's arguments. */
    private static Map<String, Supplier<ConvLayer>> layers() {
        Map<String, Supplier<ConvLayer>> m = new LinkedHashMap<>();
        m.put("conv1d", () -> new Conv1d(4, 6, 3, 1, 2, 2, 2, true));
        m.put("conv2d_depthwise", () -> new Conv2d(3, 6, new int[] {3, 2},
                ConvOptions.defaults().stride(2, 1).padding(1, 0).groups(3), true));
        m.put("conv2d_unbatched", () -> new Conv2d(2, 3, 3, 1, 1, false));
        m.put("conv3d", () -> new Conv3d(2, 4, new int[] {2, 3, 2},
                ConvOptions.defaults().stride(1, 2, 1).padding(1, 1, 0).dilation(2, 1, 1), true));
        m.put("convT1d", () -> new ConvTranspose1d(3, 4, 4, 3, 1, 2, 1, true, 1));
        m.put("convT2d", () -> new ConvTranspose2d(4, 6, 3, 2, 1, 1, 2, true, 1));
        m.put("convT2d_dilated", () -> new ConvTranspose2d(2, 3, new int[] {2, 3},
                ConvOptions.defaults().stride(2, 1).padding(0, 1).dilation(2), true));
        m.put("convT3d", () -> new ConvTranspose3d(2, 2, new int[] {2, 2, 2}, ConvOptions.defaults().stride(2), false));
        return m;
    }

    private static void close(String what, Tensor want, Tensor got) {
        GoldenClose.assertClose(what, want, got, 1e-5);
    }

    @TestFactory
    Stream<DynamicTest> matchPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Device.all())
            for (Map.Entry<String, Supplier<ConvLayer>> e : layers().entrySet()) {
                String name = e.getKey();
                tests.add(DynamicTest.dynamicTest(name + " on " + d, () -> {
                    ConvLayer layer = e.getValue().get();
                    Map<String, Tensor> state = new LinkedHashMap<>();
                    for (Map.Entry<String, Tensor> t : golden.entrySet())
                        if (t.getKey().startsWith(name + ".")) state.put(t.getKey().substring(name.length() + 1), t.getValue());
                    assertEquals(layer.stateDict().keySet(), state.keySet(), name + ": state-dict keys");
                    layer.loadStateDict(state);
                    Module m = layer.to(d);
                    // detach: a leaf of its own (on its own device to() returns the golden tensor itself, elsewhere a copy that autograd tracks)
                    Tensor x = golden.get(name + "_x").to(d).detach().requiresGrad(true);
                    Tensor y = m.forward(x);
                    close(name + " output on " + d, golden.get(name + "_y"), y);
                    y.mul(golden.get(name + "_r").to(d)).sum().backward();
                    close(name + " input gradient on " + d, golden.get(name + "_grad_x"), x.grad());
                    close(name + " weight gradient on " + d, golden.get(name + "_grad_weight"), layer.weight.grad());
                    if (layer.bias != null)
                        close(name + " bias gradient on " + d, golden.get(name + "_grad_bias"), layer.bias.grad());
                }));
            }
        return tests.stream();
    }
}
