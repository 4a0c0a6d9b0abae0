package dev.jgrad.tests.onnx;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.models.Models;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints shared with real PyTorch (resources {@code torch-interop/}, written by
 * {@code nn/onnx/src/test/python/torch_checkpoints.py}). One way: a checkpoint of
 * {@code ./jgrad train --model lenet --save}, loaded by PyTorch into the matching {@code torch.nn}
 * LeNet, gave PyTorch's logits on 64 Fashion-MNIST test images; jgrad must give the same. The
 * other way: a state dict PyTorch trained and saved in the safetensors layout loads into
 * {@code Models.lenet()} and gives PyTorch's logits. The same for {@code lenet-bn} (BatchNorm in
 * evaluation: running statistics; PyTorch's {@code num_batches_tracked} loads into jgrad's
 * BatchNorm as it is, and the committed jgrad checkpoint, written before jgrad kept that buffer,
 * loads without it since the buffer is optional). Both: identical argmax predictions, logits to 1e-4 relative, on every device.
 */
class TorchCheckpointTest {

    static Path dir() {
        try {
            return Path.of(TorchCheckpointTest.class.getResource("/torch-interop/inputs.safetensors").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> lenetCheckpointsGivePyTorchsPredictions() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Device.all())
            for (String model : List.of("lenet", "lenet-bn")) {
                tests.add(DynamicTest.dynamicTest(model + ": jgrad checkpoint read by torch, on " + d.name(),
                        () -> agree(d, model, "jgrad-" + model + ".safetensors", "jgrad-" + model + ".torch.safetensors")));
                tests.add(DynamicTest.dynamicTest(model + ": torch state dict read by jgrad, on " + d.name(),
                        () -> agree(d, model, "torch-" + model + ".safetensors", "torch-" + model + ".logits.safetensors")));
            }
        return tests.stream();
    }

    private static void agree(Device device, String model, String weights, String torchResults) throws IOException {
        SafeTensors.Contents ckpt = SafeTensors.read(dir().resolve(weights), device);
        assertEquals(model, ckpt.metadata().get("model"), weights + ": metadata " + ckpt.metadata());
        Module net = Models.byName(model).to(device).eval();
        net.loadStateDict(ckpt.tensors());
        Tensor images = SafeTensors.read(dir().resolve("inputs.safetensors"), device).tensors().get("images");
        Map<String, Tensor> ref = SafeTensors.read(dir().resolve(torchResults), Device.cpu()).tensors();
        float[] logits = net.forward(images).toArray();
        float[] torchLogits = ref.get("logits").toArray();
        float[] torchPred = ref.get("predictions").toArray();
        double err = OnnxImportTest.relativeError(logits, torchLogits);
        assertTrue(err <= 1e-4, weights + " on " + device.name() + ": logits differ from PyTorch's by " + err + " relative");
        float[] pred = new float[torchPred.length];
        for (int i = 0; i < pred.length; i++) {
            int best = 0;
            for (int c = 1; c < 10; c++) if (logits[i * 10 + c] > logits[i * 10 + best]) best = c;
            pred[i] = best;
        }
        assertArrayEquals(torchPred, pred, weights + " on " + device.name() + ": predictions differ from PyTorch's");
    }
}
