package dev.jgrad.engine.cpu.vectorized;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * The one thread pool every vectorized kernel shares, sized to the machine's cores (or to
 * {@code -Djgrad.cpu.threads=N}). Work below a
 * kernel's grain runs inline on the caller so that small tensors never pay for a fork; a
 * {@code parallelFor} reached from inside a pool worker also runs inline (no nested splitting).
 *
 * <p>No result depends on which thread ran which chunk or when: chunks write disjoint outputs,
 * and a reduction that splits its input keeps one partial per chunk and adds them in chunk order
 * after every chunk is done. Reductions whose partials a user can observe cut their input by
 * {@link #fixedChunks}, independent of the thread count.
 */
final class Parallel {
    /** A half-open range {@code [start, end)} of work items. */
    @FunctionalInterface
    interface Range {
        void run(int start, int end);
    }

    static final int THREADS = Math.max(1, Integer.getInteger("jgrad.cpu.threads", Runtime.getRuntime().availableProcessors()));

    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS, pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("jgrad-cpu-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
    }, null, false);

    private Parallel() {}

    /** Number of chunks {@code count} items split into, at least {@code grain} items per chunk. */
    static int chunks(int count, int grain) {
        if (THREADS == 1 || count <= grain || inPool()) return 1;
        return (int) Math.min(THREADS, Math.max(1, count / Math.max(1, grain)));
    }

    /**
     * Number of partial results a reduction over {@code count} items keeps: one per {@code grain}
     * items, at most {@code max}, never fewer than one. Unlike {@link #chunks} it does not depend
     * on the thread count, so a reduction that adds its partials in order gives the same bits on
     * one core and on many; the partials are then spread over the pool with {@link #forChunks}.
     */
    static int fixedChunks(int count, int grain, int max) {
        if (count <= grain) return 1;
        return Math.max(1, Math.min(max, count / Math.max(1, grain)));
    }

    /**
     * Runs {@code body} over {@code [0, count)}, split into at most one chunk per core with at
     * least {@code grain} items each; returns when every chunk is done.
     */
    static void parallelFor(int count, int grain, Range body) {
        int chunks = chunks(count, grain);
        if (chunks <= 1) {
            if (count > 0) body.run(0, count);
            return;
        }
        forChunks(count, chunks, body);
    }

    /** Splits {@code [0, count)} into exactly {@code chunks} near-equal ranges run in parallel. */
    static void forChunks(int count, int chunks, Range body) {
        if (chunks <= 1 || inPool()) {
            if (count > 0) body.run(0, count);
            return;
        }
        ForkJoinTask<?>[] forked = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) count * c / chunks), end = (int) ((long) count * (c + 1) / chunks);
            forked[c - 1] = POOL.submit(new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(start, end);
                }
            });
        }
        Throwable failure = null;
        try {
            body.run(0, (int) ((long) count / chunks));
        } catch (Throwable t) {
            failure = t;
        }
        for (ForkJoinTask<?> task : forked) {
            try {
                task.join();
            } catch (Throwable t) {
                if (failure == null) failure = t;
            }
        }
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
    }

    private static boolean inPool() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == POOL;
    }
}
