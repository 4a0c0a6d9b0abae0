package dev.jgrad.onnx;

import java.util.Arrays;
import java.util.function.LongBinaryOperator;

/**
 * An int64 (or int32, bool) value of an ONNX graph, held on the host: shapes, indices, pads, the
 * arithmetic {@code torch.onnx.export} writes around {@code Shape} nodes. jgrad's tensors are
 * float32, so integer values never go to a device; the importer folds them as it runs, as plain
 * row-major {@code long} arrays.
 */
record Ints(int[] shape, long[] data) {

    Ints {
        if (numel(shape) != data.length)
            throw new IllegalArgumentException("Ints: shape " + Arrays.toString(shape) + " does not hold " + data.length + " values");
    }

    static Ints vector(long... values) {
        return new Ints(new int[] {values.length}, values);
    }

    static Ints scalar(long value) {
        return new Ints(new int[0], new long[] {value});
    }

    static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("Ints: shape " + Arrays.toString(shape) + " is too large");
        return (int) n;
    }

    static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s *= shape[d];
        }
        return st;
    }

    int rank() {
        return shape.length;
    }

    int numel() {
        return data.length;
    }

    /** The values as ints (sizes, axes); a value beyond int's range is an error naming {@code what}. */
    int[] toIntArray(String what) {
        int[] out = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            if (data[i] < Integer.MIN_VALUE || data[i] > Integer.MAX_VALUE)
                throw new IllegalArgumentException(what + ": value " + data[i] + " does not fit an int");
            out[i] = (int) data[i];
        }
        return out;
    }

    Ints reshape(int[] newShape) {
        return new Ints(newShape.clone(), data);
    }

    /** NumPy broadcasting of two shapes. */
    static int[] broadcast(String op, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The flat index in a tensor of {@code shape} broadcast to {@code target}, of the target's flat index {@code flat}. */
    private static int source(int flat, int[] target, int[] shape) {
        int src = 0, stride = 1;
        for (int d = target.length - 1, e = shape.length - 1; d >= 0; d--, e--) {
            int i = flat % target[d];
            flat /= target[d];
            if (e >= 0) {
                if (shape[e] != 1) src += i * stride;
                stride *= shape[e];
            }
        }
        return src;
    }

    static Ints binary(String op, Ints a, Ints b, LongBinaryOperator f) {
        int[] shape = broadcast(op, a.shape, b.shape);
        long[] out = new long[numel(shape)];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsLong(a.data[source(i, shape, a.shape)], b.data[source(i, shape, b.shape)]);
        return new Ints(shape, out);
    }

    static Ints where(Ints cond, Ints a, Ints b) {
        int[] shape = broadcast("Where", broadcast("Where", cond.shape, a.shape), b.shape);
        long[] out = new long[numel(shape)];
        for (int i = 0; i < out.length; i++)
            out[i] = cond.data[source(i, shape, cond.shape)] != 0 ? a.data[source(i, shape, a.shape)] : b.data[source(i, shape, b.shape)];
        return new Ints(shape, out);
    }

    Ints expand(int[] target) {
        int[] shape = broadcast("Expand", this.shape, target);
        long[] out = new long[numel(shape)];
        for (int i = 0; i < out.length; i++) out[i] = data[source(i, shape, this.shape)];
        return new Ints(shape, out);
    }

    Ints permute(int[] perm) {
        int[] shape = new int[perm.length];
        for (int d = 0; d < perm.length; d++) shape[d] = this.shape[perm[d]];
        int[] inStrides = strides(this.shape);
        long[] out = new long[data.length];
        int[] idx = new int[perm.length];
        for (int i = 0; i < out.length; i++) {
            int src = 0;
            for (int d = 0; d < perm.length; d++) src += idx[d] * inStrides[perm[d]];
            out[i] = data[src];
            for (int d = perm.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return new Ints(shape, out);
    }

    /** Elements {@code start, start + step, ...} of dimension {@code axis}, {@code count} of them (step may be negative). */
    Ints slice(int axis, int start, int step, int count) {
        int[] shape = this.shape.clone();
        shape[axis] = count;
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= this.shape[d];
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        long[] out = new long[numel(shape)];
        int k = 0;
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < count; c++) {
                int base = (o * this.shape[axis] + start + c * step) * inner;
                for (int i = 0; i < inner; i++) out[k++] = data[base + i];
            }
        return new Ints(shape, out);
    }

    static Ints concat(int axis, Ints... parts) {
        int[] shape = parts[0].shape.clone();
        shape[axis] = 0;
        for (Ints p : parts) shape[axis] += p.shape[axis];
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        long[] out = new long[numel(shape)];
        int k = 0;
        for (int o = 0; o < outer; o++)
            for (Ints p : parts) {
                int n = p.shape[axis] * inner;
                System.arraycopy(p.data, o * n, out, k, n);
                k += n;
            }
        return new Ints(shape, out);
    }

    /** ONNX Gather along {@code axis} with {@code indices} (negative ones count from the end). */
    Ints gather(int axis, Ints indices) {
        int[] shape = new int[this.shape.length - 1 + indices.rank()];
        int k = 0;
        for (int d = 0; d < axis; d++) shape[k++] = this.shape[d];
        for (int s : indices.shape) shape[k++] = s;
        for (int d = axis + 1; d < this.shape.length; d++) shape[k++] = this.shape[d];
        int outer = 1, inner = 1, n = this.shape[axis];
        for (int d = 0; d < axis; d++) outer *= this.shape[d];
        for (int d = axis + 1; d < this.shape.length; d++) inner *= this.shape[d];
        long[] out = new long[numel(shape)];
        int w = 0;
        for (int o = 0; o < outer; o++)
            for (long idx : indices.data) {
                long j = idx < 0 ? idx + n : idx;
                if (j < 0 || j >= n) throw new IllegalArgumentException("Gather: index " + idx + " is out of range for size " + n);
                System.arraycopy(data, (int) ((o * (long) n + j) * inner), out, w, inner);
                w += inner;
            }
        return new Ints(shape, out);
    }

    @Override
    public String toString() {
        return "int64" + Arrays.toString(shape) + " " + (data.length <= 16 ? Arrays.toString(data) : data.length + " values");
    }
}
