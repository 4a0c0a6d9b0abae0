package dev.jgrad.bench.compare;

/**
 * One engine as {@link CompareBench} drives it: jgrad on a device, or a peer (PyTorch through DJL,
 * Deeplearning4j/ND4J) behind the {@code peers} Maven profile. An engine prepares each workload
 * once, outside the timed region (inputs copied to the engine, weights built), and returns an
 * {@link Op} whose {@link Op#run} is one timed call.
 *
 * <p>Implementations have a public constructor taking the thread count, which loads nothing
 * native; natives load in {@link #start}.
 */
public interface Engine extends AutoCloseable {
    /** The name used as the JMH parameter and the report's column, e.g. {@code pytorch}. */
    String name();

    /** What the report prints about it: library and version, threads, kernels. Valid after {@link #start}. */
    String describe();

    /** Why this engine does not run {@code w}, or null when it does. Loads nothing. */
    String unsupported(Workload w);

    /** Loads the engine's natives and sets its thread count. */
    void start();

    /** Copies the inputs in and builds what the workload needs; throws UnsupportedOperationException if {@link #unsupported} says so. */
    Op prepare(Workload w, Inputs in);

    @Override
    default void close() {}

    /** One prepared workload. */
    interface Op extends AutoCloseable {
        /** One call, complete when it returns (a GPU engine synchronizes); the return value feeds JMH's blackhole. */
        Object run();

        /** The output of one more call, on the host, in the layout {@link Workload} states for it. */
        float[] result();

        @Override
        default void close() {}
    }
}
