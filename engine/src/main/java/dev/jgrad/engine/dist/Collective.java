package dev.jgrad.engine.dist;

import dev.jgrad.engine.Tensor;

import java.util.List;

/**
 * The collective operations of synchronous data parallelism, over the {@link #size()} processes
 * (ranks) of one job: every rank calls the same operations in the same order with tensors of the
 * same shapes, and each call returns when the ranks have all contributed.
 *
 * <p>Implementations: {@link Collectives#local()} (one rank; every operation is the identity),
 * {@link MpiCollective} (Open MPI's C library through FFM, host memory) and, in jgrad-cuda,
 * {@code NcclCollective} (NCCL over CUDA buffers on the backend's stream). They are reached
 * through {@link Collectives}, never by a library of jgrad's own: the collective libraries that
 * clusters run already do this well.
 *
 * <p>Tensor arguments are written in place: their memory (the buffer of a dense tensor, such as a
 * parameter or a gradient) receives the result. Views and non-dense tensors are rejected.
 */
public interface Collective extends AutoCloseable {
    /** This process's rank, {@code 0 <= rank < size}. */
    int rank();

    /** The number of ranks. */
    int size();

    /** What carries the operations, e.g. {@code "mpi (Open MPI v4.1.4), 2 ranks"}. */
    String describe();

    /**
     * Replaces every tensor by its elementwise sum over the ranks. The tensors are packed into
     * buckets of about {@link Collectives#bucketBytes()} and reduced one bucket at a time.
     */
    default void allReduceSum(List<Tensor> tensors) {
        allReduceSum(tensors, 1f);
    }

    /**
     * Replaces every tensor {@code t} by the sum over the ranks of {@code scale * t}, each rank
     * passing its own {@code scale} (a weighted mean of gradients: scale = this rank's share of
     * the examples). A scale of 1 sums the values as they are.
     */
    void allReduceSum(List<Tensor> tensors, float scale);

    /** Replaces every tensor by {@code root}'s copy of it. */
    void broadcast(List<Tensor> tensors, int root);

    /** Sums a few host values over the ranks (for metrics and counts); returns a new array. */
    double[] allReduceSum(double[] values);

    /** Replaces {@code bytes} by {@code root}'s copy (every rank passes an array of the same length). */
    void broadcastBytes(byte[] bytes, int root);

    /**
     * Whether the operations may be called from a thread other than the one that opened the
     * collective, one thread at a time (MPI_THREAD_SERIALIZED): then data-parallel training
     * reduces finished gradient buckets on a background thread during the backward pass.
     */
    default boolean allowsBackgroundCalls() {
        return false;
    }

    /** Returns when every rank has called it. */
    void barrier();

    /** Ends this process's part in the job (MPI_Finalize); the collective cannot be used after. */
    @Override
    void close();
}
