package dev.jgrad.conformance;

import java.util.Arrays;

/**
 * Float64 references for every op, written as the textbook definition with plain loops. Shapes
 * follow the engine's documented semantics (NumPy broadcasting, PyTorch argument conventions).
 */
public final class RefOps {
    private RefOps() {}

    public static Ref where(Ref cond, Ref a, Ref b) {
        Ref out = Ref.zeros(Ref.broadcastShape(Ref.broadcastShape(cond.shape, a.shape), b.shape));
        for (int i = 0; i < out.data.length; i++) {
            int[] idx = out.unravel(i);
            out.data[i] = cond.broadcastAt(idx) != 0 ? a.broadcastAt(idx) : b.broadcastAt(idx);
        }
        return out;
    }

    // ------------------------------------------------------------------ reductions

    private static boolean[] reducedMask(int rank, int[] dims) {
        boolean[] r = new boolean[rank];
        if (dims == null) Arrays.fill(r, true);
        else for (int d : dims) r[d < 0 ? d + rank : d] = true;
        return r;
    }

    private static int[] reducedShape(int[] shape, boolean[] reduced, boolean keepdim) {
        int[] out = new int[shape.length];
        int n = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) out[n++] = shape[d];
            else if (keepdim) out[n++] = 1;
        }
        return Arrays.copyOf(out, n);
    }

    /** Flat index in the reduced output of input position {@code idx}. */
    private static int outFlat(int[] idx, int[] shape, boolean[] reduced) {
        int f = 0;
        for (int d = 0; d < shape.length; d++) if (!reduced[d]) f = f * shape[d] + idx[d];
        return f;
    }

    public static Ref sum(Ref x, int[] dims, boolean keepdim) {
        boolean[] red = reducedMask(x.rank(), dims);
        Ref out = Ref.zeros(reducedShape(x.shape, red, keepdim));
        for (int i = 0; i < x.data.length; i++) out.data[outFlat(x.unravel(i), x.shape, red)] += x.data[i];
        return out;
    }

    private static int count(Ref x, int[] dims) {
        boolean[] red = reducedMask(x.rank(), dims);
        int n = 1;
        for (int d = 0; d < x.rank(); d++) if (red[d]) n *= x.shape[d];
        return n;
    }

    public static Ref mean(Ref x, int[] dims, boolean keepdim) {
        int n = count(x, dims);
        return sum(x, dims, keepdim).map(v -> v / n);
    }

    public static Ref var(Ref x, int[] dims, boolean keepdim, int correction) {
        boolean[] red = reducedMask(x.rank(), dims);
        Ref mean = mean(x, dims, false);
        Ref out = Ref.zeros(reducedShape(x.shape, red, keepdim));
        for (int i = 0; i < x.data.length; i++) {
            int o = outFlat(x.unravel(i), x.shape, red);
            double d = x.data[i] - mean.data[o];
            out.data[o] += d * d;
        }
        int n = count(x, dims);
        return out.map(v -> v / (n - correction));
    }

    /** Max (or, with {@code argmax}, the index of the first max) along {@code dim}. */
    public static Ref maxAlong(Ref x, int dim, boolean keepdim, boolean argmax) {
        int d0 = dim < 0 ? dim + x.rank() : dim;
        boolean[] red = reducedMask(x.rank(), new int[] {d0});
        Ref best = Ref.zeros(reducedShape(x.shape, red, false));
        Ref where = Ref.zeros(best.shape);
        boolean[] seen = new boolean[best.numel()];
        for (int i = 0; i < x.data.length; i++) {
            int[] idx = x.unravel(i);
            int o = outFlat(idx, x.shape, red);
            if (!seen[o] || x.data[i] > best.data[o]) {
                seen[o] = true;
                best.data[o] = x.data[i];
                where.data[o] = idx[d0];
            }
        }
        Ref out = argmax ? where : best;
        return out.reshape(reducedShape(x.shape, red, keepdim));
    }

    public static Ref maxAll(Ref x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x.data) m = Math.max(m, v);
        return Ref.scalar(m);
    }

    // ------------------------------------------------------------------ linear algebra

    /** NumPy matmul: 1-D operands are promoted and the promoted dimension dropped again. */
    public static Ref matmul(Ref a, Ref b) {
        boolean vecA = a.rank() == 1, vecB = b.rank() == 1;
        if (vecA) a = a.reshape(1, a.shape[0]);
        if (vecB) b = b.reshape(b.shape[0], 1);
        int m = a.shape[a.rank() - 2], k = a.shape[a.rank() - 1], n = b.shape[b.rank() - 1];
        if (b.shape[b.rank() - 2] != k) throw new IllegalArgumentException("reference matmul: inner dims differ");
        int[] batch = Ref.broadcastShape(Arrays.copyOf(a.shape, a.rank() - 2), Arrays.copyOf(b.shape, b.rank() - 2));
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Ref out = Ref.zeros(outShape);
        int[] aIdx = new int[a.rank()], bIdx = new int[b.rank()];
        for (int f = 0; f < out.data.length; f++) {
            int[] idx = out.unravel(f);
            batchIndex(idx, batch.length, a.shape, aIdx);
            batchIndex(idx, batch.length, b.shape, bIdx);
            double s = 0;
            for (int p = 0; p < k; p++) {
                aIdx[a.rank() - 2] = idx[batch.length];
                aIdx[a.rank() - 1] = p;
                bIdx[b.rank() - 2] = p;
                bIdx[b.rank() - 1] = idx[batch.length + 1];
                s += a.at(aIdx) * b.at(bIdx);
            }
            out.data[f] = s;
        }
        int[] finalShape = outShape;
        if (vecA) finalShape = drop(finalShape, finalShape.length - 2);
        if (vecB) finalShape = drop(finalShape, finalShape.length - 1);
        return out.reshape(finalShape);
    }

    private static void batchIndex(int[] outIdx, int batchRank, int[] shape, int[] into) {
        int lead = batchRank - (shape.length - 2);
        for (int d = 0; d < shape.length - 2; d++) into[d] = shape[d] == 1 ? 0 : outIdx[lead + d];
    }

    private static int[] drop(int[] shape, int d) {
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) out[j++] = shape[i];
        return out;
    }

    /** Direct convolution: {@code out[n,o,y,x] = b[o] + sum_{c,i,j} in[n,c,y*s-p+i,x*s-p+j] w[o,c,i,j]}. */
    public static Ref conv2d(Ref x, Ref w, Ref bias, int stride, int pad) {
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
        int o = w.shape[0], kh = w.shape[2], kw = w.shape[3];
        int oh = (h + 2 * pad - kh) / stride + 1, ow = (wd + 2 * pad - kw) / stride + 1;
        Ref out = Ref.zeros(n, o, oh, ow);
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++) {
                        double s = bias == null ? 0 : bias.data[oc];
                        for (int ic = 0; ic < c; ic++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++) {
                                    int iy = y * stride - pad + i, ix = xx * stride - pad + j;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd) s += x.at(b, ic, iy, ix) * w.at(oc, ic, i, j);
                                }
                        out.data[out.flat(b, oc, y, xx)] = s;
                    }
        return out;
    }

    /** Max- or average-pooling; padding is minus infinity for max and zero (counted) for the average. */
    public static Ref pool2d(Ref x, int kernel, int stride, int pad, boolean max) {
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        int oh = (h + 2 * pad - kernel) / stride + 1, ow = (w + 2 * pad - kernel) / stride + 1;
        Ref out = Ref.zeros(n, c, oh, ow);
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        for (int i = 0; i < kernel; i++)
                            for (int j = 0; j < kernel; j++) {
                                int iy = y * stride - pad + i, ix = xx * stride - pad + j;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                double v = x.at(b, ch, iy, ix);
                                acc = max ? Math.max(acc, v) : acc + v;
                            }
                        out.data[out.flat(b, ch, y, xx)] = max ? acc : acc / (kernel * kernel);
                    }
        return out;
    }

    // ------------------------------------------------------------------ nn

    public static Ref softmax(Ref x, int dim, boolean log) {
        int d0 = dim < 0 ? dim + x.rank() : dim;
        int size = x.shape[d0], inner = 1;
        for (int d = d0 + 1; d < x.rank(); d++) inner *= x.shape[d];
        int outer = x.numel() / (size * inner);
        Ref out = Ref.zeros(x.shape);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++) {
                int base = o * size * inner + i;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < size; j++) max = Math.max(max, x.data[base + j * inner]);
                for (int j = 0; j < size; j++) sum += Math.exp(x.data[base + j * inner] - max);
                for (int j = 0; j < size; j++) {
                    double shifted = x.data[base + j * inner] - max;
                    out.data[base + j * inner] = log ? shifted - Math.log(sum) : Math.exp(shifted) / sum;
                }
            }
        return out;
    }

    /** Mean over rows of {@code logsumexp(row) - row[label]}. */
    public static Ref crossEntropy(Ref logits, Ref labels) {
        int n = logits.shape[0], c = logits.shape[1];
        double total = 0;
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) max = Math.max(max, logits.at(r, j));
            double sum = 0;
            for (int j = 0; j < c; j++) sum += Math.exp(logits.at(r, j) - max);
            total += max + Math.log(sum) - logits.at(r, (int) labels.data[r]);
        }
        return Ref.scalar(total / n);
    }

    /** Per-channel batch statistics of {@code (N, C, ...)} (any rank >= 2): [mean, biased var]. */
    public static double[][] channelStats(Ref x) {
        int n = x.shape[0], c = x.shape[1], hw = x.numel() / (n * c);
        double[] mean = new double[c], var = new double[c];
        for (int i = 0; i < x.data.length; i++) mean[(i / hw) % c] += x.data[i];
        for (int ch = 0; ch < c; ch++) mean[ch] /= n * hw;
        for (int i = 0; i < x.data.length; i++) {
            double d = x.data[i] - mean[(i / hw) % c];
            var[(i / hw) % c] += d * d;
        }
        for (int ch = 0; ch < c; ch++) var[ch] /= n * hw;
        return new double[][] {mean, var};
    }

    public static Ref batchNorm(Ref x, Ref gamma, Ref beta, Ref runMean, Ref runVar, boolean training, double eps) {
        int c = x.shape[1], hw = x.numel() / (x.shape[0] * c);
        double[] mean = runMean.data, var = runVar.data;
        if (training) {
            double[][] stats = channelStats(x);
            mean = stats[0];
            var = stats[1];
        }
        Ref out = Ref.zeros(x.shape);
        for (int i = 0; i < x.data.length; i++) {
            int ch = (i / hw) % c;
            out.data[i] = gamma.data[ch] * (x.data[i] - mean[ch]) / Math.sqrt(var[ch] + eps) + beta.data[ch];
        }
        return out;
    }

    /** The running statistics after one training step: {@code (1-m) old + m batch}, unbiased variance. */
    public static Ref updatedRunning(Ref x, Ref old, boolean variance, double momentum) {
        double[][] stats = channelStats(x);
        int count = x.numel() / x.shape[1];
        Ref out = Ref.zeros(old.shape);
        for (int ch = 0; ch < old.numel(); ch++) {
            double batch = variance ? stats[1][ch] * count / (count - 1) : stats[0][ch];
            out.data[ch] = (1 - momentum) * old.data[ch] + momentum * batch;
        }
        return out;
    }
}
