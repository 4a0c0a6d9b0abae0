package dev.jgrad.conformance;

import dev.jgrad.conformance.OpSpec.Arg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.jgrad.conformance.Layout.*;
import static dev.jgrad.conformance.OpSpec.TOL;
import static dev.jgrad.conformance.Sampler.*;

/** sum, mean, var, max, argmax over chosen dimensions. */
final class ReductionSpecs {
    private ReductionSpecs() {}

    /** One reduction to try: an input and the dimensions (null: all, via the no-argument overload). */
    private record Over(Arg input, int[] dims, boolean keepdim) {
        String label() {
            return input.describe() + " over " + (dims == null ? "all" : Arrays.toString(dims)) + (keepdim ? " keepdim" : "");
        }
    }

    private static List<Over> overs(Sampler s) {
        return List.of(
                new Over(Arg.of(s, 7, 5), new int[] {0}, false),
                new Over(Arg.of(s, 7, 5), new int[] {1}, true),
                new Over(Arg.of(s, 3, 5, 4), new int[] {0, 2}, false),
                new Over(Arg.of(s, 3, 5, 4), new int[] {0, 2}, true),
                new Over(Arg.of(s, 3, 5, 4).as(PERMUTED), new int[] {1, 2}, false),
                new Over(Arg.of(s, 3, 5, 4), new int[] {0, 1, 2}, false),
                new Over(Arg.of(s, 4, 9).as(TRANSPOSED), new int[] {-1}, true),
                new Over(Arg.of(s, 2, 1, 3), new int[] {1}, false),
                new Over(Arg.of(s, 6, 33).as(STEPPED), null, false),
                new Over(Arg.of(s, 1), null, false),
                new Over(Arg.of(s, 1003), new int[] {0}, false),
                new Over(Arg.of(s, 11, 257).noGrad(), new int[] {1}, false));
    }

    private static int reducedCount(Over o) {
        int[] shape = o.input.shape();
        if (o.dims == null) return Ref.numel(shape);
        int n = 1;
        for (int d : o.dims) n *= shape[d < 0 ? d + shape.length : d];
        return n;
    }

    static List<OpSpec> all() {
        List<OpSpec> specs = new ArrayList<>();
        OpSpec.Builder sum = OpSpec.named("sum"), mean = OpSpec.named("mean");
        for (Over o : overs(shifted(1))) {
            sum.add(o.label(), TOL, in -> o.dims == null ? in[0].sum() : in[0].sum(o.dims, o.keepdim),
                    in -> RefOps.sum(in[0], o.dims, o.keepdim), o.input);
            mean.add(o.label(), TOL, in -> o.dims == null ? in[0].mean() : in[0].mean(o.dims, o.keepdim),
                    in -> RefOps.mean(in[0], o.dims, o.keepdim), o.input);
        }
        specs.add(sum.build());
        specs.add(mean.build());

        OpSpec.Builder var = OpSpec.named("var");
        for (int correction : new int[] {0, 1})
            for (Over o : overs(normal(3))) {
                if (reducedCount(o) - correction < 1) continue;   // 0/0: undefined
                var.add(o.label() + " correction " + correction, TOL,
                        in -> in[0].var(o.dims, o.keepdim, correction),
                        in -> RefOps.var(in[0], o.dims, o.keepdim, correction), o.input);
            }
        var.add("6x33 stepped, var()", TOL, in -> in[0].var(), in -> RefOps.var(in[0], null, false, 1),
                Arg.of(normal(), 6, 33).as(STEPPED));
        specs.add(var.build());

        OpSpec.Builder max = OpSpec.named("max"), argmax = OpSpec.named("argmax");
        Sampler s = distinct();
        List<Arg> inputs = List.of(Arg.of(s, 7, 5), Arg.of(s, 3, 5, 4), Arg.of(s, 3, 5, 4).as(PERMUTED),
                Arg.of(s, 4, 9).as(TRANSPOSED), Arg.of(s, 1), Arg.of(s, 2, 1, 3), Arg.of(s, 1003), Arg.of(s, 6, 7).as(STEPPED));
        for (Arg a : inputs)
            for (int d0 = 0; d0 <= a.shape().length; d0++) {
                int d = d0 == a.shape().length ? -1 : d0;
                boolean keep = d0 % 2 == 1;
                String label = a.describe() + " dim " + d + (keep ? " keepdim" : "");
                max.add(label, TOL, in -> in[0].max(d, keep), in -> RefOps.maxAlong(in[0], d, keep, false), a);
                argmax.add(label, 0, in -> in[0].argmax(d, keep), in -> RefOps.maxAlong(in[0], d, keep, true), a.noGrad());
            }
        for (Arg a : inputs) max.add(a.describe() + " max()", TOL, in -> in[0].max(), in -> RefOps.maxAll(in[0]), a);
        // Ties: the gradient goes to the first maximum, and argmax reports it.
        Sampler ties = ints(0, 1);
        max.add("2x9 all ties dim 1", TOL, in -> in[0].max(1, false), in -> RefOps.maxAlong(in[0], 1, false, false),
                Arg.of(ties, 2, 9).noGrad());
        argmax.add("2x9 ties dim 1", 0, in -> in[0].argmax(1, false), in -> RefOps.maxAlong(in[0], 1, false, true),
                Arg.of(ties, 2, 9).noGrad());
        specs.add(max.build());
        specs.add(argmax.build());
        return specs;
    }
}
