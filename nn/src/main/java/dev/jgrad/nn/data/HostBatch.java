package dev.jgrad.nn.data;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;

/**
 * A batch gathered into host memory: {@code features} laid out {@code (count, ...featureShape)}
 * row-major and {@code labels (count,)}.
 */
public record HostBatch(float[] features, float[] labels, int count, int[] featureShape) {

    /** The shape of {@code features}: {@code (count, ...featureShape)}. */
    public int[] shape() {
        int[] s = new int[featureShape.length + 1];
        s[0] = count;
        System.arraycopy(featureShape, 0, s, 1, featureShape.length);
        return s;
    }

    /** Copies this batch to {@code device} as {@code x (count, ...featureShape)}, {@code y (count,)}. */
    public Batch toDevice(Device device) {
        Tensor x = Tensor.of(device, features, shape());
        try {
            return new Batch(x, Tensor.of(device, labels, count));
        } catch (RuntimeException | Error e) {
            x.close();
            throw e;
        }
    }
}
