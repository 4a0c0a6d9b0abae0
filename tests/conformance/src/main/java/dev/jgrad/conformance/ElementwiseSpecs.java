package dev.jgrad.conformance;

import dev.jgrad.engine.Tensor;
import dev.jgrad.conformance.OpSpec.Arg;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static dev.jgrad.conformance.Layout.*;
import static dev.jgrad.conformance.OpSpec.TOL;
import static dev.jgrad.conformance.Sampler.*;

/** Unary, binary (with broadcasting), comparison and where specs. */
final class ElementwiseSpecs {
    private ElementwiseSpecs() {}

    static List<OpSpec> all() {
        List<OpSpec> specs = new ArrayList<>();
        specs.add(unary("neg", Tensor::neg, v -> -v, normal()));
        specs.add(unary("exp", Tensor::exp, Math::exp, normal(2)));
        specs.add(unary("log", Tensor::log, Math::log, uniform(0.05, 5)));
        specs.add(unary("sqrt", Tensor::sqrt, Math::sqrt, uniform(0.05, 5)));
        specs.add(unary("pow(3)", x -> x.pow(3f), v -> v * v * v, normal()));
        specs.add(unary("pow(2.5)", x -> x.pow(2.5f), v -> Math.pow(v, 2.5), uniform(0.05, 3)));
        specs.add(unary("pow(-1.5)", x -> x.pow(-1.5f), v -> Math.pow(v, -1.5), uniform(0.2, 3)));
        specs.add(unary("abs", Tensor::abs, Math::abs, avoiding(1, 0)));
        specs.add(unary("relu", Tensor::relu, v -> Math.max(v, 0), avoiding(1, 0)));
        // Inside these ranges the float32 derivatives y(1-y) and 1-y^2 do not cancel to noise.
        specs.add(unary("sigmoid", Tensor::sigmoid, v -> 1 / (1 + Math.exp(-v)), uniform(-4, 4)));
        specs.add(unary("tanh", Tensor::tanh, Math::tanh, uniform(-2.5, 2.5)));
        specs.add(unary("clamp(-0.5, 0.7)", x -> x.clamp(-0.5f, 0.7f), v -> Math.min(Math.max(v, -0.5), 0.7),
                avoiding(1, -0.5, 0.7)));

        // Broadcast gradients are sums over the repeated elements; inputs with a positive mean keep
        // those sums away from cancellation (see Sampler.shifted).
        specs.add(binary("add", "+", Tensor::add, Double::sum, shifted(1), shifted(1)));
        specs.add(binary("sub", "-", Tensor::sub, (a, b) -> a - b, shifted(1), shifted(1)));
        specs.add(binary("mul", "*", Tensor::mul, (a, b) -> a * b, shifted(1), shifted(1)));
        specs.add(binary("div", "/", Tensor::div, (a, b) -> a / b, shifted(1), uniform(0.5, 3)));
        specs.add(OpSpec.named("div (negative divisors)")
                .auto(" / ", "", TOL, in -> in[0].div(in[1]), in -> Ref.zip(in[0], in[1], (a, b) -> a / b),
                        Arg.of(normal(), 67), Arg.of(awayFromZero(0.5), 67).as(STEPPED))
                .build());
        specs.add(binary("pow", "^", Tensor::pow, Math::pow, uniform(1.1, 3), shifted(1)));
        specs.add(binary("maximum", ",", Tensor::maximum, Math::max, grid(0), grid(0.005)));
        specs.add(binary("minimum", ",", Tensor::minimum, Math::min, grid(0.005), grid(0)));

        specs.add(comparison("eq", Tensor::eq, (a, b) -> a == b));
        specs.add(comparison("ne", Tensor::ne, (a, b) -> a != b));
        specs.add(comparison("lt", Tensor::lt, (a, b) -> a < b));
        specs.add(comparison("le", Tensor::le, (a, b) -> a <= b));
        specs.add(comparison("gt", Tensor::gt, (a, b) -> a > b));
        specs.add(comparison("ge", Tensor::ge, (a, b) -> a >= b));

        specs.add(where());
        return specs;
    }

