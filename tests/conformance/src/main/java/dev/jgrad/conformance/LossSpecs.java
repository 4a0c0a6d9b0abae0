package dev.jgrad.conformance;

import dev.jgrad.conformance.OpSpec.Arg;
import dev.jgrad.engine.CrossEntropyOptions;
import dev.jgrad.engine.Reduction;

import java.util.ArrayList;
import java.util.List;

import static dev.jgrad.conformance.Layout.*;
import static dev.jgrad.conformance.OpSpec.TOL;
import static dev.jgrad.conformance.Sampler.*;

/**
 * Cross-entropy with PyTorch's options ({@code weight}, {@code ignore_index}, {@code label_smoothing},
 * {@code reduction}) and NLL loss, each option alone and in combination, against a float64
 * reference that follows PyTorch 1.13's own recipe (the NLL term and the smoothing term computed
 * apart, then mixed), not the target-matrix form the engine uses.
 */
final class LossSpecs {
    private LossSpecs() {}

    private static final int IGNORE = CrossEntropyOptions.DEFAULT_IGNORE_INDEX;

    static List<OpSpec> all() {
        return List.of(crossEntropyOptions(), nllLoss());
    }

    /** One case's options: which apply, and the ignore index. */
    private record Opts(boolean weighted, int ignoreIndex, float smoothing, Reduction reduction) {
        CrossEntropyOptions with(dev.jgrad.engine.Tensor weight) {
            return CrossEntropyOptions.defaults().weight(weighted ? weight : null).ignoreIndex(ignoreIndex)
                    .labelSmoothing(smoothing).reduction(reduction);
        }

        String label() {
            List<String> s = new ArrayList<>();
            if (weighted) s.add("weight");
            if (ignoreIndex != IGNORE) s.add("ignore_index " + ignoreIndex);
            if (smoothing != 0) s.add("label_smoothing " + smoothing);
            s.add(reduction.name().toLowerCase());
            return String.join(", ", s);
        }
    }

    static OpSpec crossEntropyOptions() {
        OpSpec.Builder b = OpSpec.named("crossEntropy(options)");
        Object[][] cases = {
                // logits shape, layout, options, labels with ignored rows
                {new int[] {5, 7}, null, new Opts(true, IGNORE, 0, Reduction.MEAN), false},
                {new int[] {6, 4}, null, new Opts(false, IGNORE, 0, Reduction.MEAN), true},
                {new int[] {6, 5}, null, new Opts(false, 2, 0, Reduction.MEAN), false},
                {new int[] {4, 9}, null, new Opts(false, IGNORE, 0.1f, Reduction.MEAN), false},
                {new int[] {7, 3}, null, new Opts(false, IGNORE, 0, Reduction.SUM), false},
                {new int[] {7, 3}, null, new Opts(false, IGNORE, 0, Reduction.NONE), false},
                {new int[] {8, 6}, null, new Opts(true, IGNORE, 0.2f, Reduction.MEAN), true},
                {new int[] {8, 6}, null, new Opts(true, IGNORE, 0.2f, Reduction.SUM), true},
                {new int[] {8, 6}, null, new Opts(true, IGNORE, 0.2f, Reduction.NONE), true},
                {new int[] {5, 33}, TRANSPOSED, new Opts(true, 3, 0.3f, Reduction.MEAN), false},
                {new int[] {4, 9}, STEPPED, new Opts(false, IGNORE, 0.05f, Reduction.NONE), true},
                {new int[] {1, 1}, null, new Opts(true, IGNORE, 0.5f, Reduction.MEAN), false},
                {new int[] {3, 1031}, null, new Opts(true, IGNORE, 0.1f, Reduction.MEAN), true},
                {new int[] {5, 8}, null, new Opts(false, IGNORE, 1f, Reduction.SUM), false},
        };
        for (Object[] c : cases) {
            int[] shape = (int[]) c[0];
            Opts o = (Opts) c[2];
            int n = shape[0], k = shape[1];
            Arg logits = Arg.of(normal(), shape);
            if (c[1] != null) logits = logits.as((Layout) c[1]);
            Arg labels = Arg.of((boolean) c[3] ? labelsWithIgnored(k, o.ignoreIndex) : ints(0, k - 1), n).noGrad();
            Arg weight = Arg.of(uniform(0.25, 2), k).noGrad();
            b.auto(", ", o.label(), TOL, in -> in[0].crossEntropy(in[1], o.with(in[2])),
                    in -> reference(in[0], in[1], o.weighted ? in[2] : null, o, true), logits, labels, weight);
        }
        // logits at 1e4 + N(0, 3) through the composed path: log-softmax keeps the row max apart too
        Opts o = new Opts(true, IGNORE, 0.1f, Reduction.MEAN);
        b.auto(", ", o.label() + " logits 1e4 + N(0, 3)", TOL, in -> in[0].crossEntropy(in[1], o.with(in[2])),
                in -> reference(in[0], in[1], in[2], o, true), Arg.of(around(1e4, 3), 6, 10),
                Arg.of(labelsWithIgnored(10, IGNORE), 6).noGrad(), Arg.of(uniform(0.25, 2), 10).noGrad());
        return b.build();
    }

