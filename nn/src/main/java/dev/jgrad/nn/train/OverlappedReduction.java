package dev.jgrad.nn.train;

import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.dist.Collective;
import dev.jgrad.engine.dist.Collectives;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Parameter;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@link DataParallel#averageGradients} overlapped with the backward pass, as PyTorch's DDP does
 * it: the parameters are grouped into buckets of about {@link Collectives#bucketBytes()} in the
 * reverse of their order (backward reaches the last layers first), and as soon as every gradient
 * of a bucket is final (a {@link Tensor#onGradientReady} hook) the bucket's all-reduce starts on
 * one background thread while the main thread walks the rest of the graph. {@link #finish} gives
 * the gradients that never came zeros, reduces what is left and waits for all of it. Each element
 * is summed over the ranks as after the backward pass; with two ranks that is the same bits, with
 * more MPI may choose another reduction order for another message size.
 *
 * <p>Only for the CPU devices and collectives that {@link Collective#allowsBackgroundCalls()}:
 * the CUDA backend's stream belongs to the thread that runs the model.
 */
public final class OverlappedReduction implements AutoCloseable {
    private final Module model;
    private final Collective collective;
    private final List<List<Parameter>> buckets = new ArrayList<>();
    private final Map<Tensor, Integer> bucketOf = new IdentityHashMap<>();
    private final List<AutoCloseable> hooks = new ArrayList<>();
    private final ExecutorService worker;
    private final List<Future<?>> inFlight = new ArrayList<>();
    private int[] waiting;
    private boolean[] started;
    private float scale;
    private boolean active;
    /** Buckets whose all-reduce started during a backward pass, and all buckets reduced, in this process. */
    static final java.util.concurrent.atomic.AtomicLong EARLY = new java.util.concurrent.atomic.AtomicLong(),
            TOTAL = new java.util.concurrent.atomic.AtomicLong();

    OverlappedReduction(Module model, Collective collective) {
        this.model = model;
        this.collective = collective;
        List<Parameter> params = new ArrayList<>(model.parameters());
        java.util.Collections.reverse(params);
        long limit = Collectives.bucketBytes(), filled = 0;
        List<Parameter> current = new ArrayList<>();
        for (Parameter p : params) {
            long bytes = 4L * p.value().numel();
            if (!current.isEmpty() && filled + bytes > limit) {
                buckets.add(current);
                current = new ArrayList<>();
                filled = 0;
            }
            current.add(p);
            filled += bytes;
        }
        if (!current.isEmpty()) buckets.add(current);
        for (int b = 0; b < buckets.size(); b++)
            for (Parameter p : buckets.get(b)) {
                bucketOf.put(p.value(), b);
                hooks.add(p.value().onGradientReady(this::ready));
            }
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jgrad-gradient-allreduce");
            t.setDaemon(true);
            return t;
        });
    }

    /** Before the backward pass of a step whose rank holds {@code local} of the global batch's {@code global} examples. */
    public void begin(int local, int global) {
        if (global <= 0 || local < 0 || local > global)
            throw new IllegalArgumentException("averageGradients: " + local + " local examples of " + global);
        scale = (float) local / global;
        waiting = new int[buckets.size()];
        started = new boolean[buckets.size()];
        for (int b = 0; b < buckets.size(); b++) waiting[b] = buckets.get(b).size();
        inFlight.clear();
        active = true;
    }

    private void ready(Tensor leaf) {
        if (!active) return;
        Integer b = bucketOf.get(leaf);
        if (b != null && --waiting[b] == 0) {
            EARLY.incrementAndGet();
            start(b);
        }
    }

    private void start(int b) {
        started[b] = true;
        TOTAL.incrementAndGet();
        List<Tensor> grads = new ArrayList<>();
        for (Parameter p : buckets.get(b)) grads.add(p.grad());
        float s = scale;
        inFlight.add(worker.submit(() -> collective.allReduceSum(grads, s)));
    }

    /** After the backward pass: zeros for the gradients that never came, the remaining buckets, and a wait for all. */
    public void finish() {
        try {
            for (int b = 0; b < buckets.size(); b++) {
                if (started[b]) continue;
                for (Parameter p : buckets.get(b))
                    if (p.grad() == null) p.value().setGradient(Tensor.zeros(p.value().device(), p.shape()));
                start(b);
            }
            for (Future<?> f : inFlight) f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException("gradient all-reduce failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the gradient all-reduce", e);
        } finally {
            active = false;
        }
    }

    @Override
    public void close() {
        for (AutoCloseable h : hooks) {
            try {
                h.close();
            } catch (Exception ignored) {
                // removing a hook cannot fail
            }
        }
        worker.shutdownNow();
    }

    /** Whether the overlap applies: a CPU device and a collective that allows background calls ({@code -Djgrad.dist.overlap=false} turns it off). */
    public static boolean applies(Module model, Collective collective) {
        if (!Boolean.parseBoolean(System.getProperty("jgrad.dist.overlap", "true"))) return false;
        if (collective.size() == 1 || !collective.allowsBackgroundCalls()) return false;
        for (Parameter p : model.parameters()) if (!p.value().device().name().startsWith("cpu")) return false;
        return true;
    }
}
