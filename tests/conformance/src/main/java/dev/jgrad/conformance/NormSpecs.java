package dev.jgrad.conformance;

import dev.jgrad.conformance.OpSpec.Arg;

import java.util.List;

import static dev.jgrad.conformance.Layout.*;
import static dev.jgrad.conformance.Sampler.*;

/**
 * Layer norm and group norm, with and without affine parameters, against float64 references that
 * loop over each normalized block (mean, biased variance, then the affine map) as PyTorch defines
 * them. The gradient tolerance is the long-sum one: the input gradient of a normalization is a
 * difference of block sums that nearly cancel.
 */
final class NormSpecs {
    private NormSpecs() {}

    private static final float EPS = 1e-5f;

    static List<OpSpec> all() {
        return List.of(layerNorm(), groupNorm());
    }

    static OpSpec layerNorm() {
        OpSpec.Builder b = OpSpec.named("layerNorm").gradTolerance(OpSpec.TOL_LONG_SUM);
        Sampler x = shifted(0.5), w = uniform(0.5, 2);
        // input shape, normalized shape, layout of x
        Object[][] cases = {
                {new int[] {4, 7}, new int[] {7}, null}, {new int[] {3, 5, 6}, new int[] {5, 6}, null},
                {new int[] {2, 3, 33}, new int[] {33}, null}, {new int[] {1, 1}, new int[] {1}, null},
                {new int[] {9}, new int[] {9}, null}, {new int[] {6, 5}, new int[] {5}, TRANSPOSED},
                {new int[] {2, 3, 4}, new int[] {3, 4}, PERMUTED}, {new int[] {3, 1031}, new int[] {1031}, null},
                {new int[] {5, 9}, new int[] {9}, STEPPED}};
        for (Object[] c : cases) {
            int[] shape = (int[]) c[0], norm = (int[]) c[1];
            Arg xa = c[2] == null ? Arg.of(x, shape) : Arg.of(x, shape).as((Layout) c[2]);
            b.auto(", ", "normalized " + Ref.str(norm), OpSpec.TOL,
                    in -> in[0].layerNorm(norm, in[1], in[2], EPS), in -> layerNormRef(in[0], norm.length, in[1], in[2]),
                    xa, Arg.of(w, norm), Arg.of(normal(), norm));
        }
        b.auto("", "normalized (6), no affine", OpSpec.TOL, in -> in[0].layerNorm(new int[] {6}, null, null, EPS),
                in -> layerNormRef(in[0], 1, null, null), Arg.of(x, 4, 6));
        b.auto(", ", "normalized (3, 4), weight only", OpSpec.TOL, in -> in[0].layerNorm(new int[] {3, 4}, in[1], null, EPS),
                in -> layerNormRef(in[0], 2, in[1], null), Arg.of(x, 2, 3, 4), Arg.of(w, 3, 4).as(TRANSPOSED));
        return b.build();
    }

    static OpSpec groupNorm() {
        OpSpec.Builder b = OpSpec.named("groupNorm").gradTolerance(OpSpec.TOL_LONG_SUM);
        Sampler x = shifted(0.5), w = uniform(0.5, 2);
        // input shape, groups, layout
        Object[][] cases = {
                {new int[] {2, 6, 5}, 3, null}, {new int[] {3, 4, 3, 5}, 1, null}, {new int[] {2, 4, 3, 3}, 4, null},
                {new int[] {1, 6}, 2, null}, {new int[] {2, 6, 2, 3, 2}, 2, null}, {new int[] {3, 4, 5}, 2, TRANSPOSED},
                {new int[] {2, 3, 7}, 3, OFFSET}};
        for (Object[] c : cases) {
            int[] shape = (int[]) c[0];
            int groups = (int) c[1], ch = shape[1];
            Arg xa = c[2] == null ? Arg.of(x, shape) : Arg.of(x, shape).as((Layout) c[2]);
            b.auto(", ", groups + " groups", OpSpec.TOL, in -> in[0].groupNorm(groups, in[1], in[2], EPS),
                    in -> groupNormRef(in[0], groups, in[1], in[2]), xa, Arg.of(w, ch), Arg.of(normal(), ch));
        }
        b.auto("", "2 groups, no affine", OpSpec.TOL, in -> in[0].groupNorm(2, null, null, EPS),
                in -> groupNormRef(in[0], 2, null, null), Arg.of(x, 3, 4, 5));
        return b.build();
    }

    /** Normalizes each block of the last {@code k} dimensions, then {@code * w + b} elementwise over the block. */
    static Ref layerNormRef(Ref x, int k, Ref w, Ref bias) {
        int block = 1;
        for (int d = x.rank() - k; d < x.rank(); d++) block *= x.shape[d];
        Ref out = Ref.zeros(x.shape);
        for (int start = 0; start < x.numel(); start += block) {
            double[] stat = stats(x.data, start, block, 1);
            for (int j = 0; j < block; j++) {
                double v = (x.data[start + j] - stat[0]) / Math.sqrt(stat[1] + EPS);
                out.data[start + j] = v * (w == null ? 1 : w.data[j]) + (bias == null ? 0 : bias.data[j]);
            }
        }
        return out;
    }

    /** Each (sample, group) of {@code (N, C, ...)} normalized, then per-channel {@code * w[c] + b[c]}. */
    static Ref groupNormRef(Ref x, int groups, Ref w, Ref bias) {
        int n = x.shape[0], c = x.shape[1], spatial = x.numel() / (n * c), per = c / groups * spatial;
        Ref out = Ref.zeros(x.shape);
        for (int s = 0; s < n; s++)
            for (int g = 0; g < groups; g++) {
                int start = (s * groups + g) * per;
                double[] stat = stats(x.data, start, per, 1);
                for (int j = 0; j < per; j++) {
                    int ch = g * (c / groups) + j / spatial;
                    double v = (x.data[start + j] - stat[0]) / Math.sqrt(stat[1] + EPS);
                    out.data[start + j] = v * (w == null ? 1 : w.data[ch]) + (bias == null ? 0 : bias.data[ch]);
                }
            }
        return out;
    }

    /** Mean and biased variance of {@code len} values from {@code start}. */
    private static double[] stats(double[] v, int start, int len, int step) {
        double mean = 0, var = 0;
        for (int j = 0; j < len; j++) mean += v[start + j * step];
        mean /= len;
        for (int j = 0; j < len; j++) var += (v[start + j * step] - mean) * (v[start + j * step] - mean);
        return new double[] {mean, var / len};
    }
}