    static OpSpec nllLoss() {
        OpSpec.Builder b = OpSpec.named("nllLoss");
        Object[][] cases = {
                {new int[] {5, 7}, null, new Opts(false, IGNORE, 0, Reduction.MEAN), false},
                {new int[] {6, 4}, null, new Opts(true, IGNORE, 0, Reduction.MEAN), true},
                {new int[] {6, 4}, null, new Opts(true, IGNORE, 0, Reduction.SUM), true},
                {new int[] {6, 4}, null, new Opts(true, IGNORE, 0, Reduction.NONE), true},
                {new int[] {7, 5}, STEPPED, new Opts(false, 1, 0, Reduction.SUM), false},
                {new int[] {5, 33}, TRANSPOSED, new Opts(true, 0, 0, Reduction.MEAN), false},
                {new int[] {1, 1}, null, new Opts(false, IGNORE, 0, Reduction.NONE), false},
        };
        for (Object[] c : cases) {
            int[] shape = (int[]) c[0];
            Opts o = (Opts) c[2];
            int n = shape[0], k = shape[1];
            Arg logProbs = Arg.of(normal(), shape);
            if (c[1] != null) logProbs = logProbs.as((Layout) c[1]);
            Arg labels = Arg.of((boolean) c[3] ? labelsWithIgnored(k, o.ignoreIndex) : ints(0, k - 1), n).noGrad();
            Arg weight = Arg.of(uniform(0.25, 2), k).noGrad();
            b.auto(", ", o.label(), TOL, in -> in[0].nllLoss(in[1], o.with(in[2])),
                    in -> reference(in[0], in[1], o.weighted ? in[2] : null, o, false), logProbs, labels, weight);
        }
        return b.build();
    }

    /**
     * Class labels in {@code [0, c)} with about a third of them {@code ignore}; the first row is
     * always kept, so a mean never divides by zero.
     */
    static Sampler labelsWithIgnored(int c, int ignore) {
        return (rnd, n) -> {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = i > 0 && rnd.nextInt(3) == 0 ? ignore : rnd.nextInt(c);
            if (n > 0 && v[0] == ignore) v[0] = (ignore + 1) % c;
            return v;
        };
    }

    /**
     * PyTorch 1.13's {@code cross_entropy} (from the logits, {@code fromLogits}) or {@code nll_loss}
     * (from log-probabilities), in float64: {@code nll = nll_loss(p, y, weight, reduction)},
     * {@code smooth_i = -sum_c w[c] p[i, c]} (0 where ignored) reduced the same way (mean: over the
     * sum of the kept rows' label weights), then {@code (1 - s) nll + (s / C) smooth}.
     */
    static Ref reference(Ref x, Ref labels, Ref weight, Opts o, boolean fromLogits) {
        int n = x.shape[0], c = x.shape[1];
        double[][] p = new double[n][c];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < c; j++) max = Math.max(max, x.at(i, j));
            for (int j = 0; j < c; j++) sum += Math.exp(x.at(i, j) - max);
            for (int j = 0; j < c; j++) p[i][j] = fromLogits ? x.at(i, j) - max - Math.log(sum) : x.at(i, j);
        }
        double[] nll = new double[n], smooth = new double[n];
        double weightSum = 0;
        for (int i = 0; i < n; i++) {
            int y = (int) labels.data[i];
            if (y == o.ignoreIndex) continue;
            double wy = weight == null ? 1 : weight.data[y];
            nll[i] = -wy * p[i][y];
            weightSum += wy;
            for (int j = 0; j < c; j++) smooth[i] -= (weight == null ? 1 : weight.data[j]) * p[i][j];
        }
        double s = o.smoothing;
        if (o.reduction == Reduction.NONE) {
            Ref out = Ref.zeros(n);
            for (int i = 0; i < n; i++) out.data[i] = (1 - s) * nll[i] + s / c * smooth[i];
            return out;
        }
        double nllSum = 0, smoothSum = 0;
        for (int i = 0; i < n; i++) {
            nllSum += nll[i];
            smoothSum += smooth[i];
        }
        double scale = o.reduction == Reduction.MEAN ? 1 / weightSum : 1;
        return Ref.scalar((1 - s) * nllSum * scale + s / c * smoothSum * scale);
    }
}
