package dev.jgrad.engine;

/**
 * The sizes of one adaptive pooling {@code (n, c, d, h, w) -> (n, c, outD, outH, outW)}, as
 * {@code torch.nn.AdaptiveAvgPool3d} and {@code AdaptiveMaxPool3d} compute it: output {@code j} of
 * a dimension of input size {@code i} and output size {@code o} pools the input range
 * {@code [floor(j i / o), ceil((j + 1) i / o))}. 1-D and 2-D adaptive poolings are this geometry
 * with size-1 leading dimensions. A batch of {@code n = 0} is allowed.
 */
public record AdaptivePoolGeometry(int n, int c, int d, int h, int w, int outD, int outH, int outW) {

    public AdaptivePoolGeometry {
        if (n < 0 || c < 1 || d < 1 || h < 1 || w < 1 || outD < 1 || outH < 1 || outW < 1)
            throw new IllegalArgumentException("adaptivePool3d: sizes must be positive (the batch n may be 0): "
                    + "AdaptivePoolGeometry[n=" + n + ", c=" + c + ", input " + d + "x" + h + "x" + w + ", output "
                    + outD + "x" + outH + "x" + outW + "]");
    }

    /** First input index of output {@code j} (of {@code out}) over an input of {@code in}: {@code floor(j in / out)}. */
    public static int start(int j, int in, int out) {
        return (int) ((long) j * in / out);
    }

    /** One past the last input index of output {@code j}: {@code ceil((j + 1) in / out)}. */
    public static int end(int j, int in, int out) {
        return (int) (((long) (j + 1) * in + out - 1) / out);
    }

    /** Floats in one input plane, {@code d * h * w}. */
    public int planeIn() { return d * h * w; }

    /** Floats in one output plane, {@code outD * outH * outW}. */
    public int planeOut() { return outD * outH * outW; }
}
