package dev.jgrad.conformance;

import dev.jgrad.conformance.OpSpec.Arg;
import dev.jgrad.conformance.PoolRefs.Options;

import java.util.Arrays;
import java.util.List;

import static dev.jgrad.conformance.Layout.*;
import static dev.jgrad.conformance.OpSpec.TOL;
import static dev.jgrad.conformance.Sampler.*;

/**
 * Pooling over 1 to 3 spatial dims with PyTorch's options ({@code Tensor.maxPool}, {@code avgPool},
 * {@code adaptiveAvgPool}, {@code adaptiveMaxPool}): rectangular windows, strides and padding per
 * dim, dilation, ceil mode with its partial last window, padding counted or not in the divisor,
 * divisor override, adaptive windows that overlap or repeat, unbatched inputs and strided views.
 * Max-pooling draws distinct values, so every window has one maximum and central differences
 * see it.
 */
final class PoolSpecs {
    private PoolSpecs() {}

    static List<OpSpec> all() {
        return List.of(maxPool(), avgPool(), adaptive(false), adaptive(true));
    }

    private static int[] v(int... e) {
        return e;
    }

    private static String text(Options o, boolean max) {
        String s = "k" + Arrays.toString(o.kernel()) + " s" + Arrays.toString(o.stride()) + " p" + Arrays.toString(o.pad());
        if (max) s += " d" + Arrays.toString(o.dilation());
        if (o.ceil()) s += " ceil";
        if (!max) s += o.includePad() ? " countPad" : " noCountPad";
        if (o.divisor() > 0) s += " divisor " + o.divisor();
        return s.replace(", ", ",");
    }

    private static void maxCase(OpSpec.Builder b, Arg x, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        Options o = Options.max(k, s, p, d, ceil);
        b.auto("", text(o, true), TOL, in -> in[0].maxPool(k, s, p, d, ceil), in -> PoolRefs.pool(in[0], o, true), x);
    }

    private static void avgCase(OpSpec.Builder b, Arg x, int[] k, int[] s, int[] p, boolean ceil, boolean countPad, int div) {
        Options o = Options.avg(k, s, p, ceil, countPad, div);
        b.auto("", text(o, false), TOL, in -> in[0].avgPool(k, s, p, ceil, countPad, div),
                in -> PoolRefs.pool(in[0], o, false), x);
    }

    static OpSpec maxPool() {
        OpSpec.Builder b = OpSpec.named("maxPool");
        Sampler s = distinct();
        // 1-D
        maxCase(b, Arg.of(s, 2, 3, 9), v(3), v(2), v(1), v(1), false);
        maxCase(b, Arg.of(s, 1, 2, 10), v(4), v(3), v(2), v(2), true);
        maxCase(b, Arg.of(s, 3, 1, 7), v(2), v(2), v(0), v(1), true);
        maxCase(b, Arg.of(s, 2, 2, 11).as(STEPPED), v(3), v(1), v(1), v(3), false);
        maxCase(b, Arg.of(s, 3, 8), v(2), v(2), v(0), v(1), false);
        // 2-D
        maxCase(b, Arg.of(s, 2, 3, 7, 9), v(3, 2), v(2, 1), v(1, 0), v(1, 2), false);
        maxCase(b, Arg.of(s, 1, 2, 6, 5), v(3, 3), v(2, 2), v(1, 1), v(1, 1), true);
        maxCase(b, Arg.of(s, 2, 2, 5, 7).as(TRANSPOSED), v(2, 3), v(1, 2), v(1, 1), v(2, 1), true);
        // 3-D
        maxCase(b, Arg.of(s, 2, 2, 5, 6, 7), v(2, 3, 2), v(2, 1, 2), v(1, 1, 0), v(1, 1, 1), false);
        maxCase(b, Arg.of(s, 1, 3, 4, 5, 3), v(3, 3, 3), v(2, 2, 2), v(1, 1, 1), v(1, 2, 1), true);
        maxCase(b, Arg.of(s, 1, 1, 3, 3, 3), v(2, 2, 2), v(1, 1, 1), v(0, 0, 0), v(1, 1, 1), false);
        // rows long enough for the vectorized backend to take whole vectors of outputs (stride 1 along the width)
        maxCase(b, Arg.of(s, 1, 2, 3, 4, 40), v(2, 2, 3), v(1, 2, 1), v(1, 0, 1), v(1, 2, 1), true);
        return b.build();
    }

