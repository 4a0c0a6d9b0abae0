package dev.jgrad.conformance;

import dev.jgrad.engine.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One op, described once: its name and its sample cases. Each case says how to draw its inputs,
 * how to call the op through the Tensor API, what the float64 reference computes, and how close
 * the two must be. {@link Checker} runs every case on every device.
 *
 * @param name  the op's name, first part of every test name
 * @param cases the sample inputs, awkward shapes and strided views among them
 */
record OpSpec(String name, List<Case> cases) {

    /** Relative error bound for elementwise ops, reductions and short sums. */
    static final double TOL = 1e-5;
    /** Relative error bound for long float32 sums (matmul, conv with large K). */
    static final double TOL_LONG_SUM = 1e-4;

    /** The op through the Tensor API, on inputs that are already on the device under test. */
    @FunctionalInterface
    interface TensorOp {
        Tensor apply(Tensor[] in);
    }

    /** The float64 reference of the op. */
    @FunctionalInterface
    interface RefOp {
        Ref apply(Ref[] in);
    }

    /**
     * One input.
     *
     * @param shape   the shape the op sees
     * @param layout  how it is laid out in memory
     * @param sampler how its values are drawn
     * @param grad    whether its gradient is checked against central differences
     */
    record Arg(int[] shape, Layout layout, Sampler sampler, boolean grad) {
        static Arg of(Sampler s, int... shape) {
            return new Arg(shape, Layout.CONTIGUOUS, s, true);
        }

        Arg as(Layout l) {
            return new Arg(shape, l, sampler, grad);
        }

        Arg noGrad() {
            return new Arg(shape, layout, sampler, false);
        }

        String describe() {
            return Ref.str(shape) + (layout.tag.isEmpty() ? "" : " " + layout.tag);
        }
    }

    /**
     * One sample.
     *
     * @param label   shown in brackets after the op's name, e.g. {@code 17x33 @ 33x65 transB}
     * @param tol     bound on {@code ||got - want|| / ||want||} for the forward output; 0 means exact
     * @param gradTol the same bound for gradients against central differences
     */
    record Case(String label, List<Arg> args, TensorOp op, RefOp ref, double tol, double gradTol) {
        boolean anyGrad() {
            return args.stream().anyMatch(Arg::grad);
        }
    }

    /** Collects the cases of one spec. */
    static final class Builder {
        private final String name;
        private final List<Case> cases = new ArrayList<>();
        private double gradTol = TOL;

        Builder(String name) {
            this.name = name;
        }

        /**
         * The gradient tolerance of the cases added after this call (default {@link #TOL}, or the
         * case's own tolerance if larger). Exact ops still get float32 slack against differences.
         */
        Builder gradTolerance(double tol) {
            gradTol = tol;
            return this;
        }

        Builder add(String label, double tol, TensorOp op, RefOp ref, Arg... args) {
            cases.add(new Case(label, List.of(args), op, ref, tol, Math.max(tol, gradTol)));
            return this;
        }

        /** A case labelled with its inputs' shapes and layouts joined by {@code sep}, plus {@code extra}. */
        Builder auto(String sep, String extra, double tol, TensorOp op, RefOp ref, Arg... args) {
            StringBuilder label = new StringBuilder();
            for (int i = 0; i < args.length; i++) label.append(i == 0 ? "" : sep).append(args[i].describe());
            if (!extra.isEmpty()) label.append(' ').append(extra);
            return add(label.toString(), tol, op, ref, args);
        }

        OpSpec build() {
            return new OpSpec(name, List.copyOf(cases));
        }
    }

    static Builder named(String name) {
        return new Builder(name);
    }
}
