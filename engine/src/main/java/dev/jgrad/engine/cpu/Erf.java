package dev.jgrad.engine.cpu;

/**
 * The complementary error function in double precision, for GELU: {@code java.lang.Math} has none.
 * Two textbook expansions, each used where it converges fast and without cancellation:
 * <ul>
 *   <li>{@code |x| < 2}: the Maclaurin series
 *       {@code erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))}, summed until a term no
 *       longer changes the sum (at most ~45 terms), and {@code erfc = 1 - erf};</li>
 *   <li>{@code x >= 2}: the continued fraction
 *       {@code erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))},
 *       evaluated bottom-up from a fixed depth (60 levels: converged to double rounding at
 *       {@code x = 2}, more than enough beyond); {@code x <= -2} uses {@code erfc(x) = 2 - erfc(-x)}.</li>
 * </ul>
 * Relative error well below float32 rounding everywhere (checked against an independent quadrature
 * in the conformance suite through GELU), and one fixed sequence of operations per input, so the
 * same input gives the same bits on every call.
 */
public final class Erf {
    private Erf() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126, ONE_OVER_SQRT_PI = 0.5641895835477563;
    private static final int DEPTH = 60;

    /** {@code erfc(x) = 1 - erf(x)}; NaN for NaN, 0 at +infinity, 2 at -infinity. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x >= 2) return tail(x);
        if (x <= -2) return 2 - tail(-x);
        return 1 - series(x);
    }

    /** {@code erf(x)}: the series below 2 in magnitude (no cancellation near 0), {@code +-(1 - erfc(|x|))} beyond; NaN for NaN. */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        if (Math.abs(x) < 2) return series(x);
        return Math.copySign(1 - tail(Math.abs(x)), x);
    }

    private static double series(double x) {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 100; n++) {
            term *= -x2 / n;
            double add = term / (2 * n + 1), next = sum + add;
            if (next == sum) break;
            sum = next;
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    /** The continued fraction for {@code x >= 2} (0 at infinity, where exp(-x^2) underflows first). */
    private static double tail(double x) {
        if (x > 27) return 0;   // exp(-x^2) < 1e-316: below every float and (nearly) every double
        double f = x;
        for (int k = DEPTH; k >= 1; k--) f = x + (k / 2.0) / f;
        return Math.exp(-x * x) * ONE_OVER_SQRT_PI / f;
    }
}
