package dev.jgrad.tests.cli;

import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrad onnx}: a committed PyTorch export run on its own inputs, on random ones, with a symbolic batch, and bad usage. */
class CliOnnxTest {

    private static Path onnx(String name) {
        try {
            return Path.of(CliOnnxTest.class.getResource("/onnx/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void runsALeNetOnItsCommittedInputAndPrintsTheOutputs() {
        CliRun r = CliRun.jgrad("onnx", onnx("lenet.onnx").toString(), "--input", onnx("lenet.safetensors").toString(),
                "--device", "cpu", "--values", "3");
        assertEquals(0, r.code(), r.both());
        assertTrue(r.out().contains("opset 13, 12 nodes, 10 parameter tensors"), r.both());
        assertTrue(r.out().contains("input  x0 (2, 1, 28, 28): from "), r.both());
        assertTrue(r.out().matches("(?s).*output y0 \\(2, 10\\): [-0-9.e]+, [-0-9.e]+, [-0-9.e]+, \\.\\.\\.\n.*"), r.both());
    }

    @Test
    void randomInputsTakeTheSymbolicSizesOfShape() {
        CliRun r = CliRun.jgrad("onnx", onnx("shape_dynamic.onnx").toString(), "--shape", "batch=5", "--device", "cpu-looped");
        assertEquals(0, r.code(), r.both());
        assertTrue(r.out().contains("input  x0 (5, 2, 4): random N(0, 1), seed 42"), r.both());
        assertTrue(r.out().contains("output y0 (5, 8): "), r.both());
    }

    @Test
    void anUnsupportedNodeFailsNamingIt() {
        CliRun r = CliRun.jgrad("onnx", onnx("cumsum.onnx").toString(), "--device", "cpu");
        assertEquals(1, r.code(), r.both());
        assertTrue(r.err().contains("ONNX node #1 ") && r.err().contains("(CumSum)"), r.both());
    }

    @Test
    void aMissingModelIsBadUsage() {
        CliRun r = CliRun.jgrad("onnx", "/nonexistent/model.onnx");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("does not exist"), r.both());
    }
}
