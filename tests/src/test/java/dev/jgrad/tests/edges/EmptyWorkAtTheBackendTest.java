package dev.jgrad.tests.edges;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.ConvGeometry;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.PoolGeometry;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Empty work reaching a {@link Backend} directly (a program that calls it without tensors): a
 * matmul with {@code batch}, {@code m} or {@code n} 0 writes nothing, one with {@code k = 0}
 * writes zeros (the empty sum), and conv/pool calls of batch 0 write nothing but the weight
 * gradients, zeros. On every device; no kernel is launched with an empty grid.
 */
class EmptyWorkAtTheBackendTest {

    private static float[] read(Backend be, Buffer b, int n) {
        float[] out = new float[n];
        be.copyOut(b, 0, out, 0, n);
        return out;
    }

    @TestFactory
    Stream<DynamicTest> emptyWorkOnEveryDevice() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest("empty work on " + d, () -> {
            Backend be = d.backend();
            Buffer empty = be.allocate(0), a = be.allocate(12), b = be.allocate(20);
            be.fill(a, 12, 1.5f);
            be.fill(b, 20, -2f);
            // batch 0 (the fuzzed (0, 3, 4) x (4, 5)): nothing to write, no index past a buffer
            be.matmul(empty, b, empty, 0, 3, 5, 4, false, false, 12, 0);
            be.matmul(a, b, empty, 3, 0, 5, 4, false, false, 0, 0);
            be.matmul(a, b, empty, 1, 3, 0, 4, false, true, 0, 0);
            // k = 0: every output is 0, whatever the buffer held before
            Buffer c = be.allocate(30);
            be.fill(c, 30, Float.NaN);
            be.matmul(empty, empty, c, 2, 3, 5, 0, false, false, 0, 0);
            assertArrayEquals(new float[30], read(be, c, 30), "k = 0 gives zeros");
            // conv2d and pooling of batch 0
            ConvGeometry g = new ConvGeometry(0, 2, 5, 5, 3, 3, 3, 1, 1, 0, 0);
            Buffer w = be.allocate(54), bias = be.allocate(3), gw = be.allocate(54), gb = be.allocate(3);
            be.fill(w, 54, 0.25f);
            be.fill(bias, 3, 1f);
            be.fill(gw, 54, Float.NaN);
            be.fill(gb, 3, Float.NaN);
            be.conv2d(empty, w, bias, empty, g);
            be.conv2dBackwardInput(empty, w, empty, g);
            be.conv2dBackwardWeight(empty, empty, gw, gb, g);
            assertArrayEquals(new float[54], read(be, gw, 54), "weight gradient of no image");
            assertArrayEquals(new float[3], read(be, gb, 3), "bias gradient of no image");
            PoolGeometry p = new PoolGeometry(0, 3, 6, 6, 2, 2, 2, 2, 0, 0);
            be.maxPool2d(empty, empty, empty, p);
            be.maxPool2dBackward(empty, empty, empty, p);
            be.avgPool2d(empty, empty, p);
            be.avgPool2dBackward(empty, empty, p);
            var p3 = new dev.jgrad.engine.Pool3dGeometry(0, 3, 4, 5, 6, 3, 2, 2, 2, 1, 2, 1, 1, 0, 1, 2, 1, true, false, 0);
            be.maxPool3d(empty, empty, empty, p3);
            be.maxPool3dBackward(empty, empty, empty, p3);
            be.avgPool3d(empty, empty, p3);
            be.avgPool3dBackward(empty, empty, p3);
            var ad = new dev.jgrad.engine.AdaptivePoolGeometry(0, 3, 4, 5, 6, 1, 2, 3);
            be.adaptiveAvgPool3d(empty, empty, ad);
            be.adaptiveAvgPool3dBackward(empty, empty, ad);
            be.adaptiveMaxPool3d(empty, empty, empty, ad);
            be.adaptiveMaxPool3dBackward(empty, empty, empty, ad);
            float[] after = read(be, a, 12);
            float[] want = new float[12];
            Arrays.fill(want, 1.5f);
            assertArrayEquals(want, after, "inputs untouched");
            for (Buffer x : new Buffer[] {empty, a, b, c, w, bias, gw, gb}) be.free(x);
        }));
    }
}
