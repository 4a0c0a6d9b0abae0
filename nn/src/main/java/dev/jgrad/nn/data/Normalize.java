package dev.jgrad.nn.data;

import dev.jgrad.engine.Shapes;

import java.util.Arrays;

/**
 * Per-channel standardization {@code x' = (x - mean[c]) / std[c]}, with the channel the first
 * feature dimension: features {@code (C, H, W)} have {@code C} channels of {@code H*W} values,
 * features {@code (D,)} have {@code D} channels of one value, scalar features one channel.
 *
 * <p>Fit the statistics on the training set only, then apply the same transform to every set
 * (training, validation, test), so that no information leaks from held-out data. {@code std} is
 * the population standard deviation; a channel that is constant in the training set (std 0) is
 * only centered (its std is taken as 1) rather than divided by zero.
 */
public final class Normalize {
    private static final int CHUNK = 1024;
    private final int[] featureShape;
    private final float[] mean;
    private final float[] std;

    /** A transform with given statistics for features of shape {@code featureShape}. */
    public Normalize(float[] mean, float[] std, int... featureShape) {
        int channels = channels(featureShape);
        if (mean.length != channels || std.length != channels)
            throw new IllegalArgumentException("normalize: features " + Shapes.str(featureShape) + " have " + channels
                    + " channels, got " + mean.length + " means and " + std.length + " stds");
        for (int c = 0; c < channels; c++)
            if (!(std[c] > 0) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c]))
                throw new IllegalArgumentException("normalize: channel " + c + " has mean " + mean[c] + " and std "
                        + std[c] + "; need a finite mean and a finite positive std");
        this.featureShape = Shapes.copy(featureShape);
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Computes each channel's mean and population std over every example of {@code train} (two passes, in double). */
    public static Normalize fit(Dataset train) {
        int[] shape = train.featureShape();
        int n = train.size(), channels = channels(shape), featureSize = train.featureSize();
        if (n == 0) throw new IllegalArgumentException("normalize: cannot fit statistics on an empty dataset");
        if (featureSize == 0)
            throw new IllegalArgumentException("normalize: features " + Shapes.str(shape) + " have no values");
        int perChannel = featureSize / channels;
        double[] sum = new double[channels];
        forEachChunk(train, (features, count) -> {
            for (int i = 0; i < count * featureSize; i++) sum[(i % featureSize) / perChannel] += features[i];
        });
        double valuesPerChannel = (double) n * perChannel;
        double[] mu = new double[channels];
        for (int c = 0; c < channels; c++) mu[c] = sum[c] / valuesPerChannel;
        double[] squares = new double[channels];
        forEachChunk(train, (features, count) -> {
            for (int i = 0; i < count * featureSize; i++) {
                int c = (i % featureSize) / perChannel;
                double d = features[i] - mu[c];
                squares[c] += d * d;
            }
        });
        float[] mean = new float[channels], std = new float[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = (float) mu[c];
            double s = Math.sqrt(squares[c] / valuesPerChannel);
            std[c] = s > 0 ? (float) s : 1f;
        }
        return new Normalize(mean, std, shape);
    }

    /** Per-channel means (a copy). */
    public float[] mean() {
        return mean.clone();
    }

    /** Per-channel standard deviations (a copy). */
    public float[] std() {
        return std.clone();
    }

    /** A view of {@code data} whose features are normalized as they are fetched; labels unchanged. */
    public Dataset apply(Dataset data) {
        if (!Arrays.equals(data.featureShape(), featureShape))
            throw new IllegalArgumentException("normalize: fitted on features " + Shapes.str(featureShape)
                    + ", cannot apply to features " + Shapes.str(data.featureShape()));
        return new Dataset() {
            @Override
            public int size() {
                return data.size();
            }

            @Override
            public int[] featureShape() {
                return data.featureShape();
            }

            @Override
            public void fetch(int[] indices, float[] features, float[] labels) {
                data.fetch(indices, features, labels);
                applyInPlace(features, indices.length);
            }

            @Override
            public String toString() {
                return "Normalized(" + data + ")";
            }
        };
    }

    /** Normalizes {@code count} examples laid out {@code (count, ...featureShape)} in place. */
    public void applyInPlace(float[] features, int count) {
        int featureSize = Shapes.numel(featureShape), perChannel = featureSize / mean.length;
        if ((long) count * featureSize > features.length)
            throw new IllegalArgumentException("normalize: " + count + " examples of " + Shapes.str(featureShape)
                    + " need " + (long) count * featureSize + " values, the array holds " + features.length);
        for (int e = 0; e < count; e++)
            for (int c = 0; c < mean.length; c++) {
                int base = e * featureSize + c * perChannel;
                float m = mean[c], s = std[c];
                for (int i = base; i < base + perChannel; i++) features[i] = (features[i] - m) / s;
            }
    }

    private static int channels(int[] featureShape) {
        return featureShape.length == 0 ? 1 : featureShape[0];
    }

    private interface ChunkVisitor {
        void visit(float[] features, int count);
    }

    private static void forEachChunk(Dataset data, ChunkVisitor visitor) {
        int n = data.size(), chunk = Math.min(CHUNK, n);
        float[] features = new float[chunk * data.featureSize()], labels = new float[chunk];
        for (int start = 0; start < n; start += chunk) {
            int count = Math.min(chunk, n - start);
            int[] indices = new int[count];
            for (int i = 0; i < count; i++) indices[i] = start + i;
            data.fetch(indices, features, labels);
            visitor.visit(features, count);
        }
    }

    @Override
    public String toString() {
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
