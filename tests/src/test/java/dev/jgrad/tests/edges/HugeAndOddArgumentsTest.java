package dev.jgrad.tests.edges;

import dev.jgrad.engine.ConvGeometry;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.PoolGeometry;
import dev.jgrad.engine.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sizes that cannot fit, steps that overflow and NaN: each defect the fuzzing of issue 15 found
 * outside the zero-size family (which is {@code ZeroSizeTest} in the conformance suite).
 */
class HugeAndOddArgumentsTest {
    /** The largest Java array the JVM may allocate, and so the largest buffer a tensor can have. */
    private static final long LIMIT = Integer.MAX_VALUE - 8;

    /** {@code call} throws an IllegalArgumentException (never an Error) whose message holds each part. */
    private static void rejected(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts)
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
    }

    @Test
    void creationPastTheArrayLimitIsRejectedNamingTheOp() {
        rejected(() -> Tensor.zeros(Integer.MAX_VALUE), "zeros", "(2147483647,)", String.valueOf(LIMIT));
        rejected(() -> Tensor.ones(65536, 65536), "ones", "(65536, 65536)", String.valueOf(LIMIT));
        rejected(() -> Tensor.full(2f, Integer.MAX_VALUE - 7), "full", String.valueOf(LIMIT));
        rejected(() -> Tensor.arange(0, 3e9f, 1), "arange", "3.0E9", String.valueOf(LIMIT));
        rejected(() -> Tensor.rand(new Generator(1), 3, Integer.MAX_VALUE), "rand", "(3, 2147483647)");
        rejected(() -> Tensor.randn(new Generator(1), Integer.MAX_VALUE), "randn", String.valueOf(LIMIT));
        rejected(() -> Tensor.of(new float[1], 1 << 16, 1 << 16), "of", "(65536, 65536)");
    }

    @Test
    void opOutputsPastTheLimitAreRejectedNamingTheOp() {
        Tensor row = Tensor.zeros(1, 1 << 16), column = Tensor.zeros(1 << 16, 1);
        rejected(() -> column.matmul(row), "matmul", "(65536, 1)", "(1, 65536)", String.valueOf(LIMIT));
        rejected(() -> column.add(row), "add", "(65536, 65536)", String.valueOf(LIMIT));
        rejected(() -> row.expand(1 << 16, 1 << 16).contiguous(), "contiguous", "(65536, 65536)");
    }

    /**
     * conv2d (1, 1, 8192, 8192) x (1, 1, 16, 16), stride 2: its im2col matrix would be 256 x 4089^2
     * = 4,280,299,776 floats, beyond any Java array and any CUDA buffer of this engine. Before the
     * fix the CPU kernels indexed it in ints and threw ArrayIndexOutOfBoundsException.
     */
    @TestFactory
    Stream<DynamicTest> convWhoseColumnsCannotFitIsRejected() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest("conv2d 8192^2 x 16^2 stride 2 on " + d, () -> {
            Tensor x = Tensor.zeros(d, 1, 1, 8192, 8192), w = Tensor.zeros(d, 1, 1, 16, 16);
            rejected(() -> x.conv2d(w, null, 2, 0), "conv2d", "(1, 1, 8192, 8192)", "(1, 1, 16, 16)", "4280299776",
                    String.valueOf(LIMIT));
            x.close();
        }));
    }

    /** PyTorch: {@code torch.arange(10)[0:10:2**31-1]} is {@code tensor([0])}; before the fix it was empty. */
    @TestFactory
    Stream<DynamicTest> slicesWithHugeStepsKeepPyTorchsElements() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest("slice steps on " + d, () -> {
            Tensor x = Tensor.arange(10).to(d);
            assertArrayEquals(new float[] {0}, x.slice(0, 0, 10, Integer.MAX_VALUE).toArray());
            assertArrayEquals(new float[] {3}, x.slice(0, 3, Integer.MAX_VALUE, Integer.MAX_VALUE).toArray());
            assertArrayEquals(new float[] {9}, x.slice(0, 9, 10, Integer.MAX_VALUE - 1).toArray());
            assertArrayEquals(new float[0], x.slice(0, 10, 10, Integer.MAX_VALUE).toArray());
            assertArrayEquals(new float[] {1, 8}, x.slice(0, 1, 10, 7).toArray());
            // a strided base: the step times its stride would overflow, but only one element is kept
            Tensor m = Tensor.arange(24).to(d).reshape(4, 6).t();
            assertArrayEquals(new float[] {2, 8, 14, 20}, m.slice(0, 2, 6, Integer.MAX_VALUE).reshape(-1).toArray());
            Tensor g = Tensor.arange(12).to(d).requiresGrad(true);
            g.slice(0, 5, 12, Integer.MAX_VALUE).sum().backward();
            float[] want = new float[12];
            want[5] = 1;
            assertArrayEquals(want, g.grad().toArray());
        }));
    }

    /** PyTorch: relu(NaN) = NaN (forward), and the gradient passes through a NaN. */
    @TestFactory
    Stream<DynamicTest> reluKeepsNaN() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest("relu(NaN) on " + d, () -> {
            float[] v = new float[67];
            for (int i = 0; i < v.length; i++) v[i] = i % 3 == 0 ? Float.NaN : i % 3 == 1 ? -i : i;
            for (int repeat = 0; repeat < 300; repeat++) {   // through the JIT's tiers
                Tensor x = Tensor.of(d, v, v.length);
                float[] y = x.relu().toArray();
                Tensor strided = Tensor.of(d, v, v.length).slice(0, 0, v.length, 2).relu();
                for (int i = 0; i < v.length; i++) {
                    float want = Float.isNaN(v[i]) ? Float.NaN : Math.max(0f, v[i]);
                    assertEquals(want, y[i], "relu of " + v[i] + " at " + i + ", repeat " + repeat);
                }
                float[] s = strided.toArray();
                for (int i = 0; i < s.length; i++)
                    assertEquals(Float.isNaN(v[2 * i]) ? Float.NaN : Math.max(0f, v[2 * i]), s[i], "strided relu at " + i);
            }
        }));
    }

    @Test
    void convAndPoolMessagesPrintTheRealGeometry() {
        IllegalArgumentException conv = assertThrows(IllegalArgumentException.class,
                () -> new ConvGeometry(2, 3, 5, 5, 4, 3, 3, 0, 1, 0, 0));
        assertTrue(conv.getMessage().startsWith("conv2d"), conv.getMessage());
        assertTrue(conv.getMessage().contains("n=2, cIn=3, h=5, w=5, cOut=4, kh=3, kw=3, strideH=0"), conv.getMessage());
        IllegalArgumentException pool = assertThrows(IllegalArgumentException.class,
                () -> new PoolGeometry(2, 3, 5, 5, 0, 2, 1, 1, 0, 0));
        assertTrue(pool.getMessage().contains("n=2, c=3, h=5, w=5, kh=0, kw=2"), pool.getMessage());
        Tensor x = Tensor.zeros(1, 2, 4, 4);
        rejected(() -> x.conv2d(Tensor.zeros(3, 2, 3, 3), null, 0, 0), "conv2d", "strideH=0");
        rejected(() -> x.maxPool2d(2, -1, 0), "maxPool2d", "(1, 2, 4, 4)", "strideH=-1");
        rejected(() -> x.avgPool2d(5, 1, 0), "avgPool2d", "(1, 2, 4, 4)");
        rejected(() -> x.conv2d(Tensor.zeros(3, 2, 5, 5), null, 1, 0), "conv2d", "(1, 2, 4, 4)", "(3, 2, 5, 5)");
    }
}
