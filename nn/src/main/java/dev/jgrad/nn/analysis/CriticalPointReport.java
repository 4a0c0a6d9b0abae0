package dev.jgrad.nn.analysis;

import java.util.Arrays;
import java.util.Locale;

/**
 * What {@link CriticalPoints#analyse} found at one parameter vector: the loss, the gradient norm,
 * the extreme Hessian eigenvalues and a {@link Verdict}, with the tolerances that produced it and,
 * at a saddle, the escape direction and what a small step along it does to the loss.
 *
 * @param loss            dataset loss at the analysed parameters
 * @param gradientNorm    L2 norm of the dataset gradient
 * @param parameterCount  P
 * @param topEigenvalues  the largest Hessian eigenvalues, descending
 * @param minEigenvalue   the most negative (smallest) Hessian eigenvalue
 * @param minEigenvector  its unit eigenvector {@code (P)}: the escape direction at a saddle
 * @param verdict         the classification
 * @param gradientTolerance gradient norms above it mean "not a critical point"
 * @param eigenTolerance  eigenvalues within it of 0 count as zero ("degenerate")
 * @param escape          at a saddle, the step along the escape direction; otherwise null
 * @param lanczosSteps    Hessian-vector products used by Lanczos
 * @param lanczosConverged whether Lanczos met its residual tolerance
 * @param seconds         wall time of the analysis
 */
public record CriticalPointReport(double loss, double gradientNorm, int parameterCount, double[] topEigenvalues,
                                  double minEigenvalue, double[] minEigenvector, Verdict verdict,
                                  double gradientTolerance, double eigenTolerance, Escape escape, int lanczosSteps,
                                  boolean lanczosConverged, double seconds) {

    /** The classification of a point of the loss surface. */
    public enum Verdict {
        LOCAL_MINIMUM("local minimum"),
        LOCAL_MAXIMUM("local maximum"),
        SADDLE_POINT("saddle point"),
        NOT_CRITICAL("not a critical point"),
        DEGENERATE("degenerate");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * A step of length {@code stepLength} along {@code sign * minEigenvector}; of the two signs the
     * one with the lower loss is kept. {@code predictedChange} is the quadratic model
     * {@code 0.5 * lambda_min * stepLength^2} (the gradient term is below tolerance).
     */
    public record Escape(double stepLength, int sign, double lossAfter, double predictedChange) {}

    /** The largest eigenvalue. */
    public double maxEigenvalue() {
        return topEigenvalues[0];
    }

    /** The report as a few lines of text, tolerances included. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "parameters          %d%n", parameterCount));
        sb.append(String.format(Locale.ROOT, "loss                %.6g%n", loss));
        sb.append(String.format(Locale.ROOT, "gradient norm       %.4g   (tolerance %.3g)%n", gradientNorm, gradientTolerance));
        sb.append("top eigenvalues     ");
        for (double v : topEigenvalues) sb.append(String.format(Locale.ROOT, "%.6g  ", v));
        sb.append(String.format(Locale.ROOT, "%nmin eigenvalue      %.6g   (|lambda| <= %.3g counts as zero)%n",
                minEigenvalue, eigenTolerance));
        sb.append(String.format(Locale.ROOT, "lanczos             %d Hessian-vector products%s%n", lanczosSteps,
                lanczosConverged ? "" : " (step limit hit before convergence)"));
        sb.append("verdict             ").append(verdict).append('\n');
        if (escape != null) {
            sb.append(String.format(Locale.ROOT,
                    "escape direction    eigenvector of %.6g; step %.3g along %s it: loss %.6g -> %.6g "
                            + "(change %.4g, quadratic model %.4g)%n",
                    minEigenvalue, escape.stepLength(), escape.sign() > 0 ? "+" : "-", loss, escape.lossAfter(),
                    escape.lossAfter() - loss, escape.predictedChange()));
            if (minEigenvector.length <= 8)
                sb.append("  direction         ").append(Arrays.toString(round(minEigenvector))).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "time                %.2f s%n", seconds));
        return sb.toString();
    }

    private static String[] round(double[] v) {
        String[] out = new String[v.length];
        for (int i = 0; i < v.length; i++) out[i] = String.format(Locale.ROOT, "%.4f", v[i]);
        return out;
    }

    @Override
    public String toString() {
        return toText();
    }
}
