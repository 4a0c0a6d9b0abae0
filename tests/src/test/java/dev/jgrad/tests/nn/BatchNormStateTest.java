package dev.jgrad.tests.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.layers.BatchNorm;
import dev.jgrad.nn.layers.BatchNorm1d;
import dev.jgrad.nn.layers.BatchNorm2d;
import dev.jgrad.nn.layers.BatchNorm3d;
import dev.jgrad.nn.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch BatchNorm state dicts load as they are (files written by
 * {@code tests/src/test/python/gen_batchnorm_state.py} with torch 1.13: {@code num_batches_tracked}
 * is an I64 scalar there), give PyTorch's outputs, and jgrad's state dict has PyTorch's keys in
 * PyTorch's order; a jgrad file from before {@code num_batches_tracked} still loads.
 */
class BatchNormStateTest {

    private record Kind(String file, int channels, IntFunction<BatchNorm> make) {}

    private static final List<Kind> KINDS = List.of(new Kind("batchnorm1d", 3, BatchNorm1d::new),
            new Kind("batchnorm2d", 3, BatchNorm2d::new), new Kind("batchnorm3d", 2, BatchNorm3d::new));

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(BatchNormStateTest.class.getResource("/pytorch/" + name + ".safetensors").toURI());
    }

    @Test
    void pytorchStateDictsLoadAndGivePyTorchsOutputs() throws Exception {
        for (Device d : Device.all())
            for (Kind k : KINDS) {
                BatchNorm bn = k.make.apply(k.channels);
                bn.to(d);
                Map<String, Tensor> pytorch = SafeTensors.load(resource(k.file));
                assertEquals(List.copyOf(pytorch.keySet()), List.copyOf(bn.stateDict().keySet()),
                        k.file + ": jgrad's state-dict keys are PyTorch's, in PyTorch's order");
                SafeTensors.loadInto(resource(k.file), bn);
                assertEquals(3f, bn.numBatchesTracked().item(), k.file + ": num_batches_tracked from the I64 entry");

                Map<String, Tensor> io = SafeTensors.load(resource(k.file + "_io"));
                Tensor x = io.get("x").to(d);
                bn.eval();
                assertClose(io.get("y").toArray(), bn.forward(x).toArray(), k.file + " on " + d + ", evaluation");
                bn.train();
                assertClose(io.get("train_y").toArray(), bn.forward(x).toArray(), k.file + " on " + d + ", training");
                assertEquals(4f, bn.numBatchesTracked().item(), "a training step counts one batch");
                bn.eval();
                bn.forward(x);
                assertEquals(4f, bn.numBatchesTracked().item(), "evaluation counts nothing");
            }
    }

    @Test
    void oldCheckpointsWithoutTheCountStillLoad(@TempDir Path dir) throws IOException {
        BatchNorm2d trained = new BatchNorm2d(3);
        trained.forward(Tensor.randn(new dev.jgrad.engine.Generator(3), 4, 3, 2, 2));
        Map<String, Tensor> old = new LinkedHashMap<>(trained.stateDict());
        old.remove("num_batches_tracked");
        Path file = dir.resolve("old.safetensors");
        SafeTensors.save(file, old);

        BatchNorm2d fresh = new BatchNorm2d(3);
        SafeTensors.loadInto(file, fresh);
        assertEquals(0f, fresh.numBatchesTracked().item(), "an absent count stays as it was");
        assertTrue(java.util.Arrays.equals(trained.runningMean().toArray(), fresh.runningMean().toArray()));
        fresh.loadStateDict(old);   // the in-memory path too

        // and jgrad's own files round-trip the count (as F32)
        Path now = dir.resolve("now.safetensors");
        SafeTensors.save(now, trained.stateDict());
        BatchNorm2d again = new BatchNorm2d(3);
        SafeTensors.loadInto(now, again);
        assertEquals(1f, again.numBatchesTracked().item());
    }

    @Test
    void ranksAreChecked() {
        Tensor x4 = Tensor.zeros(2, 3, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).forward(x4));
        assertTrue(e.getMessage().contains("BatchNorm1d") && e.getMessage().contains("(N, C, L)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm3d(3).forward(x4));
        assertTrue(e.getMessage().contains("BatchNorm3d"), e.getMessage());
        Module bn1 = new BatchNorm1d(3);
        assertEquals(3, bn1.forward(Tensor.randn(new dev.jgrad.engine.Generator(1), 4, 3, 5)).size(1));
    }

    @Test
    void anInt64ThatFloat32CannotHoldIsRejected(@TempDir Path dir) throws IOException {
        String header = "{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}";
        header += " ".repeat((8 - header.length() % 8) % 8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length()).put(header.getBytes(StandardCharsets.UTF_8)).putLong((1L << 24) + 1);
        Path file = dir.resolve("big.safetensors");
        Files.write(file, b.array());
        IOException e = assertThrows(IOException.class, () -> SafeTensors.load(file));
        assertTrue(e.getMessage().contains("\"n\"") && e.getMessage().contains("16777217"), e.getMessage());
    }

    private static void assertClose(float[] want, float[] got, String what) {
        double err = 0, ref = 0;
        for (int i = 0; i < want.length; i++) {
            err += (got[i] - want[i]) * (double) (got[i] - want[i]);
            ref += want[i] * (double) want[i];
        }
        assertEquals(want.length, got.length, what);
        assertTrue(Math.sqrt(err / ref) < 1e-5, what + ": relative error " + Math.sqrt(err / ref) + " against PyTorch");
    }
}
