package dev.jgrad.tests.spi;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Tensor#wrap} (a tensor over a buffer, no copy) and {@link Tensor#toBuffer} (the buffer of
 * a tensor: shared when it is contiguous from element 0, a copy otherwise), on every device:
 * writes through one show in the other where sharing is promised, and only there.
 */
class TensorBufferTest {

    private static Stream<DynamicTest> onEveryDevice(String what, java.util.function.Consumer<Device> test) {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest(what + " on " + d.name(), () -> test.accept(d)));
    }

    private static float[] floats(Backend be, Buffer b, int n) {
        float[] out = new float[n];
        be.copyOut(b, 0, out, 0, n);
        return out;
    }

    @TestFactory
    Stream<DynamicTest> aTensorOverABufferSharesIt() {
        return onEveryDevice("Tensor.wrap", d -> {
            Backend be = d.backend();
            Buffer b = be.allocate(8);
            be.copyIn(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, b, 0, 8);
            Tensor t = Tensor.wrap(d, b, 2, 3);  // uses the first 6 of 8
            assertArrayEquals(new int[] {2, 3}, t.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toArray());
            be.copyIn(new float[] {-9}, 0, b, 4, 1);
            assertEquals(-9f, t.get(1, 1), "a write through the buffer shows in the tensor");
            t.copyFrom(Tensor.full(d, 0.25f, 2, 3));
            assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 7, 8}, floats(be, b, 8),
                    "an in-place write to the tensor shows in the buffer, and only its 6 elements");
            assertTrue(t.toBuffer() == b, "the buffer of a tensor over a buffer is that buffer");
            long inUse = be.bytesInUse();
            t.close();
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor.wrap(d, b, 8).add(1f);
            }
            assertEquals(inUse, be.bytesInUse(), "closing a tensor over a buffer does not free the buffer");
            assertEquals(0.25f, be.read(b, 0), "the buffer outlives the tensors over it");
            be.free(b);
        });
    }

    @TestFactory
    Stream<DynamicTest> wrapChecksTheBufferAgainstTheShapeAndTheDevice() {
        return onEveryDevice("Tensor.wrap of a bad buffer", d -> {
            Backend be = d.backend();
            Buffer b = be.allocate(5);
            String small = assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(d, b, 2, 3)).getMessage();
            assertTrue(small.contains("(2, 3) needs 6 floats") && small.contains("holds 5"), small);
            for (Device other : Device.all()) {
                if (other == d) continue;
                String foreign = assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(other, b, 5)).getMessage();
                assertTrue(foreign.contains("not a live buffer of " + other.name()), foreign);
            }
            be.free(b);
            assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(d, b, 5), "a freed buffer");
        });
    }

    @TestFactory
    Stream<DynamicTest> theBufferOfAContiguousTensorIsItsMemory() {
        return onEveryDevice("toBuffer of a contiguous tensor", d -> {
            Backend be = d.backend();
            Tensor t = Tensor.of(d, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Buffer b = t.toBuffer();
            assertTrue(b.capacity() >= 6);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, floats(be, b, 6));
            be.copyIn(new float[] {40}, 0, b, 3, 1);
            assertEquals(40f, t.get(1, 0), "a write through the buffer shows in the tensor");
            t.copyFrom(Tensor.full(d, -1f, 3));
            assertArrayEquals(new float[] {-1, -1, -1, -1, -1, -1}, floats(be, b, 6), "and the other way round");
            // a reshape of it is contiguous from element 0 too: the same memory
            assertTrue(t.reshape(3, 2).toBuffer() == b);
            t.close();
        });
    }

    @TestFactory
    Stream<DynamicTest> anyOtherTensorGivesARowMajorCopy() {
        return onEveryDevice("toBuffer of a transpose and a slice", d -> {
            Backend be = d.backend();
            Tensor t = Tensor.of(d, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor tt = t.t();                       // (3, 2): 1 4 / 2 5 / 3 6
            Buffer b = tt.toBuffer();
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, floats(be, b, 6), "row-major order of the transpose");
            be.copyIn(new float[] {100}, 0, b, 0, 1);
            assertEquals(1f, t.get(0, 0), "a copy: writing to it does not change the tensor");
            Buffer row = t.select(0, 1).toBuffer();  // contiguous, but at offset 3
            assertArrayEquals(new float[] {4, 5, 6}, floats(be, row, 3));
            be.copyIn(new float[] {-4}, 0, row, 0, 1);
            assertEquals(4f, t.get(1, 0), "a copy: writing to it does not change the tensor");
            t.close();
            assertThrows(IllegalStateException.class, t::toBuffer, "a closed tensor has no buffer");
        });
    }
}
