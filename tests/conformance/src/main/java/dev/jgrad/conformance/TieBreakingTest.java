package dev.jgrad.conformance;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Where central differences cannot decide (ties), the documented rule must hold on every device:
 * max(dim), argmax and max-pooling pick the first maximum (max-pooling: a NaN beats any number,
 * the first NaN the others); a global max() spreads its gradient evenly over every maximum (over
 * every NaN when the maximum is NaN), and maximum/minimum split it 0.5/0.5 at a tie, as PyTorch.
 */
class TieBreakingTest {

    private record Tie(String name, float[] x, int[] shape, Function<Tensor, Tensor> op, float[] value, float[] grad) {}

    private static final Tie[] TIES = {
            new Tie("max(dim 1)", new float[] {1, 3, 3, 0, 2, 2, 2, 2}, new int[] {2, 4}, t -> t.max(1, false),
                    new float[] {3, 2}, new float[] {0, 1, 0, 0, 1, 0, 0, 0}),
            new Tie("max(dim 0) keepdim", new float[] {5, 1, 5, 1}, new int[] {2, 2}, t -> t.max(0, true),
                    new float[] {5, 1}, new float[] {1, 1, 0, 0}),
            // PyTorch 1.13: x.max() sends grad / count to every maximum (amax's rule)
            new Tie("max()", new float[] {3, 1, 3}, new int[] {3}, Tensor::max, new float[] {3}, new float[] {0.5f, 0, 0.5f}),
            new Tie("max() three ways", new float[] {1, 3, 3, 2, 3}, new int[] {5}, Tensor::max, new float[] {3},
                    new float[] {0, 1 / 3f, 1 / 3f, 0, 1 / 3f}),
            new Tie("max() of a matrix", new float[] {7, 1, 7, 7, 2, 7}, new int[] {2, 3}, Tensor::max, new float[] {7},
                    new float[] {0.25f, 0, 0.25f, 0.25f, 0, 0.25f}),
            new Tie("max() with NaN", new float[] {1, Float.NaN, 3, Float.NaN}, new int[] {4}, Tensor::max,
                    new float[] {Float.NaN}, new float[] {0, 0.5f, 0, 0.5f}),
            new Tie("max() without a tie", new float[] {1, 5, 3}, new int[] {3}, Tensor::max, new float[] {5},
                    new float[] {0, 1, 0}),
            new Tie("argmax(dim 1)", new float[] {1, 3, 3, 0, 2, 2, 2, 2}, new int[] {2, 4}, t -> t.argmax(1, false),
                    new float[] {1, 0}, null),
            new Tie("maxPool2d(2, 2, 0)", new float[] {4, 4, 1, 1, 4, 4, 1, 2}, new int[] {1, 1, 2, 4},
                    t -> t.maxPool2d(2, 2, 0), new float[] {4, 2}, new float[] {1, 0, 0, 0, 0, 0, 0, 1}),
            // a NaN in a window wins over every number, and the first NaN over later ones
            new Tie("maxPool2d(2, 2, 0) with NaN", new float[] {1, Float.NaN, 3, 4, Float.NaN, 5, Float.NaN, 2},
                    new int[] {1, 1, 2, 4}, t -> t.maxPool2d(2, 2, 0), new float[] {Float.NaN, Float.NaN},
                    new float[] {0, 1, 0, 0, 0, 0, 1, 0}),
            new Tie("maxPool2d(3, 1, 1) with NaN", new float[] {1, 2, Float.NaN, 0}, new int[] {1, 1, 1, 4},
                    t -> t.maxPool2d(3, 1, 1), new float[] {2, Float.NaN, Float.NaN, Float.NaN},
                    new float[] {0, 1, 3, 0}),
            // pooling in 1 to 3 dims (issue 14): the same rule through dilation, 3-D windows and adaptive ones
            new Tie("maxPool 1-D kernel 2 dilation 2", new float[] {5, 9, 5, 9, 5}, new int[] {1, 1, 5},
                    t -> t.maxPool(new int[] {2}, new int[] {1}, new int[] {0}, new int[] {2}, false),
                    new float[] {5, 9, 5}, new float[] {1, 1, 1, 0, 0}),
            new Tie("maxPool 3-D with NaN", new float[] {1, Float.NaN, Float.NaN, 3}, new int[] {1, 1, 2, 1, 2},
                    t -> t.maxPool(new int[] {2, 1, 2}, null, new int[] {0}, new int[] {1}, false),
                    new float[] {Float.NaN}, new float[] {0, 1, 0, 0}),
            new Tie("adaptiveMaxPool 1-D overlapping windows", new float[] {2, 2, 1}, new int[] {1, 1, 3},
                    t -> t.adaptiveMaxPool(2), new float[] {2, 2}, new float[] {1, 1, 0}),
            new Tie("adaptiveMaxPool 2-D with NaN", new float[] {1, Float.NaN, 2, Float.NaN}, new int[] {1, 1, 2, 2},
                    t -> t.adaptiveMaxPool(1, 1), new float[] {Float.NaN}, new float[] {0, 1, 0, 0}),
    };

    @TestFactory
    Stream<DynamicTest> firstMaximumWins() {
        return Conformance.devices().stream().flatMap(d -> Stream.of(TIES).map(tie -> DynamicTest.dynamicTest(
                tie.name + " ties on " + d, () -> {
                    Tensor x = Tensor.of(d, tie.x, tie.shape).requiresGrad(tie.grad != null);
                    Tensor y = tie.op.apply(x);
                    assertArrayEquals(tie.value, y.toArray(), tie.name + " value");
                    if (tie.grad == null) return;
                    y.sum().backward();
                    assertArrayEquals(tie.grad, x.grad().toArray(), tie.name + ": gradient must go to the first maximum");
                })));
    }

    @TestFactory
    Stream<DynamicTest> maximumAndMinimumSplitTies() {
        return Conformance.devices().stream().flatMap(d -> Stream.of(true, false).map(isMax -> DynamicTest.dynamicTest(
                (isMax ? "maximum" : "minimum") + " ties on " + d, () -> {
                    // PyTorch 1.13: a tie splits the gradient 0.5/0.5, a NaN on either side sends all of it to both
                    Tensor a = Tensor.of(d, new float[] {1, 2, 3, Float.NaN, 4, -0f}, 6).requiresGrad(true);
                    Tensor b = Tensor.of(d, new float[] {1, 0, 3, 1, Float.NaN, 0f}, 6).requiresGrad(true);
                    (isMax ? a.maximum(b) : a.minimum(b)).mul(Tensor.of(d, new float[] {2, 2, 4, 1, 1, 6}, 6)).sum().backward();
                    assertArrayEquals(isMax ? new float[] {1, 2, 2, 1, 1, 3} : new float[] {1, 0, 2, 1, 1, 3}, a.grad().toArray());
                    assertArrayEquals(isMax ? new float[] {1, 0, 2, 1, 1, 3} : new float[] {1, 2, 2, 1, 1, 3}, b.grad().toArray());
                })));
    }
}
