package dev.jgrad.tests.nn;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;
import dev.jgrad.nn.data.ArrayDataset;
import dev.jgrad.nn.data.Batch;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.Dataset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** DataLoader: coverage, shuffling, drop-last, the prefetch thread's life and its errors. */
class DataLoaderTest {
    private static final Device CPU = Device.cpu();

    /** Example {@code i} has features {@code (2, 3)} = {@code 10 i + k} and label {@code i}. */
    private static ArrayDataset indexed(int n) {
        float[] x = new float[n * 6], y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = i;
            for (int k = 0; k < 6; k++) x[i * 6 + k] = 10f * i + k;
        }
        return new ArrayDataset(x, y, 2, 3);
    }

    /** The labels (= example indices) of one epoch, checking each batch's shapes and features. */
    private static List<Integer> epoch(DataLoader loader, int batchSize) {
        List<Integer> seen = new ArrayList<>();
        for (Batch b : loader) {
            try (b) {
                int n = b.size();
                assertTrue(n >= 1 && n <= batchSize, "batch of " + n);
                assertArrayEquals(new int[] {n, 2, 3}, b.x().shape());
                assertArrayEquals(new int[] {n}, b.y().shape());
                assertSame(CPU, b.x().device());
                float[] x = b.x().toArray(), y = b.y().toArray();
                for (int i = 0; i < n; i++) {
                    int index = (int) y[i];
                    assertEquals(index, y[i], "labels hold integers");
                    for (int k = 0; k < 6; k++) assertEquals(10f * index + k, x[i * 6 + k], "features of example " + index);
                    seen.add(index);
                }
            }
        }
        return seen;
    }

    private static long loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(DataLoader.THREAD_PREFIX) && t.isAlive()).count();
    }

    private static void awaitNoLoaderThreads(String why) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (loaderThreads() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(0, loaderThreads(), why);
    }

    @BeforeEach
    void noThreadsFromEarlierTests() throws InterruptedException {
        awaitNoLoaderThreads("loader threads left by an earlier test");
    }

    @Test
    void everyExampleOncePerEpochInANewOrderEachEpoch() {
        long seed = System.nanoTime();
        int n = 103, batch = 10;
        DataLoader loader = DataLoader.builder(indexed(n)).batchSize(batch).shuffle(new Generator(seed)).device(CPU).build();
        assertEquals(11, loader.batchesPerEpoch());
        List<List<Integer>> epochs = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            List<Integer> order = epoch(loader, batch);
            int[] sorted = order.stream().mapToInt(Integer::intValue).sorted().toArray();
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            assertArrayEquals(all, sorted, "epoch " + e + " must cover every example exactly once (seed " + seed + ")");
            epochs.add(order);
        }
        assertNotEquals(epochs.get(0), epochs.get(1), "epochs must be reshuffled (seed " + seed + ")");
        assertNotEquals(epochs.get(1), epochs.get(2), "epochs must be reshuffled (seed " + seed + ")");

        DataLoader again = DataLoader.builder(indexed(n)).batchSize(batch).shuffle(new Generator(seed)).device(CPU).build();
        for (int e = 0; e < 3; e++)
            assertEquals(epochs.get(e), epoch(again, batch), "same seed, same epoch " + e + " (seed " + seed + ")");
    }

    @Test
    void withoutShuffleTheOrderIsSequential() {
        List<Integer> order = epoch(DataLoader.builder(indexed(7)).batchSize(3).device(CPU).build(), 3);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), order);
    }

    @Test
    void dropLastDropsOnlyTheShortFinalBatch() {
        long seed = System.nanoTime();
        DataLoader keep = DataLoader.builder(indexed(25)).batchSize(8).shuffle(new Generator(seed)).device(CPU).build();
        DataLoader drop = DataLoader.builder(indexed(25)).batchSize(8).shuffle(new Generator(seed)).dropLast(true)
                .device(CPU).build();
        assertEquals(4, keep.batchesPerEpoch());
        assertEquals(3, drop.batchesPerEpoch());
        List<Integer> all = epoch(keep, 8), dropped = epoch(drop, 8);
        assertEquals(25, all.size());
        assertEquals(24, dropped.size());
        assertEquals(all.subList(0, 24), dropped, "same seed: drop-last is the same order minus the tail (seed " + seed + ")");
        List<Integer> sizes = new ArrayList<>();
        for (Batch b : drop) try (b) { sizes.add(b.size()); }
        assertEquals(List.of(8, 8, 8), sizes);

        DataLoader exact = DataLoader.builder(indexed(24)).batchSize(8).dropLast(true).device(CPU).build();
        assertEquals(24, epoch(exact, 8).size(), "nothing to drop when the batch size divides N");
        DataLoader tooSmall = DataLoader.builder(indexed(5)).batchSize(8).dropLast(true).device(CPU).build();
        assertFalse(tooSmall.iterator().hasNext(), "N < batch with drop-last: no batch at all");
    }

    @Test
    void batchesAreGatheredAheadOnOneDaemonThread() throws InterruptedException {
        AtomicInteger fetches = new AtomicInteger();
        Set<Thread> workers = ConcurrentHashMap.newKeySet();
        ArrayDataset base = indexed(40);
        Dataset watched = new Dataset() {
            public int size() { return base.size(); }
            public int[] featureShape() { return base.featureShape(); }
            public void fetch(int[] indices, float[] features, float[] labels) {
                workers.add(Thread.currentThread());
                fetches.incrementAndGet();
                base.fetch(indices, features, labels);
            }
        };
        DataLoader loader = DataLoader.builder(watched).batchSize(4).prefetch(2).device(CPU).build();
        try (DataLoader.Epoch epoch = loader.iterator()) {
            epoch.next().close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (fetches.get() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
            Thread.sleep(50);
            assertEquals(3, fetches.get(), "while batch 0 is in use, batches 1 and 2 (and no more) are gathered");
        }
        assertEquals(1, workers.size(), "one worker thread per epoch");
        Thread worker = workers.iterator().next();
        assertNotSame(Thread.currentThread(), worker);
        assertTrue(worker.isDaemon());
        assertTrue(worker.getName().startsWith(DataLoader.THREAD_PREFIX));
        assertFalse(worker.isAlive(), "close() ends the worker");
    }

    @Test
    void theWorkerThreadDoesNotOutliveItsEpoch() throws InterruptedException {
        DataLoader loader = DataLoader.builder(indexed(50)).batchSize(5).shuffle(new Generator(1)).device(CPU).build();
        epoch(loader, 5);
        assertEquals(0, loaderThreads(), "an exhausted epoch has released its thread");

        try (DataLoader.Epoch e = loader.iterator()) {
            e.next().close();
        }
        assertEquals(0, loaderThreads(), "a closed epoch has released its thread");

        for (int i = 0; i < 20; i++) {   // abandoned without close(): each thread idles out
            for (Batch b : loader) {
                b.close();
                break;
            }
        }
        assertTrue(loaderThreads() <= 20);
        awaitNoLoaderThreads("abandoned epochs' threads exit after " + DataLoader.IDLE_MILLIS + " ms idle");
    }

    @Test
    void aWorkerExceptionSurfacesInTheCaller() throws InterruptedException {
        ArrayDataset base = indexed(30);
        Dataset failing = new Dataset() {
            public int size() { return base.size(); }
            public int[] featureShape() { return base.featureShape(); }
            public void fetch(int[] indices, float[] features, float[] labels) {
                for (int i : indices) if (i == 17) throw new IllegalStateException("example 17 is unreadable");
                base.fetch(indices, features, labels);
            }
        };
        DataLoader loader = DataLoader.builder(failing).batchSize(4).device(CPU).build();
        DataLoader.Epoch epoch = loader.iterator();
        for (int i = 0; i < 4; i++) epoch.next().close();   // examples 0..15
        IllegalStateException e = assertThrows(IllegalStateException.class, epoch::next);
        assertEquals("example 17 is unreadable", e.getMessage());
        assertFalse(epoch.hasNext(), "a failed epoch is over");
        awaitNoLoaderThreads("a failed epoch releases its thread");
    }

    @Test
    void settingsAreChecked() {
        ArrayDataset data = indexed(3);
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(data).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(data).prefetch(3));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(null));
        var empty = DataLoader.builder(new ArrayDataset(new float[0], new float[0], 2, 3)).device(CPU).build();
        assertFalse(empty.iterator().hasNext());
    }
}
