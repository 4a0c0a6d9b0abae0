package dev.jgrad.tests.spi;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.Device;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.cpu.CpuBackend;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A user's own array never enters jgrad's pool: wrapped, freed (directly, or through a tensor over
 * it and the end of its scope), and then followed by allocations of its size that are all
 * written, it keeps every value it had. On the CPU the pool does not grow by its size either.
 */
class PoolIsolationTest {
    /** 256 KiB of floats: well above the CPU pool's threshold, so a pooled array of this size would be reused. */
    private static final int N = 1 << 16;

    private static float[] pattern() {
        float[] a = new float[N];
        for (int i = 0; i < N; i++) a[i] = i % 977 - 400.25f;
        return a;
    }

    @TestFactory
    Stream<DynamicTest> aFreedUserArrayIsNeverHandedOutAgain() {
        return Device.all().stream().map(d -> DynamicTest.dynamicTest("on " + d.name(), () -> {
            Backend be = d.backend();
            long pooled = be instanceof CpuBackend cpu ? cpu.pooledBytes() : 0;
            long inUse = be.bytesInUse();

            float[] user = pattern();
            be.free(be.wrap(user));
            float[] viaSegment = pattern();
            be.free(be.wrap(MemorySegment.ofArray(viaSegment)));
            if (be instanceof CpuBackend cpu)
                assertEquals(pooled, cpu.pooledBytes(), "freeing a user's array must not add it to the pool");
            float[] viaTensor = pattern();
            Buffer wrapped = be.wrap(viaTensor);
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor t = Tensor.wrap(d, wrapped, N);
                t.mul(2f);  // the product is jgrad's own array: it, and only it, goes to the pool at the scope's end
            }
            be.free(wrapped);  // the tensor borrowed it; freeing it stays the caller's (on CUDA it is a device copy)
            if (be instanceof CpuBackend cpu)
                assertEquals(pooled + 4L * N, cpu.pooledBytes(), "only the product's array may join the pool, not the user's");
            assertEquals(inUse, be.bytesInUse(), "wrapped user memory is not counted as the backend's");

            List<Buffer> taken = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Buffer b = be.allocate(N);
                    be.fill(b, N, -1f - i);
                    taken.add(b);
                }
                assertArrayEquals(pattern(), user, "an allocation after free reused the user's array");
                assertArrayEquals(pattern(), viaSegment, "an allocation after free reused the segment's array");
                assertArrayEquals(pattern(), viaTensor, "an allocation after the scope reused the tensor's array");
            } finally {
                taken.forEach(be::free);
            }
        }));
    }
}
