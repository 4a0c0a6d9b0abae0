package dev.jgrad.conformance;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A plain float64 row-major array with a shape: the value type of every reference in this suite.
 * Deliberately independent of the engine: nothing here calls engine code, so a bug there cannot
 * hide in the reference.
 */
public final class Ref {
    public final int[] shape;
    public final double[] data;

    public Ref(int[] shape, double[] data) {
        if (data.length != numel(shape))
            throw new IllegalArgumentException(data.length + " values for shape " + str(shape));
        this.shape = shape.clone();
        this.data = data;
    }

    public static Ref zeros(int... shape) {
        return new Ref(shape, new double[numel(shape)]);
    }

    public static Ref scalar(double v) {
        return new Ref(new int[0], new double[] {v});
    }

    public static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        for (int d = shape.length - 1, acc = 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    /** {@code 3x5}, or {@code scalar} for rank 0: how test names print a shape. */
    public static String str(int[] shape) {
        if (shape.length == 0) return "scalar";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : "x").append(shape[i]);
        return sb.toString();
    }

    public int numel() {
        return data.length;
    }

    public int rank() {
        return shape.length;
    }

    /** The multi-index of flat row-major position {@code flat}. */
    public int[] unravel(int flat) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    public int flat(int... idx) {
        int f = 0;
        for (int d = 0; d < shape.length; d++) f = f * shape[d] + idx[d];
        return f;
    }

    public double at(int... idx) {
        return data[flat(idx)];
    }

    /** The element that {@code outIdx} of a broadcast result reads (size-1 and missing dims repeat). */
    public double broadcastAt(int[] outIdx) {
        int lead = outIdx.length - shape.length, f = 0;
        for (int d = 0; d < shape.length; d++) f = f * shape[d] + (shape[d] == 1 ? 0 : outIdx[lead + d]);
        return data[f];
    }

    Ref map(DoubleUnaryOperator fn) {
        double[] out = new double[data.length];
        for (int i = 0; i < out.length; i++) out[i] = fn.applyAsDouble(data[i]);
        return new Ref(shape, out);
    }

    public static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - rank + a.length];
            int db = i < rank - b.length ? 1 : b[i - rank + b.length];
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException("reference: cannot broadcast " + str(a) + " with " + str(b));
            out[i] = Math.max(da, db);
        }
        return out;
    }

    public static Ref zip(Ref a, Ref b, DoubleBinaryOperator fn) {
        Ref out = zeros(broadcastShape(a.shape, b.shape));
        for (int i = 0; i < out.data.length; i++) {
            int[] idx = out.unravel(i);
            out.data[i] = fn.applyAsDouble(a.broadcastAt(idx), b.broadcastAt(idx));
        }
        return out;
    }

    Ref reshape(int... newShape) {
        return new Ref(newShape, data.clone());
    }

    /** Output dimension {@code i} is input dimension {@code order[i]}. */
    Ref permute(int... order) {
        int[] ns = new int[order.length];
        for (int i = 0; i < order.length; i++) ns[i] = shape[order[i]];
        Ref out = zeros(ns);
        int[] src = new int[shape.length];
        for (int i = 0; i < out.data.length; i++) {
            int[] idx = out.unravel(i);
            for (int d = 0; d < order.length; d++) src[order[d]] = idx[d];
            out.data[i] = at(src);
        }
        return out;
    }

    Ref transposeLast() {
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        order[order.length - 1] = order.length - 2;
        order[order.length - 2] = order.length - 1;
        return permute(order);
    }

    /** Elements {@code start, start+step, ...} below {@code end} of dimension {@code dim}. */
    Ref slice(int dim, int start, int end, int step) {
        int[] ns = shape.clone();
        ns[dim] = (end - start + step - 1) / step;
        Ref out = zeros(ns);
        for (int i = 0; i < out.data.length; i++) {
            int[] idx = out.unravel(i);
            idx[dim] = start + idx[dim] * step;
            out.data[i] = at(idx);
        }
        return out;
    }

    Ref expand(int... newShape) {
        Ref out = zeros(newShape);
        for (int i = 0; i < out.data.length; i++) out.data[i] = broadcastAt(out.unravel(i));
        return out;
    }

    /** Values rounded to float32, the form in which they reach the engine. */
    public float[] toFloats() {
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) data[i];
        return out;
    }

    @Override
    public String toString() {
        return "Ref" + Arrays.toString(shape);
    }
}
