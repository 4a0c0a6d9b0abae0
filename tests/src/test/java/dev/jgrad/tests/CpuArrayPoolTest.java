package dev.jgrad.tests;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.engine.MemoryScope;
import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU's caching allocator: a large array released by a scope is handed to the next allocation
 * of its size, and a kernel writing into such a reused (stale) array still computes the right
 * values. The suite runs with every CPU allocation poisoned with NaN, so a kernel that reads an
 * element it never wrote fails the conformance suite.
 */
class CpuArrayPoolTest {
    private static final int N = 1 << 18; // 1 MiB of floats: above the pooling threshold

    @Test
    void theSuiteRunsWithPoisonedAllocations() {
        assertTrue(Boolean.getBoolean("jgrad.cpu.poison"),
                "surefire must pass -Djgrad.cpu.poison=true (the parent POM's argLine)");
    }

    @Test
    void aReleasedArrayIsReusedByTheNextAllocationOfItsSizeAndOverwrittenCorrectly() {
        for (String name : new String[] {"cpu-looped", "cpu-vectorized"}) {
            Device d = Device.get(name);
            CpuBackend backend = (CpuBackend) d.backend();
            Generator gen = new Generator(System.nanoTime());
            Tensor x = Tensor.randn(d, gen, N), y = Tensor.randn(d, gen, N);
            float[] xs = x.toArray(), ys = y.toArray();
            long pooledBefore = backend.pooledBytes();
            try (MemoryScope first = MemoryScope.open()) {
                x.add(y);
            }
            long pooled = backend.pooledBytes();
            assertTrue(pooled >= pooledBefore + 4L * N, name + ": the sum's array must go back to the pool, pooled "
                    + pooledBefore + " -> " + pooled);
            try (MemoryScope second = MemoryScope.open()) {
                Tensor product = x.mul(y); // lands in the sum's array, still holding the sums
                assertEquals(pooled - 4L * N, backend.pooledBytes(), name + ": the product must reuse a pooled array");
                float[] got = product.toArray();
                for (int i = 0; i < N; i++)
                    assertEquals((double) xs[i] * ys[i], got[i], 1e-6 * Math.abs((double) xs[i] * ys[i]) + 1e-30,
                            name + ": element " + i);
            }
        }
    }

    @Test
    void smallArraysAreLeftToTheGarbageCollector() {
        Device d = Device.get("cpu-vectorized");
        CpuBackend backend = (CpuBackend) d.backend();
        long pooledBefore = backend.pooledBytes();
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor.ones(d, 100).mul(3f);
        }
        assertEquals(pooledBefore, backend.pooledBytes());
    }
}
