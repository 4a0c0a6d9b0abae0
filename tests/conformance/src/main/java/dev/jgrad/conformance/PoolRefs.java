package dev.jgrad.conformance;

/**
 * Float64 references of pooling over 1 to 3 spatial dims, written from PyTorch's documented
 * behaviour rather than from jgrad's kernels: windows are enumerated by their start positions
 * (a window exists while it fits the padded input, or in ceil mode while it starts before the
 * input's end), and divisors count taps one by one.
 */
final class PoolRefs {
    private PoolRefs() {}

    /** The options of one pooling, one entry per spatial dim. */
    record Options(int[] kernel, int[] stride, int[] pad, int[] dilation, boolean ceil, boolean includePad, int divisor) {
        static Options max(int[] kernel, int[] stride, int[] pad, int[] dilation, boolean ceil) {
            return new Options(kernel, stride, pad, dilation, ceil, true, 0);
        }

        static Options avg(int[] kernel, int[] stride, int[] pad, boolean ceil, boolean includePad, int divisor) {
            return new Options(kernel, stride, pad, ones(kernel.length), ceil, includePad, divisor);
        }

        private static int[] ones(int n) {
            int[] r = new int[n];
            java.util.Arrays.fill(r, 1);
            return r;
        }
    }

    /**
     * The number of windows along one dim of {@code size}: window {@code j} starts at
     * {@code j s - p} and reaches {@code dil (k - 1) + 1} taps. It exists if it fits the padded
     * input; in ceil mode also if it overhangs the padded end by less than a stride, as long as it
     * starts inside the input (PyTorch ignores windows that start in the right padding).
     */
    static int windows(int size, int k, int s, int p, int dil, boolean ceil) {
        int reach = dil * (k - 1) + 1, count = 0;
        for (int j = 0; ; j++) {
            int start = j * s - p;
            boolean fits = start + reach <= size + p;
            boolean overhangs = ceil && start + reach < size + p + s && start < size;
            if (!fits && !overhangs) return count;
            count++;
        }
    }

    /** Spatial sizes of {@code x} (its last {@code dims}), and {@code planes}: the product of the rest. */
    private static int[] spatial(Ref x, int dims) {
        int[] s = new int[dims];
        for (int i = 0; i < dims; i++) s[i] = x.shape[x.rank() - dims + i];
        return s;
    }

    private static int product(int[] v) {
        int p = 1;
        for (int e : v) p *= e;
        return p;
    }

    /** Row-major index of {@code idx} in {@code sizes}, or -1 if outside. */
    private static int flat(int[] idx, int[] sizes) {
        int f = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (idx[i] < 0 || idx[i] >= sizes[i]) return -1;
            f = f * sizes[i] + idx[i];
        }
        return f;
    }

    /** {@code idx} as the multi-index of {@code f} in {@code sizes}. */
    private static int[] unflat(int f, int[] sizes) {
        int[] idx = new int[sizes.length];
        for (int i = sizes.length - 1; i >= 0; i--) {
            idx[i] = f % sizes[i];
            f /= sizes[i];
        }
        return idx;
    }

    static Ref pool(Ref x, Options o, boolean max) {
        int dims = o.kernel().length;
        int[] in = spatial(x, dims), out = new int[dims];
        for (int i = 0; i < dims; i++)
            out[i] = windows(in[i], o.kernel()[i], o.stride()[i], o.pad()[i], o.dilation()[i], o.ceil());
        int[] shape = x.shape.clone();
        for (int i = 0; i < dims; i++) shape[x.rank() - dims + i] = out[i];
        Ref r = Ref.zeros(shape);
        int planes = x.numel() / product(in), inPlane = product(in), outPlane = product(out), taps = product(o.kernel());
        for (int p = 0; p < planes; p++)
            for (int w = 0; w < outPlane; w++) {
                int[] ow = unflat(w, out);
                double best = Double.NEGATIVE_INFINITY, sum = 0;
                int inside = 0, padded = 0;
                for (int t = 0; t < taps; t++) {
                    int[] tap = unflat(t, o.kernel()), at = new int[dims];
                    boolean inPadded = true;
                    for (int i = 0; i < dims; i++) {
                        at[i] = ow[i] * o.stride()[i] - o.pad()[i] + tap[i] * o.dilation()[i];
                        if (at[i] < -o.pad()[i] || at[i] >= in[i] + o.pad()[i]) inPadded = false;
                    }
                    if (inPadded) padded++;
                    int f = flat(at, in);
                    if (f < 0) continue;
                    inside++;
                    double v = x.data[p * inPlane + f];
                    best = Math.max(best, v);
                    sum += v;
                }
                double divisor = o.divisor() > 0 ? o.divisor() : o.includePad() ? padded : inside;
                r.data[p * outPlane + w] = max ? best : sum / divisor;
            }
        return r;
    }

    static Ref adaptive(Ref x, int[] outSize, boolean max) {
        int dims = outSize.length;
        int[] in = spatial(x, dims);
        int[] shape = x.shape.clone();
        for (int i = 0; i < dims; i++) shape[x.rank() - dims + i] = outSize[i];
        Ref r = Ref.zeros(shape);
        int planes = x.numel() / product(in), inPlane = product(in), outPlane = product(outSize);
        for (int p = 0; p < planes; p++)
            for (int w = 0; w < outPlane; w++) {
                int[] ow = unflat(w, outSize), lo = new int[dims], len = new int[dims];
                for (int i = 0; i < dims; i++) {
                    lo[i] = (int) Math.floor((double) ow[i] * in[i] / outSize[i]);
                    len[i] = (int) Math.ceil((double) (ow[i] + 1) * in[i] / outSize[i]) - lo[i];
                }
                double best = Double.NEGATIVE_INFINITY, sum = 0;
                int count = product(len);
                for (int t = 0; t < count; t++) {
                    int[] off = unflat(t, len), at = new int[dims];
                    for (int i = 0; i < dims; i++) at[i] = lo[i] + off[i];
                    double v = x.data[p * inPlane + flat(at, in)];
                    best = Math.max(best, v);
                    sum += v;
                }
                r.data[p * outPlane + w] = max ? best : sum / count;
            }
        return r;
    }
}
