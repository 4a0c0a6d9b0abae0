package dev.jgrad.conformance;

import dev.jgrad.conformance.OpSpec.Arg;
import dev.jgrad.engine.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.jgrad.conformance.Layout.*;
import static dev.jgrad.conformance.OpSpec.TOL;
import static dev.jgrad.conformance.Sampler.*;

/**
 * GELU (exact and tanh), SiLU, ELU, leaky ReLU, softplus, PReLU and erf against float64 formulas
 * written from PyTorch's definitions. GELU's normal CDF comes from a Simpson quadrature of the
 * density, independent of the engine's series and continued fraction for erfc.
 */
final class ActivationSpecs {
    private ActivationSpecs() {}

    static List<OpSpec> all() {
        List<OpSpec> specs = new ArrayList<>();
        specs.add(ElementwiseSpecs.unary("gelu", Tensor::gelu, v -> v * phi(v), uniform(-6, 6)));
        specs.add(ElementwiseSpecs.unary("gelu(tanh)", x -> x.gelu(true),
                v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))), uniform(-5, 5)));
        specs.add(ElementwiseSpecs.unary("silu", Tensor::silu, v -> v / (1 + Math.exp(-v)), uniform(-6, 6)));
        specs.add(ElementwiseSpecs.unary("elu(1.3)", x -> x.elu(1.3f), v -> v > 0 ? v : 1.3 * (Math.exp(v) - 1), avoiding(1.5, 0)));
        specs.add(ElementwiseSpecs.unary("leakyRelu(0.07)", x -> x.leakyRelu(0.07f), v -> v > 0 ? v : 0.07 * v, avoiding(1, 0)));
        // beta 1.5, threshold 4: the kink at x = 4 / 1.5 is avoided; values beyond it pass unchanged
        specs.add(ElementwiseSpecs.unary("softplus(1.5, 4)", x -> x.softplus(1.5f, 4f),
                v -> 1.5 * v > 4 ? v : Math.log(1 + Math.exp(1.5 * v)) / 1.5, avoiding(2, 4 / 1.5)));
        specs.add(prelu());
        specs.add(ElementwiseSpecs.unary("erf", Tensor::erf, ActivationSpecs::erf, uniform(-3.5, 3.5)));
        return specs;
    }

    /**
     * The standard normal CDF. Below 0 it integrates the tail {@code [|x|, |x| + 12]} directly, so the
     * small value keeps its relative accuracy: {@code 0.5 - (integral from 0 to |x|)} loses it to
     * cancellation (1e-14 absolute noise), which central differences amplified past 1e-5 relative
     * in GELU's gradient at x = -4.59.
     */
    static double phi(double x) {
        return PHI.computeIfAbsent(x, v -> {
            double a = Math.abs(v);
            return v >= 0 ? 0.5 + simpson(0, a) : simpson(a, a + 12);
        });
    }

    /**
     * Quadratures already done, by argument. A gradient check moves one input at a time and
     * evaluates the reference over all of them again: without this, each element of the 1031-long
     * case cost 2 x 1031 quadratures of 4,000 panels, about 48 s per spec and device.
     */
    private static final Map<Double, Double> PHI = new ConcurrentHashMap<>(), ERF = new ConcurrentHashMap<>();

    /**
     * erf, odd in v: {@code 2 * (the normal density's integral over [0, |v| sqrt 2])}, or beyond 1 for
     * {@code |v| sqrt 2}, {@code 1 - 2 * (its tail integral)}: the integral from 0 carries the
     * rounding noise of 4,000 terms, which central differences at step 1e-6 turned into a 1.4e-5
     * relative error of the small gradient near |v| = 3.
     */
    static double erf(double v) {
        return ERF.computeIfAbsent(v, x -> {
            double a = Math.abs(x) * Math.sqrt(2);
            return Math.signum(x) * (a < 1 ? 2 * simpson(0, a) : 1 - 2 * simpson(a, a + 12));
        });
    }

    /** The integral of the normal density over {@code [lo, hi]} by Simpson's rule on 4000 intervals. */
    private static double simpson(double lo, double hi) {
        int n = 4000;
        double h = (hi - lo) / n, sum = density(lo) + density(hi);
        for (int i = 1; i < n; i++) sum += (i % 2 == 1 ? 4 : 2) * density(lo + i * h);
        return sum * h / 3;
    }

    private static double density(double t) {
        return Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
    }

    static OpSpec prelu() {
        OpSpec.Builder b = OpSpec.named("prelu");
        OpSpec.TensorOp op = in -> in[0].prelu(in[1]);
        Sampler x = avoiding(1, 0), w = uniform(-0.5, 0.8);
        b.auto(", weight ", "", TOL, op, in -> preluRef(in[0], in[1]), Arg.of(x, 4, 3, 5), Arg.of(w, 3));
        b.auto(", weight ", "", TOL, op, in -> preluRef(in[0], in[1]), Arg.of(x, 2, 7), Arg.of(w, 1));
        b.auto(", weight ", "", TOL, op, in -> preluRef(in[0], in[1]), Arg.of(x, 4, 5, 6).as(PERMUTED), Arg.of(w, 5));
        b.auto(", weight ", "", TOL, op, in -> preluRef(in[0], in[1]), Arg.of(x, 6, 33).as(TRANSPOSED), Arg.of(w, 33));
        return b.build();
    }

    private static Ref preluRef(Ref x, Ref w) {
        Ref out = Ref.zeros(x.shape);
        for (int i = 0; i < out.data.length; i++) {
            double v = x.data[i], slope = w.numel() == 1 ? w.data[0] : w.data[x.unravel(i)[1]];
            out.data[i] = v > 0 ? v : slope * v;
        }
        return out;
    }
}
