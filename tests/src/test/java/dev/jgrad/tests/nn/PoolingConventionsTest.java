package dev.jgrad.tests.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.layers.AdaptiveAvgPool2d;
import dev.jgrad.nn.layers.AdaptiveMaxPool1d;
import dev.jgrad.nn.layers.AvgPool1d;
import dev.jgrad.nn.layers.AvgPool2d;
import dev.jgrad.nn.layers.MaxPool1d;
import dev.jgrad.nn.layers.MaxPool2d;
import dev.jgrad.nn.layers.MaxPool3d;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pooling layers against outputs of PyTorch 1.13 itself (printed by
 * {@code tests/src/test/python/pool_conventions.py}, run by hand, and copied here; the script also
 * sweeps the window and divisor rules that the conformance references are written from against
 * PyTorch): ceil mode's partial last window and
 * its divisor clipped at the padded end, padding left out of the divisor, divisor override,
 * dilation with argmax, adaptive windows; and PyTorch's argument checks.
 */
class PoolingConventionsTest {

    private static float[] range(int n, float sign) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = sign * (i + 1);
        return v;
    }

    private record Golden(String name, Supplier<Module> layer, float[] x, int[] shape, int[] outShape, float[] out,
                          float[] grad) {}

    private static final Golden[] GOLDENS = {
            // F.avg_pool1d(arange(1, 8).view(1, 1, 7), 3, 2, 1, ceil_mode=True, count_include_pad=True)
            new Golden("AvgPool1d(3, 2, 1) ceil countPad", () -> new AvgPool1d(3, 2, 1, true, true), range(7, 1),
                    new int[] {1, 1, 7}, new int[] {1, 1, 4}, new float[] {1f, 3f, 5f, 4.333333492279053f}, null),
            new Golden("AvgPool1d(3, 2, 1) ceil noCountPad", () -> new AvgPool1d(3, 2, 1, true, false), range(7, 1),
                    new int[] {1, 1, 7}, new int[] {1, 1, 4}, new float[] {1.5f, 3f, 5f, 6.5f}, null),
            // F.avg_pool2d(arange(1, 31).view(1, 1, 5, 6), (3, 2), (2, 3), (1, 1), ceil_mode=True)
            new Golden("AvgPool2d((3, 2), (2, 3), (1, 1)) ceil countPad",
                    () -> new AvgPool2d(new int[] {3, 2}, new int[] {2, 3}, new int[] {1, 1}, true, true, 0), range(30, 1),
                    new int[] {1, 1, 5, 6}, new int[] {1, 1, 3, 3}, new float[] {1.3333333730697632f, 4.333333492279053f, 3f,
                            6.5f, 15.5f, 9f, 7.333333492279053f, 16.33333396911621f, 9f}, null),
            new Golden("AvgPool2d(3, 2, 1) ceil divisor 4",
                    () -> new AvgPool2d(new int[] {3}, new int[] {2}, new int[] {1}, true, false, 4), range(30, 1),
                    new int[] {1, 1, 5, 6}, new int[] {1, 1, 3, 4}, new float[] {4.5f, 9f, 12f, 4.5f, 20.25f, 33.75f, 38.25f,
                            13.5f, 22.5f, 36f, 39f, 13.5f}, null),
            // F.max_pool2d(-x, (2, 3), (2, 2), (1, 1), dilation=(2, 1), ceil_mode=True, return_indices=True):
            // indices 6, 7, 9, 11 twice, then 18, 19, 21, 23
            new Golden("MaxPool2d((2, 3), (2, 2), (1, 1), dilation (2, 1)) ceil",
                    () -> new MaxPool2d(new int[] {2, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {2, 1}, true),
                    range(30, -1), new int[] {1, 1, 5, 6}, new int[] {1, 1, 3, 4},
                    new float[] {-7, -8, -10, -12, -7, -8, -10, -12, -19, -20, -22, -24},
                    new float[] {0, 0, 0, 0, 0, 0, 2, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0}),
            new Golden("AdaptiveAvgPool2d((4, 4)) of 5x6", () -> new AdaptiveAvgPool2d(new int[] {4, 4}), range(30, 1),
                    new int[] {1, 1, 5, 6}, new int[] {1, 1, 4, 4}, new float[] {4.5f, 5.5f, 7.5f, 8.5f, 10.5f, 11.5f, 13.5f,
                            14.5f, 16.5f, 17.5f, 19.5f, 20.5f, 22.5f, 23.5f, 25.5f, 26.5f}, null),
            // F.adaptive_max_pool1d([3, 1, 4, 1, 5, 9, 2], 4, return_indices=True): indices 0, 2, 5, 5
            new Golden("AdaptiveMaxPool1d(4)", () -> new AdaptiveMaxPool1d(4), new float[] {3, 1, 4, 1, 5, 9, 2},
                    new int[] {1, 1, 7}, new int[] {1, 1, 4}, new float[] {3, 4, 9, 9}, new float[] {1, 0, 1, 0, 0, 2, 0}),
    };

    @TestFactory
    Stream<DynamicTest> pytorchOutputs() {
        return Device.all().stream().flatMap(d -> Stream.of(GOLDENS).map(g -> DynamicTest.dynamicTest(g.name + " on " + d, () -> {
            Tensor x = Tensor.of(d, g.x, g.shape).requiresGrad(true);
            Tensor y = g.layer.get().forward(x);
            assertArrayEquals(g.outShape, y.shape(), g.name + " shape");
            assertArrayEquals(g.out, y.toArray(), 1e-6f, g.name);
            if (g.grad != null) {
                y.sum().backward();
                assertArrayEquals(g.grad, x.grad().toArray(), g.name + " gradient (PyTorch's indices)");
            }
        })));
    }

    /** PyTorch's output sizes: max_pool1d(zeros(1, 1, L), k, s, p, dilation, ceil_mode).shape[-1]. */
    @Test
    void outputSizes() {
        int[][] cases = {{7, 3, 2, 1, 1, 1, 4}, {7, 3, 2, 1, 1, 0, 4}, {8, 3, 3, 1, 2, 1, 3}, {5, 2, 2, 1, 1, 1, 3}};
        for (int[] c : cases) {
            Tensor y = new MaxPool1d(c[1], c[2], c[3], c[4], c[5] == 1).forward(Tensor.zeros(1, 1, c[0]));
            assertArrayEquals(new int[] {1, 1, c[6]}, y.shape(), java.util.Arrays.toString(c));
        }
    }

    @Test
    void badArgumentsNameTheOp() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool1d(4, 1, 3, 1, false).forward(Tensor.zeros(1, 1, 7)));
        assertTrue(e.getMessage().contains("maxPool1d") && e.getMessage().contains("(1, 1, 7)")
                && e.getMessage().contains("at most half the window"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool3d(2).forward(Tensor.zeros(2, 4, 4)));
        assertTrue(e.getMessage().contains("maxPool3d") && e.getMessage().contains("(N, C, D, H, W)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool1d(3, 1, 0, 4, false).forward(Tensor.zeros(1, 1, 8)));
        assertTrue(e.getMessage().contains("larger than the padded input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1, 1, 5).adaptiveAvgPool(0));
        assertTrue(e.getMessage().contains("adaptiveAvgPool1d"), e.getMessage());
    }

    /**
     * The vectorized backend's pooling gives the looped kernels' bits where it takes whole vectors
     * of outputs (stride 1 along rows longer than a vector) and where it does not, forward and back.
     */
    @Test
    void vectorizedGivesTheLoopedBits() {
        Device looped = Device.get("cpu-looped"), vectorized = Device.get("cpu-vectorized");
        Tensor x = Tensor.randn(looped, new Generator(7), 2, 3, 5, 6, 45);
        java.util.List<java.util.function.Function<Tensor, Tensor>> ops = java.util.List.of(
                t -> t.maxPool(new int[] {2, 3, 3}, new int[] {1, 2, 1}, new int[] {1, 1, 1}, new int[] {1, 2, 1}, true),
                t -> t.maxPool(new int[] {3, 2, 2}, new int[] {2, 2, 2}, new int[] {1, 1, 1}, new int[] {2, 1, 1}, true),
                t -> t.avgPool(new int[] {3, 3, 4}, new int[] {2, 1, 1}, new int[] {1, 1, 2}, true, false, 0),
                t -> t.avgPool(new int[] {2, 2, 5}, new int[] {1, 2, 3}, new int[] {1, 1, 2}, false, true, 0),
                t -> t.adaptiveAvgPool(3, 4, 17),
                t -> t.adaptiveMaxPool(2, 5, 9));
        for (int i = 0; i < ops.size(); i++) {
            Tensor a = Tensor.of(looped, x.toArray(), x.shape()).requiresGrad(true);
            Tensor b = Tensor.of(vectorized, x.toArray(), x.shape()).requiresGrad(true);
            Tensor ya = ops.get(i).apply(a), yb = ops.get(i).apply(b);
            assertArrayEquals(ya.toArray(), yb.toArray(), "forward of op " + i);
            ya.mul(ya).sum().backward();
            yb.mul(yb).sum().backward();
            assertArrayEquals(a.grad().toArray(), b.grad().toArray(), "gradient of op " + i);
        }
    }
}