    /** Shapes with size 1, odd sizes and a tail past any vector width, contiguous and strided. */
    private static Arg[] unaryInputs(Sampler s) {
        return new Arg[] {
                Arg.of(s), Arg.of(s, 1), Arg.of(s, 7), Arg.of(s, 1031),
                Arg.of(s, 5, 33).as(TRANSPOSED), Arg.of(s, 3, 4, 9).as(STEPPED),
                Arg.of(s, 6, 5).as(OFFSET), Arg.of(s, 4, 7, 3).as(PERMUTED), Arg.of(s, 4, 19).as(EXPANDED)};
    }

    static OpSpec unary(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, Sampler s) {
        OpSpec.Builder b = OpSpec.named(name);
        for (Arg a : unaryInputs(s)) b.auto("", "", TOL, in -> op.apply(in[0]), in -> in[0].map(ref), a);
        return b.build();
    }

    /** Pairs of inputs: equal shapes in every layout, and each broadcasting pattern. */
    private static Arg[][] binaryInputs(Sampler sa, Sampler sb) {
        return new Arg[][] {
                {Arg.of(sa, 7), Arg.of(sb, 7)},
                {Arg.of(sa, 1031), Arg.of(sb, 1031)},
                {Arg.of(sa, 33, 17).as(TRANSPOSED), Arg.of(sb, 33, 17).as(STEPPED)},
                {Arg.of(sa, 5, 6).as(OFFSET), Arg.of(sb, 5, 6).as(EXPANDED)},
                {Arg.of(sa, 3, 1, 5), Arg.of(sb, 4, 1)},
                {Arg.of(sa), Arg.of(sb, 5, 6)},
                {Arg.of(sa, 2, 3, 4).as(PERMUTED), Arg.of(sb)},
                {Arg.of(sa, 1), Arg.of(sb, 2, 3)},
                {Arg.of(sa, 2, 3, 5).as(STEPPED), Arg.of(sb, 5).as(STEPPED)},
                {Arg.of(sa), Arg.of(sb)}};
    }

    static OpSpec binary(String name, String symbol, BinaryOperator<Tensor> op, DoubleBinaryOperator ref,
                         Sampler sa, Sampler sb) {
        OpSpec.Builder b = OpSpec.named(name);
        for (Arg[] pair : binaryInputs(sa, sb))
            b.auto(" " + symbol + " ", "", TOL, in -> op.apply(in[0], in[1]), in -> Ref.zip(in[0], in[1], ref), pair);
        return b.build();
    }

    @FunctionalInterface
    interface DoublePredicate2 {
        boolean test(double a, double b);
    }

    /** Comparisons on small whole numbers, so that ties are common; forward only, exact. */
    static OpSpec comparison(String name, BinaryOperator<Tensor> op, DoublePredicate2 ref) {
        OpSpec.Builder b = OpSpec.named(name);
        Sampler s = ints(-2, 2);
        for (Arg[] pair : binaryInputs(s, s))
            b.auto(", ", "", 0, in -> op.apply(in[0], in[1]),
                    in -> Ref.zip(in[0], in[1], (x, y) -> ref.test(x, y) ? 1 : 0), pair[0].noGrad(), pair[1].noGrad());
        return b.build();
    }

    /** where(cond, a, b): gradients for a and b, none for the condition. */
    static OpSpec where() {
        OpSpec.Builder b = OpSpec.named("where");
        Sampler bits = ints(0, 1);
        OpSpec.TensorOp op = in -> Tensor.where(in[0], in[1], in[2]);
        OpSpec.RefOp ref = in -> RefOps.where(in[0], in[1], in[2]);
        b.auto(", ", "", TOL, op, ref, Arg.of(bits, 37).noGrad(), Arg.of(normal(), 37), Arg.of(normal(), 37));
        b.auto(", ", "", TOL, op, ref, Arg.of(bits, 4, 6).noGrad().as(TRANSPOSED), Arg.of(normal(), 4, 6).as(STEPPED),
                Arg.of(normal(), 4, 6).as(OFFSET));
        b.auto(", ", "", TOL, op, ref, Arg.of(bits, 3, 1, 5).noGrad(), Arg.of(normal(), 4, 1), Arg.of(normal()));
        b.auto(", ", "", TOL, op, ref, Arg.of(bits, 5).noGrad(), Arg.of(normal(), 2, 3, 5).as(PERMUTED),
                Arg.of(normal(), 3, 1));
        return b.build();
    }
}
