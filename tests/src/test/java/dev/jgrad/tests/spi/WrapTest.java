package dev.jgrad.tests.spi;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.Device;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Backend#wrap(float[])} and {@link Backend#wrap(MemorySegment)} on every device: the
 * buffer holds the data; on the CPU a {@code float[]} (and a heap segment over a whole one) is
 * shared, not copied, while native memory, slices and read-only segments are copied, as
 * documented; bad input gets an exception that says what is wrong.
 */
class WrapTest {

    private static boolean cpu(Device d) {
        return d.name().startsWith("cpu");
    }

    private static float[] pattern(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = 0.5f * i - 3;
        return a;
    }

    private static float[] contents(Backend be, Buffer b) {
        float[] out = new float[b.capacity()];
        be.copyOut(b, 0, out, 0, out.length);
        return out;
    }

    private static Stream<DynamicTest> onEveryDevice(String what, java.util.function.Consumer<Device> test) {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest(what + " on " + d.name(), () -> test.accept(d)));
    }

    @TestFactory
    Stream<DynamicTest> anArrayIsSharedOnTheCpuAndCopiedElsewhere() {
        return onEveryDevice("wrap(float[])", d -> {
            Backend be = d.backend();
            float[] data = pattern(10);
            Buffer b = be.wrap(data);
            assertEquals(10, b.capacity());
            assertArrayEquals(pattern(10), contents(be, b));
            data[3] = 99f;
            be.copyIn(new float[] {-7f}, 0, b, 5, 1);
            if (cpu(d)) {
                assertEquals(99f, be.read(b, 3), "the buffer shares the array: a write to the array shows");
                assertEquals(-7f, data[5], "the buffer shares the array: a write through the buffer shows");
            } else {
                assertEquals(pattern(10)[3], be.read(b, 3), "the device buffer is a copy of the array");
                assertEquals(pattern(10)[5], data[5], "a write to the device copy does not reach the array");
            }
            be.free(b);
        });
    }

    @TestFactory
    Stream<DynamicTest> aHeapSegmentOverAWholeFloatArrayIsSharedOnTheCpu() {
        return onEveryDevice("wrap(MemorySegment.ofArray)", d -> {
            Backend be = d.backend();
            float[] data = pattern(12);
            Buffer b = be.wrap(MemorySegment.ofArray(data));
            assertArrayEquals(pattern(12), contents(be, b));
            be.copyIn(new float[] {42f}, 0, b, 0, 1);
            assertEquals(cpu(d) ? 42f : pattern(12)[0], data[0], cpu(d) ? "shared on the CPU" : "copied to the device");
            be.free(b);
        });
    }

    @TestFactory
    Stream<DynamicTest> nativeMemorySlicesAndReadOnlySegmentsAreCopied() {
        return onEveryDevice("wrap(native, slice, read-only)", d -> {
            Backend be = d.backend();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment off = arena.allocate(ValueLayout.JAVA_FLOAT, 9);
                for (int i = 0; i < 9; i++) off.setAtIndex(ValueLayout.JAVA_FLOAT, i, pattern(9)[i]);
                Buffer b = be.wrap(off);
                assertArrayEquals(pattern(9), contents(be, b));
                be.copyIn(new float[] {5f}, 0, b, 2, 1);
                assertEquals(pattern(9)[2], off.getAtIndex(ValueLayout.JAVA_FLOAT, 2), "native memory is copied");
                be.free(b);
            }
            float[] data = pattern(8);
            Buffer slice = be.wrap(MemorySegment.ofArray(data).asSlice(2 * Float.BYTES, 4 * Float.BYTES));
            assertArrayEquals(new float[] {data[2], data[3], data[4], data[5]}, contents(be, slice));
            be.copyIn(new float[] {11f}, 0, slice, 0, 1);
            assertEquals(pattern(8)[2], data[2], "a slice is copied");
            be.free(slice);
            Buffer readOnly = be.wrap(MemorySegment.ofArray(data).asReadOnly());
            be.copyIn(new float[] {13f}, 0, readOnly, 1, 1);
            assertEquals(pattern(8)[1], data[1], "a read-only segment is copied, never written");
            be.free(readOnly);
            // a long[] segment is 8-byte aligned: its floats (native order) are copied
            long[] longs = {Float.floatToRawIntBits(1.5f) & 0xffffffffL | (long) Float.floatToRawIntBits(-2f) << 32};
            Buffer fromLongs = be.wrap(MemorySegment.ofArray(longs));
            float[] got = contents(be, fromLongs);
            float[] want = MemorySegment.ofArray(longs).toArray(ValueLayout.JAVA_FLOAT);
            assertArrayEquals(want, got);
            be.free(fromLongs);
        });
    }

    @TestFactory
    Stream<DynamicTest> badInputIsRefusedSayingWhatIsWrong() {
        return onEveryDevice("wrap of bad input", d -> {
            Backend be = d.backend();
            assertTrue(assertThrows(NullPointerException.class, () -> be.wrap((float[]) null)).getMessage().contains("array is null"));
            assertTrue(assertThrows(NullPointerException.class, () -> be.wrap((MemorySegment) null)).getMessage()
                    .contains("segment is null"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> be.wrap(new float[0])).getMessage().contains("empty"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> be.wrap(MemorySegment.ofArray(new float[0])))
                    .getMessage().contains("empty (0 bytes)"));
            String odd = assertThrows(IllegalArgumentException.class, () -> be.wrap(MemorySegment.ofArray(new byte[6])))
                    .getMessage();
            assertTrue(odd.contains("6 bytes") && odd.contains("multiple of 4"), odd);
            String heapMisaligned = assertThrows(IllegalArgumentException.class,
                    () -> be.wrap(MemorySegment.ofArray(new byte[9]).asSlice(1))).getMessage();
            assertTrue(heapMisaligned.contains("not aligned to 4 bytes"), heapMisaligned);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment misaligned = arena.allocate(20, 8).asSlice(2, 8);
                String msg = assertThrows(IllegalArgumentException.class, () -> be.wrap(misaligned)).getMessage();
                assertTrue(msg.contains("not aligned to 4 bytes") && msg.contains("0x"), msg);
                assertTrue(msg.startsWith("wrap on " + d.name()), msg);
            }
        });
    }

    @Test
    void aBufferFromWrapPassesTheBoundaryChecksLikeAnAllocatedOne() {
        List<String> seen = new ArrayList<>();
        for (Device d : Device.all()) {
            Backend be = d.backend();
            Buffer x = be.wrap(pattern(6)), out = be.wrap(new float[6]);
            be.unary(dev.jgrad.engine.UnaryOp.NEG, x, out, 6, 0, 0);
            float[] want = pattern(6);
            for (int i = 0; i < 6; i++) want[i] = -want[i];
            assertArrayEquals(want, contents(be, out), d.name());
            assertThrows(IllegalArgumentException.class, () -> be.unary(dev.jgrad.engine.UnaryOp.NEG, x, out, 7, 0, 0));
            be.free(x);
            be.free(out);
            seen.add(d.name());
        }
        assertTrue(seen.contains("cpu-looped"), "ran on " + seen);
    }
}
