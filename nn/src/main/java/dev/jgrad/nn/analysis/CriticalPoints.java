package dev.jgrad.nn.analysis;

import dev.jgrad.engine.Tensor;
import dev.jgrad.nn.Module;

import java.util.function.BiFunction;

/**
 * Classifies the point a model sits at: loss, gradient norm, the extreme Hessian eigenvalues by
 * Lanczos (one run gives both ends), and a verdict:
 * <ul>
 *   <li>"not a critical point" when {@code ||g|| > gradientTolerance};</li>
 *   <li>"saddle point" when {@code lambda_min < -tol} and {@code lambda_max > tol};</li>
 *   <li>"local minimum" when {@code lambda_min > tol}; "local maximum" when {@code lambda_max < -tol};</li>
 *   <li>"degenerate" otherwise (an extreme eigenvalue within {@code tol} of 0: second order cannot tell);</li>
 * </ul>
 * with {@code tol = max(eigenAbsTolerance, eigenRelTolerance * max(|lambda_max|, |lambda_min|))}.
 * The relative part is about three times the finite-difference HVP's measured error (under 1e-4 of {@code ||H v||}, see
 * {@link ModelHessian}). At a saddle it also steps {@code escapeStep} along plus and minus the
 * eigenvector of {@code lambda_min} and reports the lower loss.
 */
public final class CriticalPoints {
    private CriticalPoints() {}

    /**
     * Settings of {@link #analyse}. {@link #defaults()} gives: gradient tolerance 1e-3, eigenvalue
     * tolerances 1e-6 absolute and 2e-4 relative, 2 top eigenvalues, at most 60 Lanczos steps with
     * residual tolerance 1e-4 (relative to the spectral radius), escape step 0.1,
     * finite-difference scale {@link ModelHessian#DEFAULT_FD_SCALE}, seed 1.
     */
    public record Options(double gradientTolerance, double eigenAbsTolerance, double eigenRelTolerance, int topK,
                          int maxLanczosSteps, double lanczosTolerance, double escapeStep, double fdScale, long seed) {
        public static Options defaults() {
            return new Options(1e-3, 1e-6, 2e-4, 2, 60, 1e-4, 0.1, ModelHessian.DEFAULT_FD_SCALE, 1);
        }

        public Options withGradientTolerance(double v) {
            return new Options(v, eigenAbsTolerance, eigenRelTolerance, topK, maxLanczosSteps, lanczosTolerance,
                    escapeStep, fdScale, seed);
        }

        public Options withTopK(int v) {
            return new Options(gradientTolerance, eigenAbsTolerance, eigenRelTolerance, v, maxLanczosSteps,
                    lanczosTolerance, escapeStep, fdScale, seed);
        }

        public Options withMaxLanczosSteps(int v) {
            return new Options(gradientTolerance, eigenAbsTolerance, eigenRelTolerance, topK, v, lanczosTolerance,
                    escapeStep, fdScale, seed);
        }

        public Options withEscapeStep(double v) {
            return new Options(gradientTolerance, eigenAbsTolerance, eigenRelTolerance, topK, maxLanczosSteps,
                    lanczosTolerance, v, fdScale, seed);
        }

        public Options withSeed(long v) {
            return new Options(gradientTolerance, eigenAbsTolerance, eigenRelTolerance, topK, maxLanczosSteps,
                    lanczosTolerance, escapeStep, fdScale, v);
        }
    }

    /**
     * Analyses {@code model} at its current parameters on the dataset {@code batches}
     * ({@code {x, y}} pairs) under {@code loss(prediction, target)}; the model's parameters and mode
     * are restored afterwards (its gradients are left cleared).
     */
    public static CriticalPointReport analyse(Module model, Iterable<Tensor[]> batches,
                                              BiFunction<Tensor, Tensor, Tensor> loss, Options options) {
        return analyse(model, batches, (m, x, y) -> loss.apply(m.forward(x), y), options);
    }

    /** As above with a loss that sees the model itself (for losses that are not prediction-vs-target). */
    public static CriticalPointReport analyse(Module model, Iterable<Tensor[]> batches, ModelHessian.BatchLoss loss,
                                              Options options) {
        try (ModelHessian h = new ModelHessian(model, batches, loss, options.fdScale())) {
            return analyse(h, options);
        }
    }

    /** Analyses an already opened {@link ModelHessian} at its theta. */
    public static CriticalPointReport analyse(ModelHessian h, Options options) {
        long start = System.nanoTime();
        double loss = h.loss();
        double gradNorm = Vectors.norm(h.gradient());
        int topK = Math.min(options.topK(), h.dim());
        Spectrum.Extremes ex = Spectrum.lanczos(h, h.dim(), topK, options.maxLanczosSteps(),
                options.lanczosTolerance(), options.seed());
        double lmax = ex.largest(), lmin = ex.smallest();
        double tol = Math.max(options.eigenAbsTolerance(),
                options.eigenRelTolerance() * Math.max(Math.abs(lmax), Math.abs(lmin)));
        CriticalPointReport.Verdict verdict = classify(gradNorm, lmax, lmin, options.gradientTolerance(), tol);
        CriticalPointReport.Escape escape = null;
        if (verdict == CriticalPointReport.Verdict.SADDLE_POINT) {
            double step = options.escapeStep();
            double[] theta = h.theta(), u = ex.smallestVector();
            double plus = h.lossAt(Vectors.plus(theta, step, u)), minus = h.lossAt(Vectors.plus(theta, -step, u));
            escape = plus <= minus ? new CriticalPointReport.Escape(step, 1, plus, 0.5 * lmin * step * step)
                    : new CriticalPointReport.Escape(step, -1, minus, 0.5 * lmin * step * step);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new CriticalPointReport(loss, gradNorm, h.dim(), ex.values(), lmin, ex.smallestVector(), verdict,
                options.gradientTolerance(), tol, escape, ex.steps(), ex.converged(), seconds);
    }

    /** The verdict rule of the class comment. */
    public static CriticalPointReport.Verdict classify(double gradNorm, double lmax, double lmin, double gradTol,
                                                       double eigTol) {
        if (gradNorm > gradTol) return CriticalPointReport.Verdict.NOT_CRITICAL;
        if (lmin < -eigTol && lmax > eigTol) return CriticalPointReport.Verdict.SADDLE_POINT;
        if (lmin > eigTol) return CriticalPointReport.Verdict.LOCAL_MINIMUM;
        if (lmax < -eigTol) return CriticalPointReport.Verdict.LOCAL_MAXIMUM;
        return CriticalPointReport.Verdict.DEGENERATE;
    }
}