    static OpSpec avgPool() {
        OpSpec.Builder b = OpSpec.named("avgPool");
        Sampler s = normal();
        // 1-D: the divisor with and without padding, and ceil mode's window clipped at the padded end
        avgCase(b, Arg.of(s, 2, 3, 9), v(3), v(2), v(1), false, true, 0);
        avgCase(b, Arg.of(s, 2, 3, 9), v(3), v(2), v(1), false, false, 0);
        avgCase(b, Arg.of(s, 1, 2, 6), v(3), v(2), v(1), true, true, 0);
        avgCase(b, Arg.of(s, 3, 2, 10).as(STEPPED), v(4), v(3), v(2), true, false, 0);
        avgCase(b, Arg.of(s, 2, 3, 37), v(4), v(1), v(2), true, false, 0);
        // 2-D
        avgCase(b, Arg.of(s, 2, 3, 7, 9), v(3, 2), v(2, 1), v(1, 1), false, false, 0);
        avgCase(b, Arg.of(s, 1, 2, 6, 5), v(3, 3), v(2, 2), v(1, 1), true, true, 0);
        avgCase(b, Arg.of(s, 2, 2, 5, 7).as(TRANSPOSED), v(2, 3), v(2, 2), v(1, 1), true, false, 0);
        avgCase(b, Arg.of(s, 1, 2, 5, 5), v(3, 3), v(2, 2), v(1, 1), true, true, 2);
        avgCase(b, Arg.of(s, 2, 2, 4, 6), v(2, 2), v(2, 2), v(0, 0), false, true, 0);
        // 3-D
        avgCase(b, Arg.of(s, 2, 2, 5, 6, 7), v(2, 3, 2), v(2, 1, 2), v(1, 1, 0), false, true, 0);
        avgCase(b, Arg.of(s, 1, 3, 4, 5, 6), v(3, 3, 3), v(2, 2, 2), v(1, 1, 1), true, false, 0);
        avgCase(b, Arg.of(s, 2, 3, 4, 5), v(2, 2, 2), v(1, 1, 1), v(1, 1, 1), false, true, 3);
        return b.build();
    }

    static OpSpec adaptive(boolean max) {
        OpSpec.Builder b = OpSpec.named(max ? "adaptiveMaxPool" : "adaptiveAvgPool");
        Sampler s = max ? distinct() : normal();
        Object[][] cases = max
                ? new Object[][] {{Arg.of(s, 2, 3, 7), v(3)}, {Arg.of(s, 2, 3, 7, 9), v(3, 4)},
                        {Arg.of(s, 1, 2, 5, 6), v(7, 4)}, {Arg.of(s, 1, 2, 5, 6, 7), v(2, 3, 4)}}
                : new Object[][] {{Arg.of(s, 2, 3, 7), v(3)}, {Arg.of(s, 1, 2, 5), v(8)}, {Arg.of(s, 2, 3, 7, 9), v(3, 4)},
                        {Arg.of(s, 2, 3, 5, 6).as(TRANSPOSED), v(1, 1)}, {Arg.of(s, 1, 2, 5, 6, 7), v(2, 3, 4)},
                        {Arg.of(s, 3, 7, 5), v(2, 3)}};
        for (Object[] c : cases) {
            int[] o = (int[]) c[1];
            b.auto("", "to " + Arrays.toString(o).replace(", ", ","), TOL,
                    in -> max ? in[0].adaptiveMaxPool(o) : in[0].adaptiveAvgPool(o), in -> PoolRefs.adaptive(in[0], o, max),
                    (Arg) c[0]);
        }
        return b.build();
    }
}
