package dev.jgrad.nn.data;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Generator;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches of a {@link Dataset} on a {@link Device}: each {@link #iterator()} is one epoch that
 * yields {@link Batch}es {@code x (B, ...featureShape)}, {@code y (B,)} covering every example
 * once ({@code B = batchSize}, the last batch smaller unless {@code dropLast} drops it).
 *
 * <p>With a shuffle {@link Generator} every epoch draws a fresh permutation from it, so
 * successive epochs differ and the same seed replays the same sequence of epochs. Without one
 * the order is {@code 0, 1, ..., N-1}.
 *
 * <p>While the caller trains on one batch, ONE background thread gathers the next
 * {@code prefetch} (1 or 2) batches into host arrays; the copy to the device happens on the
 * caller's thread. The thread is a daemon owned by the epoch: it ends when the epoch is
 * exhausted or {@link Epoch#close() closed}, and, if the caller simply stops iterating, it
 * finishes the batches already asked for and exits after {@value #IDLE_MILLIS} ms idle. An
 * exception thrown while gathering is rethrown by {@code next()} in the caller.
 *
 * <p><b>Sharded</b> ({@link Builder#shard}, for data-parallel training): every rank draws the
 * same permutation (the same seed), cuts it into the same global batches of {@code batchSize}
 * examples, and takes the examples at positions {@code rank, rank + ranks, ...} of each. So
 * global batch {@code t} is the same set of examples as batch {@code t} of one unsharded process,
 * every rank runs the same number of steps, and over an epoch the ranks' shards cover every
 * example exactly once. A rank's part of the last batch may be empty (fewer examples left than
 * ranks): then it gets a batch of zero examples.
 *
 * <pre>{@code
 * var loader = DataLoader.builder(train).batchSize(64).shuffle(new Generator(7)).device(dev).build();
 * for (int epoch = 0; epoch < 10; epoch++)
 *     for (Batch b : loader) try (b) { ... }
 * }</pre>
 */
public final class DataLoader implements Iterable<Batch> {
    /** How long an abandoned epoch's worker thread waits for work before it exits. */
    public static final long IDLE_MILLIS = 500;
    /** Name prefix of the worker threads, so that tests and thread dumps can recognize them. */
    public static final String THREAD_PREFIX = "jgrad-data-loader-";
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Dataset dataset;
    private final int batchSize;
    private final Generator shuffle;
    private final boolean dropLast;
    private final Device device;
    private final int prefetch;
    private final int shardRank, shardCount;

    private DataLoader(Builder b) {
        this.shardRank = b.shardRank;
        this.shardCount = b.shardCount;
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.device = b.device != null ? b.device : Device.defaultDevice();
        this.prefetch = b.prefetch;
    }

    /** A loader over {@code dataset}; batch size 32, no shuffle, no drop-last, default device, prefetch 2. */
    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    public Device device() {
        return device;
    }

    /** The generator that draws each epoch's order, or null without shuffling (checkpoints save its state). */
    public Generator shuffleGenerator() {
        return shuffle;
    }

    /** This loader's rank among {@link #shardCount()} shards (0 when not sharded). */
    public int shardRank() {
        return shardRank;
    }

    /** How many ranks share each batch (1 when not sharded). */
    public int shardCount() {
        return shardCount;
    }

    /** Examples in global batch {@code index} of an epoch, over all shards: {@code B}, or fewer in the last. */
    public int globalBatchExamples(int index) {
        if (index < 0 || index >= batchesPerEpoch())
            throw new IndexOutOfBoundsException("data loader: batch " + index + " of " + batchesPerEpoch());
        return Math.min(batchSize, dataset.size() - index * batchSize);
    }

    /** Batches per epoch: {@code floor(N / B)} with drop-last, else {@code ceil(N / B)}. */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Starts one epoch (drawing its permutation now when shuffling). */
    @Override
    public Epoch iterator() {
        int n = dataset.size();
        int[] order;
        if (shuffle != null) {
            order = Splits.permutation(n, shuffle);
        } else {
            order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
        }
        return new Epoch(order);
    }

    /**
     * One pass over the data. Iterating to the end releases its worker thread; call
     * {@link #close()} (or use try-with-resources) when stopping early to release it at once.
     */
    public final class Epoch implements Iterator<Batch>, AutoCloseable {
        private final int[] order;
        private final int batches;
        private final ArrayDeque<Future<HostBatch>> pending = new ArrayDeque<>();
        private ThreadPoolExecutor worker;
        private volatile Thread lastThread;
        private int submitted;
        private int delivered;
        private boolean closed;

        private Epoch(int[] order) {
            this.order = order;
            this.batches = batchesPerEpoch();
            if (batches > 0) {
                // Core size 0 and a keep-alive: an abandoned epoch's thread exits by itself.
                // (A step slower than that only costs a new thread for the next batch.)
                worker = new ThreadPoolExecutor(0, 1, IDLE_MILLIS, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                        r -> {
                            Thread t = new Thread(r, THREAD_PREFIX + THREADS.incrementAndGet());
                            t.setDaemon(true);
                            lastThread = t;
                            return t;
                        });
                while (submitted < Math.min(prefetch, batches)) submitNext();
            }
        }

        /** The example indices of this epoch, in order (a copy). */
        public int[] order() {
            return order.clone();
        }

        @Override
        public boolean hasNext() {
            return !closed && delivered < batches;
        }

        /**
         * The next batch on the loader's device.
         *
         * @throws RuntimeException the exception the worker hit while gathering this batch
         */
        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("data loader: epoch has no more batches");
            Future<HostBatch> head = pending.poll();
            assert head != null : "a batch is pending whenever one is left to deliver";
            HostBatch host;
            try {
                host = head.get();
            } catch (ExecutionException e) {
                close();
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) throw re;
                if (cause instanceof Error err) throw err;
                throw new IllegalStateException("data loader: gathering batch " + delivered + " failed: " + cause, cause);
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("data loader: interrupted while waiting for batch " + delivered, e);
            }
            delivered++;
            if (submitted < batches) submitNext();
            else if (delivered == batches) close();
            return host.toDevice(device);
        }

        private void submitNext() {
            int start = submitted * batchSize;
            int count = Math.min(batchSize, order.length - start);
            int[] indices;
            if (shardCount == 1) {
                indices = Arrays.copyOfRange(order, start, start + count);
            } else {
                indices = new int[Math.max(0, (count - shardRank + shardCount - 1) / shardCount)];
                for (int i = 0; i < indices.length; i++) indices[i] = order[start + shardRank + i * shardCount];
            }
            pending.add(worker.submit(() -> dataset.fetch(indices)));
            submitted++;
        }

        /** Stops the epoch: cancels batches not yet gathered and waits (up to 10 s) until the worker thread has ended. */
        @Override
        public void close() {
            if (closed) return;
            closed = true;
            pending.forEach(f -> f.cancel(true));
            pending.clear();
            if (worker == null) return;
            worker.shutdownNow();
            try {
                // A fetch that ignores the interrupt ends on its own; the daemon thread exits after it.
                if (worker.awaitTermination(10, TimeUnit.SECONDS) && lastThread != null) lastThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Optional settings of a {@link DataLoader}. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 32;
        private Generator shuffle;
        private boolean dropLast;
        private Device device;
        private int prefetch = 2;
        private int shardRank = 0, shardCount = 1;

        private Builder(Dataset dataset) {
            if (dataset == null) throw new IllegalArgumentException("data loader: dataset is null");
            this.dataset = dataset;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) throw new IllegalArgumentException("data loader: batch size must be positive, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /** Reshuffles every epoch with permutations drawn from {@code generator}; null for no shuffle. */
        public Builder shuffle(Generator generator) {
            this.shuffle = generator;
            return this;
        }

        /** Drops the last batch of an epoch when it is smaller than the batch size. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Where batches go; the default device when not set. */
        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /** How many batches the worker gathers ahead of the caller: 1 or 2. */
        public Builder prefetch(int batches) {
            if (batches < 1 || batches > 2)
                throw new IllegalArgumentException("data loader: prefetch must be 1 or 2 batches, got " + batches);
            this.prefetch = batches;
            return this;
        }

        /**
         * Makes this loader rank {@code rank}'s shard of {@code ranks} (see the class comment);
         * {@code batchSize} stays the global batch size. {@code shard(0, 1)} is unsharded.
         */
        public Builder shard(int rank, int ranks) {
            if (ranks < 1 || rank < 0 || rank >= ranks)
                throw new IllegalArgumentException("data loader: shard " + rank + " of " + ranks + ": needs 0 <= rank < ranks");
            this.shardRank = rank;
            this.shardCount = ranks;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
