package dev.jgrad.tests.nn;

import dev.jgrad.engine.CrossEntropyOptions;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Reduction;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.layers.GroupNorm;
import dev.jgrad.nn.layers.LayerNorm;
import dev.jgrad.nn.loss.Losses;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LayerNorm and GroupNorm as layers (PyTorch's state-dict names), and the loss options through {@code Losses}. */
class NormLayersTest {

    @Test
    void layerNormHasPyTorchsNamesAndNormalizesTheLastDims() {
        LayerNorm ln = new LayerNorm(3, 4);
        assertEquals(List.of("weight", "bias"), List.copyOf(ln.stateDict().keySet()));
        assertArrayEquals(new int[] {3, 4}, ln.weight.value().shape());
        Tensor y = ln.forward(Tensor.randn(new Generator(5), 2, 3, 4).mul(3f).add(2f));
        float[] v = y.toArray();
        for (int s = 0; s < 2; s++) {
            double mean = 0, sq = 0;
            for (int i = 0; i < 12; i++) mean += v[s * 12 + i] / 12.0;
            for (int i = 0; i < 12; i++) sq += (v[s * 12 + i] - mean) * (v[s * 12 + i] - mean) / 12.0;
            assertEquals(0, mean, 1e-5);
            assertEquals(1, sq, 1e-3);
        }
        assertTrue(new LayerNorm(new int[] {4}, 1e-5f, false).stateDict().isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ln.forward(Tensor.zeros(2, 4, 3)));
        assertTrue(e.getMessage().contains("layerNorm") && e.getMessage().contains("(3, 4)"), e.getMessage());
    }

    @Test
    void groupNormHasPyTorchsNamesAndChecksGroups() {
        GroupNorm gn = new GroupNorm(2, 4);
        assertEquals(List.of("weight", "bias"), List.copyOf(gn.stateDict().keySet()));
        assertArrayEquals(new int[] {2, 4, 3, 3}, gn.forward(Tensor.randn(new Generator(6), 2, 4, 3, 3)).shape());
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gn.forward(Tensor.zeros(2, 6, 3)));
        assertTrue(e.getMessage().contains("groupNorm"), e.getMessage());
    }

    @Test
    void lossesTakeTheOptions() {
        Tensor logits = Tensor.randn(new Generator(7), 5, 4);
        Tensor labels = Tensor.of(new float[] {0, 3, -100, 2, 1}, 5);
        CrossEntropyOptions o = CrossEntropyOptions.defaults().labelSmoothing(0.1f).reduction(Reduction.NONE);
        assertArrayEquals(logits.crossEntropy(labels, o).toArray(), Losses.crossEntropy(logits, labels, o).toArray());
        Tensor logProbs = logits.logSoftmax(1);
        assertArrayEquals(logProbs.nllLoss(labels, CrossEntropyOptions.defaults()).toArray(),
                Losses.nllLoss(logProbs, labels).toArray());
        // the plain call without ignored rows takes the fused kernel and agrees with the composition
        Tensor kept = Tensor.of(new float[] {0, 3, 1, 2, 1}, 5);
        float fused = Losses.crossEntropy(logits, kept, CrossEntropyOptions.defaults()).item();
        float composed = Losses.crossEntropy(logits, kept, CrossEntropyOptions.defaults().reduction(Reduction.SUM)).item() / 5;
        assertEquals(fused, composed, 1e-5f * Math.abs(fused));
    }
}
