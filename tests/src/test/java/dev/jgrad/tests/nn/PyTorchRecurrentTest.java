package dev.jgrad.tests.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Parameter;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.layers.GRU;
import dev.jgrad.nn.layers.LSTM;
import dev.jgrad.nn.layers.RNN;
import dev.jgrad.nn.layers.RecurrentLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jgrad's RNN, GRU and LSTM against real torch.nn layers (PyTorch 1.13): each layer loads PyTorch's
 * state dict as is and must give PyTorch's output sequence, final states and the gradients of
 * {@code sum(y r) + sum(hN rh) (+ sum(cN rc))} with respect to the input, the initial states and
 * every parameter, on every device, to 1e-4 relative (max-norm: backpropagation through time
 * chains float32 rounding over the steps). Numbers from {@code tests/src/test/python/gen_recurrent_golden.py}.
 */
class PyTorchRecurrentTest {
    private static Map<String, Tensor> golden;

    @BeforeAll
    static void load() throws Exception {
        golden = SafeTensors.load(Path.of(PyTorchRecurrentTest.class.getResource("/pytorch/recurrent_golden.safetensors").toURI()));
    }

    private static Map<String, Supplier<RecurrentLayer>> layers() {
        Map<String, Supplier<RecurrentLayer>> m = new LinkedHashMap<>();
        m.put("rnn", () -> new RNN(3, 5, 2, false, true, false, 0f));
        m.put("rnn_relu", () -> new RNN(2, 4, 1, true, false, true, 0f));
        m.put("gru", () -> new GRU(3, 4, 2, true, true, 0f));
        m.put("gru_unbatched", () -> new GRU(2, 3));
        m.put("lstm", () -> new LSTM(3, 4, 2, true, false, 0f));
        m.put("lstm_bf", () -> new LSTM(4, 3, 1, false, true, 0f));
        return m;
    }

    private static void close(String what, Tensor want, Tensor got) {
        GoldenClose.assertClose(what, want, got, 1e-4);
    }

    private static Tensor leaf(String key, Device d) {
        Tensor t = golden.get(key);
        return t == null ? null : t.to(d).detach().requiresGrad(true);   // detach: on its own device to() returns the golden tensor itself
    }

    @TestFactory
    Stream<DynamicTest> matchPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Device.all())
            for (Map.Entry<String, Supplier<RecurrentLayer>> e : layers().entrySet()) {
                String name = e.getKey();
                tests.add(DynamicTest.dynamicTest(name + " on " + d, () -> {
                    RecurrentLayer layer = e.getValue().get();
                    Map<String, Tensor> state = new LinkedHashMap<>();
                    for (Map.Entry<String, Tensor> t : golden.entrySet())
                        if (t.getKey().startsWith(name + ".")) state.put(t.getKey().substring(name.length() + 1), t.getValue());
                    assertEquals(List.copyOf(state.keySet()), List.copyOf(layer.stateDict().keySet()),
                            name + ": state-dict keys in PyTorch's order");
                    layer.loadStateDict(state);
                    layer.to(d);
                    Tensor x = leaf(name + "_x", d), h0 = leaf(name + "_h0", d), c0 = leaf(name + "_c0", d);
                    RecurrentLayer.Output out = layer.run(x, h0, c0);
                    close(name + " output on " + d, golden.get(name + "_y"), out.output());
                    close(name + " final hidden state on " + d, golden.get(name + "_hn"), out.hN());
                    Tensor loss = out.output().mul(golden.get(name + "_r").to(d)).sum()
                            .add(out.hN().mul(golden.get(name + "_rh").to(d)).sum());
                    if (golden.containsKey(name + "_cn")) {
                        close(name + " final cell state on " + d, golden.get(name + "_cn"), out.cN());
                        loss = loss.add(out.cN().mul(golden.get(name + "_rc").to(d)).sum());
                    }
                    loss.backward();
                    close(name + " input gradient on " + d, golden.get(name + "_grad_x"), x.grad());
                    if (h0 != null) close(name + " h0 gradient on " + d, golden.get(name + "_grad_h0"), h0.grad());
                    if (c0 != null) close(name + " c0 gradient on " + d, golden.get(name + "_grad_c0"), c0.grad());
                    for (Map.Entry<String, Parameter> p : layer.namedParameters().entrySet())
                        close(name + " gradient of " + p.getKey() + " on " + d, golden.get(name + "_grad_" + p.getKey()),
                                p.getValue().grad());
                }));
            }
        return tests.stream();
    }

    @Test
    void badShapesAreNamed() {
        GRU gru = new GRU(3, 4, 2, true, false, 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gru.forward(Tensor.zeros(5, 2, 4)));
        assertTrue(e.getMessage().contains("GRU") && e.getMessage().contains("4 features, expected 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> gru.run(Tensor.zeros(5, 2, 3), Tensor.zeros(1, 2, 4), null));
        assertTrue(e.getMessage().contains("h0") && e.getMessage().contains("(2, 2, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> gru.forward(Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("(L, N, 3)"), e.getMessage());
        LSTM lstm = new LSTM(2, 3);
        e = assertThrows(IllegalArgumentException.class, () -> lstm.run(Tensor.zeros(4, 1, 2), Tensor.zeros(1, 1, 3), Tensor.zeros(1, 1, 2)));
        assertTrue(e.getMessage().contains("c0"), e.getMessage());
    }
}
