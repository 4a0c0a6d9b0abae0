package dev.jgrad.tests.onnx;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.onnx.OnnxModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every committed PyTorch-exported graph (resources {@code onnx/NAME.onnx}, its inputs and
 * PyTorch's outputs in {@code onnx/NAME.safetensors}) either runs on every device and matches
 * PyTorch to 1e-4 relative (1e-3 for the long sums of {@link #LONG_SUMS}), or is listed in
 * {@link #UNSUPPORTED} and fails with an error naming its node and what jgrad lacks. When an op
 * lands in the engine, move its graphs from UNSUPPORTED to SUPPORTED.
 */
class OnnxImportTest {

    static final List<String> SUPPORTED = List.of(
            "add", "sub", "mul", "div", "pow", "max", "min", "neg", "exp", "log", "sqrt", "abs", "reciprocal",
            "relu", "sigmoid", "tanh", "clip", "clip_min", "constant", "silu", "leaky_relu", "prelu",
            "gemm", "gemm_nobias", "matmul", "matmul_batched",
            "conv2d", "conv2d_grouped", "conv2d_depthwise", "conv2d_asym_pad", "conv1d", "conv2d_dilated", "conv3d",
            "conv1d_dilated_grouped", "conv3d_grouped_strided", "conv3d_asym_pad",
            "conv_transpose2d", "conv_transpose1d", "conv_transpose2d_grouped_dilated", "conv_transpose3d",
            "erf", "gelu", "gelu_tanh",
            "maxpool2d", "avgpool2d_include_pad", "global_avgpool",
            "elu", "softplus", "maxpool2d_rect", "maxpool2d_ceil", "maxpool2d_dilated", "maxpool1d", "maxpool3d",
            "avgpool2d_exclude_pad", "avgpool2d_ceil", "avgpool1d", "avgpool3d", "pad_reflect", "pad_replicate",
            "batchnorm2d", "batchnorm1d", "batchnorm1d_seq", "instancenorm2d", "layernorm_opset13", "layernorm",
            "softmax", "log_softmax",
            "reshape", "flatten", "transpose", "squeeze", "unsqueeze", "concat", "split", "chunk", "slice",
            "pad_constant", "gather", "embedding", "tile", "expand",
            "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_l2", "reduce_logsumexp",
            "dropout_eval", "shape_dynamic", "mlp", "lenet", "cnn_batchnorm");

    /** Graph -> what its error must name besides the node (the missing op or attribute). */
    static final Map<String, String> UNSUPPORTED = new LinkedHashMap<>();

    static {
        UNSUPPORTED.put("cumsum", "node type CumSum");
    }

    /** Graphs with long sums (matmul/conv over many terms): 1e-3 relative. */
    static final Set<String> LONG_SUMS = Set.of("lenet", "cnn_batchnorm", "mlp");

    static Path dir() {
        try {
            return Path.of(OnnxImportTest.class.getResource("/onnx/lenet.onnx").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyCommittedGraphIsListedOnce() throws IOException {
        Set<String> committed = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir())) {
            files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".onnx")).forEach(f -> committed.add(f.substring(0, f.length() - 5)));
        }
        Set<String> listed = new TreeSet<>(SUPPORTED);
        for (String u : UNSUPPORTED.keySet()) assertTrue(listed.add(u), u + " is listed as supported and as unsupported");
        assertEquals(SUPPORTED.size(), new TreeSet<>(SUPPORTED).size(), "a graph is listed twice in SUPPORTED");
        assertEquals(committed, listed, "the committed graphs and the lists differ");
    }

    @TestFactory
    Stream<DynamicTest> supportedGraphsMatchPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Device.all())
            for (String name : SUPPORTED)
                tests.add(DynamicTest.dynamicTest(name + " on " + d.name(), () -> matches(name, d)));
        return tests.stream();
    }

    private static void matches(String name, Device device) throws IOException {
        Map<String, Tensor> data = SafeTensors.read(dir().resolve(name + ".safetensors"), Device.cpu()).tensors();
        try (OnnxModel m = OnnxModel.load(dir().resolve(name + ".onnx"), device)) {
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            for (OnnxModel.ValueInfo in : m.inputs()) inputs.put(in.name(), data.get(in.name()).to(device));
            Map<String, Tensor> out = m.run(inputs);
            assertEquals(m.outputs().size(), out.size());
            double tol = LONG_SUMS.contains(name) ? 1e-3 : 1e-4;
            for (var e : out.entrySet()) {
                Tensor ref = data.get(e.getKey());
                assertTrue(ref != null, name + ": no reference for output " + e.getKey());
                Tensor got = e.getValue();
                assertTrue(Arrays.equals(ref.shape(), got.shape()), name + " " + e.getKey() + ": shape " + Arrays.toString(got.shape())
                        + ", PyTorch " + Arrays.toString(ref.shape()));
                double err = relativeError(got.toArray(), ref.toArray());
                assertTrue(err <= tol, name + " " + e.getKey() + " on " + device.name() + ": relative error " + err + " > " + tol);
            }
        }
    }

    /** ||got - ref|| / ||ref|| (ref all zeros: ||got||). */
    static double relativeError(float[] got, float[] ref) {
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = (double) got[i] - ref[i];
            num += d * d;
            den += (double) ref[i] * ref[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    @TestFactory
    Stream<DynamicTest> unsupportedGraphsFailNamingTheirNode() {
        return UNSUPPORTED.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            String name = e.getKey();
            Map<String, Tensor> data = SafeTensors.read(dir().resolve(name + ".safetensors"), Device.cpu()).tensors();
            UnsupportedOperationException x = assertThrows(UnsupportedOperationException.class, () -> {
                try (OnnxModel m = OnnxModel.load(dir().resolve(name + ".onnx"), Device.cpu())) {
                    Map<String, Tensor> inputs = new LinkedHashMap<>();
                    for (OnnxModel.ValueInfo in : m.inputs()) inputs.put(in.name(), data.get(in.name()));
                    m.run(inputs);
                }
            }, name + " ran, but is listed as unsupported: move it to SUPPORTED");
            String msg = x.getMessage();
            assertTrue(msg.matches("(?s)ONNX node #\\d+ '[^']*' \\([A-Za-z]+\\).*"), name + ": the error does not name the node: " + msg);
            assertTrue(msg.contains(e.getValue()), name + ": the error does not name '" + e.getValue() + "': " + msg);
            assertTrue(msg.contains("not supported"), name + ": " + msg);
        }));
    }

    @Test
    void theErrorNamesTheNodeTypeItsNameAndItsIndex() throws IOException {
        UnsupportedOperationException x = assertThrows(UnsupportedOperationException.class,
                () -> OnnxModel.load(dir().resolve("cumsum.onnx"), Device.cpu()));
        assertTrue(x.getMessage().startsWith("ONNX node #1 '/CumSum' "), x.getMessage());   // node #0 is its axis, a Constant
        assertTrue(x.getMessage().contains("(CumSum)") && x.getMessage().contains("cumsum.onnx"), x.getMessage());
    }

    @Test
    void initializersAreTheParameters() throws IOException {
        try (OnnxModel m = OnnxModel.load(dir().resolve("lenet.onnx"), Device.cpu())) {
            int params = m.parameters().values().stream().mapToInt(Tensor::numel).sum();
            // LeNet-5 on 28 x 28: 156 + 2,416 + 48,120 + 10,164 + 850
            assertEquals(61_706, params, m.parameters().keySet().toString());
            assertEquals(List.of("x0 (2, 1, 28, 28)"), m.inputs().stream().map(Object::toString).toList());
        }
    }

    @Test
    void aSymbolicBatchRunsAtAnotherSize() throws IOException {
        try (OnnxModel m = OnnxModel.load(dir().resolve("shape_dynamic.onnx"), Device.cpu())) {
            assertEquals("x0 (batch, 2, 4)", m.inputs().get(0).toString());
            Tensor x = Tensor.arange(40).reshape(5, 2, 4);
            Tensor y = m.run(x).get(0);
            assertEquals(List.of(5, 8), Arrays.stream(y.shape()).boxed().toList());
            assertEquals(2f * 39, y.get(4, 7));
        }
    }

    @TestFactory
    Stream<DynamicTest> repeatedRunsReleaseTheirIntermediates() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest("cnn_batchnorm on " + d.name(), () -> {
            Map<String, Tensor> data = SafeTensors.read(dir().resolve("cnn_batchnorm.safetensors"), d).tensors();
            try (OnnxModel m = OnnxModel.load(dir().resolve("cnn_batchnorm.onnx"), d)) {
                m.run(data.get("x0")).forEach(Tensor::close);
                long before = d.backend().bytesInUse();
                for (int i = 0; i < 5; i++) m.run(data.get("x0")).forEach(Tensor::close);
                long after = d.backend().bytesInUse();
                // the collector may free other tests' garbage meanwhile: the count may fall, never grow
                assertTrue(after <= before, d.name() + ": 5 runs left " + (after - before) + " more bytes in use");
            }
        }));
    }

    /** Random byte flips of a small model: each loads, or fails naming the file (or an unsupported node); nothing else escapes. */
    @Test
    void mutatedFilesFailCleanly(@TempDir Path tmp) throws IOException {
        byte[] good = Files.readAllBytes(dir().resolve("cnn_batchnorm.onnx"));
        java.util.Random rnd = new java.util.Random(14);
        Path f = tmp.resolve("mutated.onnx");
        int loaded = 0;
        for (int trial = 0; trial < 300; trial++) {
            byte[] b = good.clone();
            for (int k = 0; k < 1 + rnd.nextInt(4); k++) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            Files.write(f, b);
            try (OnnxModel m = OnnxModel.load(f, Device.cpu())) {
                loaded++;
            } catch (IOException e) {
                assertTrue(e.getMessage().startsWith(f.toString()), "trial " + trial + ": " + e.getMessage());
            } catch (UnsupportedOperationException e) {
                assertTrue(e.getMessage().startsWith("ONNX node #"), "trial " + trial + ": " + e.getMessage());
            }
        }
        assertTrue(loaded > 0, "no mutation loaded: the test would not see a wrong acceptance");
    }

    @Test
    void badFilesGiveAnErrorNamingTheFile(@TempDir Path tmp) throws IOException {
        byte[] good = Files.readAllBytes(dir().resolve("lenet.onnx"));
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("truncated.onnx", Arrays.copyOf(good, good.length / 2));
        bad.put("cut-in-header.onnx", Arrays.copyOf(good, 40));
        bad.put("empty.onnx", new byte[0]);
        bad.put("text.onnx", "this is not an onnx model\n".repeat(20).getBytes());
        byte[] flipped = good.clone();
        for (int i = 0; i < 64; i++) flipped[i] = (byte) 0xff;
        bad.put("garbage-start.onnx", flipped);
        bad.put("safetensors.onnx", Files.readAllBytes(dir().resolve("lenet.safetensors")));
        for (var e : bad.entrySet()) {
            Path f = tmp.resolve(e.getKey());
            Files.write(f, e.getValue());
            try (OnnxModel m = OnnxModel.load(f, Device.cpu())) {
                fail(e.getKey() + " loaded: " + m);
            } catch (IOException x) {
                assertTrue(x.getMessage().startsWith(f.toString()), e.getKey() + ": the error does not name the file: " + x.getMessage());
            }
        }
    }
}
