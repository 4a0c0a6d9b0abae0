package dev.jgrad.tests.train;

import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.layers.Linear;
import dev.jgrad.nn.loss.Losses;
import dev.jgrad.nn.optim.SGD;
import dev.jgrad.nn.train.GradientNorms;
import dev.jgrad.nn.train.Trainer;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link GradientNorms} against gradients worked out by hand. */
class GradientNormsTest {

    @Test
    void recordsTheMeanGradientNormOfEachEpoch() {
        // y = w . x + b on one example x = (1, 2), target 0, squared error: dL/dw = 2 (w.x + b) x, dL/db = 2 (w.x + b)
        Linear m = new Linear(2, 1);
        try (GradMode.Scope ignored = GradMode.disable()) {
            m.weight.value().copyFrom(Tensor.of(new float[] {0.5f, -0.25f}, 1, 2));
            m.bias.value().copyFrom(Tensor.of(new float[] {1f}, 1));
        }
        GradientNorms norms = new GradientNorms(Map.of("weight", m.weight));
        float lr = 0.1f;
        Trainer t = new Trainer(m, new SGD(m.parameters(), lr), (y, target) -> Losses.mse(y, target.reshape(-1, 1)))
                .listener(norms).output(new PrintStream(OutputStream.nullOutputStream()), false);
        ArrayDataset one = new ArrayDataset(new float[] {1, 2}, new float[] {0}, 2);
        t.fit(DataLoader.builder(one).batchSize(1).shuffle(new Generator(1)).build(), null, 2);
        List<double[]> e = norms.perEpoch();
        assertEquals(2, e.size());
        // epoch 1: r = 0.5 - 0.5 + 1 = 1, |2 r x| = 2 sqrt(5)
        assertEquals(2 * Math.sqrt(5), e.get(0)[0], 1e-5);
        // the SGD step: w -= lr 2 r x, b -= lr 2 r; epoch 2's residual r2 = w'.x + b'
        double r2 = (0.5 - lr * 2) * 1 + (-0.25 - lr * 4) * 2 + (1 - lr * 2);
        assertEquals(2 * Math.abs(r2) * Math.sqrt(5), e.get(1)[0], 1e-5);
    }
}
