package dev.jgrad.conformance;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs one case of one spec on one device: the forward output against the float64 reference,
 * then, for inputs marked for it, the gradient of {@code L = sum(out * R)} (random R) against
 * central differences of the reference's L in float64.
 */
final class Checker {
    private Checker() {}

    /** Central-difference step, relative to the value. */
    private static final double H = 1e-6;

    static void check(OpSpec spec, OpSpec.Case c, Device device) {
        long seed = Seeds.forCase(spec.name() + "[" + c.label() + "]");
        String title = spec.name() + "[" + c.label() + "] on " + device.name();
        SplittableRandom rnd = new SplittableRandom(seed);
        List<OpSpec.Arg> args = c.args();
        Ref[] leaves = new Ref[args.size()];
        for (int i = 0; i < leaves.length; i++) {
            int[] leafShape = args.get(i).layout().leafShape(args.get(i).shape());
            leaves[i] = new Ref(leafShape, args.get(i).sampler().sample(rnd, Ref.numel(leafShape)));
        }
        Ref want = c.ref().apply(views(args, leaves));

        Tensor[] leafTensors = new Tensor[leaves.length];
        Tensor[] inputs = new Tensor[leaves.length];
        for (int i = 0; i < leaves.length; i++) {
            leafTensors[i] = Tensor.of(device, leaves[i].toFloats(), leaves[i].shape).requiresGrad(args.get(i).grad());
            inputs[i] = args.get(i).layout().view(leafTensors[i], args.get(i).shape());
        }
        Tensor out = c.op().apply(inputs);
        Context ctx = new Context(title, Seeds.base(), args);
        if (out.device() != device)
            throw new AssertionError(ctx.header("output is on " + out.device() + ", not " + device));
        if (!Arrays.equals(out.shape(), want.shape))
            throw new AssertionError(ctx.header("output shape " + Ref.str(out.shape()) + ", reference shape "
                    + Ref.str(want.shape)));
        compare(ctx, "forward output " + Ref.str(want.shape), out.toArray(), want, c.tol());

        if (!c.anyGrad()) return;
        // R > 0: a gradient that sums R over broadcast elements cannot cancel to noise.
        Ref r = new Ref(want.shape, Sampler.uniform(0.5, 1.5).sample(rnd, want.numel()));
        out.mul(Tensor.of(device, r.toFloats(), r.shape)).sum().backward();
        for (int i = 0; i < leaves.length; i++) {
            if (!args.get(i).grad()) continue;
            String what = "gradient of input " + i + " (" + args.get(i).describe() + ", leaf " + Ref.str(leaves[i].shape)
                    + ") vs central differences";
            Tensor g = leafTensors[i].grad();
            if (g == null) throw new AssertionError(ctx.header(what + ": backward left no gradient"));
            if (!Arrays.equals(g.shape(), leaves[i].shape))
                throw new AssertionError(ctx.header(what + ": gradient shape " + Ref.str(g.shape())));
            compare(ctx, what, g.toArray(), finiteDifferences(c, args, leaves, i, r), c.gradTol());
        }
    }

    private static Ref[] views(List<OpSpec.Arg> args, Ref[] leaves) {
        Ref[] v = new Ref[leaves.length];
        for (int i = 0; i < v.length; i++) v[i] = args.get(i).layout().view(leaves[i], args.get(i).shape());
        return v;
    }

    /** d/d leaf[which] of {@code sum(ref(views) * r)}, by central differences in float64. */
    private static Ref finiteDifferences(OpSpec.Case c, List<OpSpec.Arg> args, Ref[] leaves, int which, Ref r) {
        Ref leaf = leaves[which];
        Ref grad = Ref.zeros(leaf.shape);
        for (int j = 0; j < leaf.numel(); j++) {
            double v = leaf.data[j], h = H * Math.max(1, Math.abs(v));
            leaf.data[j] = v + h;
            double plus = weightedSum(c.ref().apply(views(args, leaves)), r);
            leaf.data[j] = v - h;
            double minus = weightedSum(c.ref().apply(views(args, leaves)), r);
            leaf.data[j] = v;
            grad.data[j] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    private static double weightedSum(Ref out, Ref r) {
        double s = 0;
        for (int i = 0; i < out.data.length; i++) s += out.data[i] * r.data[i];
        return s;
    }

    /** What a failure message starts with. */
    record Context(String title, long seed, List<OpSpec.Arg> args) {
        String header(String problem) {
            StringBuilder sb = new StringBuilder(title).append(": ").append(problem)
                    .append("\n  seed ").append(seed).append(" (rerun with -Djgrad.test.seed=").append(seed).append(')')
                    .append("\n  inputs:");
            for (OpSpec.Arg a : args) sb.append(' ').append(a.describe()).append(a.grad() ? " (grad)" : "").append(';');
            return sb.toString();
        }
    }

    /**
     * Fails unless {@code ||got - want|| <= tol ||want||} with no NaN anywhere, printing the max
     * error and the first and worst mismatching elements.
     */
    static void compare(Context ctx, String what, float[] got, Ref want, double tol) {
        double errSq = 0, refSq = 0, maxAbs = -1;
        int worst = 0;
        boolean nan = false;
        for (int i = 0; i < got.length; i++) {
            double e = error(got[i], want.data[i]);
            nan |= Double.isNaN(e);
            errSq += e * e;
            refSq += want.data[i] * want.data[i];
            double key = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
            if (key > maxAbs) {
                maxAbs = key;
                worst = i;
            }
        }
        double rel = refSq == 0 ? Math.sqrt(errSq) : Math.sqrt(errSq / refSq);
        if (!nan && rel <= tol) return;

        double rms = Math.sqrt(refSq / Math.max(1, got.length));
        List<Integer> bad = new ArrayList<>();
        for (int i = 0; i < got.length; i++) {
            double e = error(got[i], want.data[i]);
            if (Double.isNaN(e) || e > Math.max(tol * Math.max(Math.abs(want.data[i]), rms), 0)) bad.add(i);
        }
        StringBuilder sb = new StringBuilder(ctx.header(what + " differs"));
        sb.append(String.format("%n  max abs error %.3g at %s; relative error %.3g (tolerance %.1g)%s; %d of %d elements off",
                maxAbs, Arrays.toString(want.unravel(worst)), rel, tol, nan ? "; NaN where the reference is finite" : "",
                bad.size(), got.length));
        sb.append("\n  first mismatches (index: got vs want):");
        for (int i = 0; i < Math.min(5, bad.size()); i++) appendElement(sb, bad.get(i), got, want);
        List<Integer> worstFirst = new ArrayList<>(bad);
        worstFirst.sort(Comparator.comparingDouble((Integer i) -> {
            double e = error(got[i], want.data[i]);
            return Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
        }).reversed());
        sb.append("\n  worst:");
        for (int i = 0; i < Math.min(3, worstFirst.size()); i++) appendElement(sb, worstFirst.get(i), got, want);
        throw new AssertionError(sb.toString());
    }

    /** |got - want|; 0 for equal values (infinities included), NaN when only one side is NaN. */
    private static double error(float got, double want) {
        if (got == want || (Float.isNaN(got) && Double.isNaN(want))) return 0;
        return Math.abs(got - want);
    }

    private static void appendElement(StringBuilder sb, int i, float[] got, Ref want) {
        sb.append("\n    ").append(Arrays.toString(want.unravel(i))).append(": ")
          .append(got[i]).append(" vs ").append(want.data[i]);
    }
}
