package dev.jgrad.nn.data;

import dev.jgrad.engine.Shapes;

/**
 * A dataset held in memory: {@code features (N, ...featureShape)} row-major and
 * {@code labels (N,)}. The arrays are taken as they are (not copied); do not modify them while
 * a loader reads them.
 */
public final class ArrayDataset implements Dataset {
    private final float[] features;
    private final float[] labels;
    private final int[] featureShape;
    private final int featureSize;

    /**
     * @param features {@code N * product(featureShape)} values, example by example
     * @param labels one value per example
     * @param featureShape the shape of one example's features
     */
    public ArrayDataset(float[] features, float[] labels, int... featureShape) {
        this.featureShape = Shapes.copy(featureShape);
        this.featureSize = Shapes.numel(featureShape);
        if ((long) labels.length * featureSize != features.length)
            throw new IllegalArgumentException("ArrayDataset: " + labels.length + " labels and feature shape "
                    + Shapes.str(featureShape) + " need " + (long) labels.length * featureSize + " feature values, got "
                    + features.length);
        this.features = features;
        this.labels = labels;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int[] featureShape() {
        return Shapes.copy(featureShape);
    }

    @Override
    public int featureSize() {
        return featureSize;
    }

    @Override
    public void fetch(int[] indices, float[] out, float[] outLabels) {
        Dataset.checkFetch("ArrayDataset.fetch", labels.length, featureSize, indices, out, outLabels);
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(features, indices[i] * featureSize, out, i * featureSize, featureSize);
            outLabels[i] = labels[indices[i]];
        }
    }

    /** The backing feature array {@code (N, ...featureShape)} (not a copy). */
    public float[] features() {
        return features;
    }

    /** The backing label array {@code (N,)} (not a copy). */
    public float[] labels() {
        return labels;
    }

    @Override
    public String toString() {
        return "ArrayDataset(" + labels.length + " examples of " + Shapes.str(featureShape) + ")";
    }
}
