package dev.jgrad.nn.data;

import dev.jgrad.engine.Shapes;

/**
 * A finite, indexable set of examples: each has features of shape {@code featureShape()} and one
 * float label (a class label holds an integer value). Examples are fetched in batches by index
 * into caller-provided host arrays, so a {@link DataLoader} can gather the next batch on a
 * background thread; implementations must therefore allow concurrent {@link #fetch} calls that
 * only read.
 */
public interface Dataset {
    /** Number of examples. */
    int size();

    /** Shape of one example's features, e.g. {@code (1, 28, 28)}; a copy. */
    int[] featureShape();

    /**
     * Copies the examples {@code indices[0..B)} into {@code features}, laid out
     * {@code (B, ...featureShape)} row-major, and their labels into {@code labels (B,)}.
     *
     * @throws IndexOutOfBoundsException if an index is outside {@code [0, size())}
     * @throws IllegalArgumentException if an array is shorter than the batch needs
     */
    void fetch(int[] indices, float[] features, float[] labels);

    /** Elements of one example's features: the product of {@link #featureShape()}. */
    default int featureSize() {
        return Shapes.numel(featureShape());
    }

    /** The examples {@code indices} in newly allocated arrays. */
    default HostBatch fetch(int[] indices) {
        float[] features = new float[Math.multiplyExact(indices.length, featureSize())];
        float[] labels = new float[indices.length];
        fetch(indices, features, labels);
        return new HostBatch(features, labels, indices.length, featureShape());
    }

    /** A view of the examples {@code indices} of this set, in that order (repeats allowed). */
    default Subset subset(int[] indices) {
        return new Subset(this, indices);
    }

    /** Checks the arguments of {@link #fetch(int[], float[], float[])} against {@code size}. */
    static void checkFetch(String who, int size, int featureSize, int[] indices, float[] features, float[] labels) {
        long needed = (long) indices.length * featureSize;
        if (features.length < needed)
            throw new IllegalArgumentException(who + ": features array holds " + features.length + " floats, "
                    + indices.length + " examples of " + featureSize + " need " + needed);
        if (labels.length < indices.length)
            throw new IllegalArgumentException(who + ": labels array holds " + labels.length + " floats, "
                    + indices.length + " examples need " + indices.length);
        for (int index : indices)
            if (index < 0 || index >= size)
                throw new IndexOutOfBoundsException(who + ": example " + index + " is outside [0, " + size + ")");
    }
}
