package dev.jgrad.nn.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Spectral estimates of a symmetric operator {@code A (P, P)} seen only through products
 * {@code A v}: extreme eigenpairs by Lanczos with full reorthogonalization, the trace by
 * Hutchinson's estimator with Rademacher probes, and the eigenvalue density by stochastic Lanczos
 * quadrature. Everything is double precision; the cost is counted in products.
 */
public final class Spectrum {
    private Spectrum() {}

    /**
     * Eigenpairs at both ends of the spectrum from one Lanczos run.
     *
     * @param values    the {@code top} largest Ritz values, descending
     * @param vectors   unit Ritz vectors {@code (P)} of {@code values}
     * @param smallest  the smallest Ritz value (the most negative eigenvalue estimate)
     * @param smallestVector its unit Ritz vector {@code (P)}
     * @param steps     Lanczos steps taken (= operator products)
     * @param residuals residual bounds {@code ||A y - theta y||} of {@code values}, then of {@code smallest}
     * @param converged whether every wanted pair met the tolerance (else the step limit was hit)
     */
    public record Extremes(double[] values, double[][] vectors, double smallest, double[] smallestVector,
                           int steps, double[] residuals, boolean converged) {
        public double largest() {
            return values[0];
        }
    }

    /**
     * Runs Lanczos with full reorthogonalization from a random unit start until the {@code top}
     * largest Ritz pairs and the smallest one all have residual bound
     * {@code beta_m |s_m| <= tol * max|theta|}, or {@code maxSteps} products were used, or the
     * Krylov space became invariant (then the Ritz values are exact eigenvalues of A restricted to
     * it). The residual bound limits each eigenvalue's error to about {@code residual^2 / gap} and
     * each vector's angle to about {@code residual / gap}.
     *
     * @param dim      P, the operator's dimension
     * @param top      how many of the largest eigenpairs to return (1..P)
     */
    public static Extremes lanczos(SymmetricOperator op, int dim, int top, int maxSteps, double tol, long seed) {
        if (top < 1 || top > dim) throw new IllegalArgumentException("lanczos: top must be in 1.." + dim + ", got " + top);
        if (maxSteps < 1) throw new IllegalArgumentException("lanczos: maxSteps must be >= 1, got " + maxSteps);
        SplittableRandom rng = new SplittableRandom(seed);
        List<double[]> basis = new ArrayList<>();
        List<Double> alphas = new ArrayList<>(), betas = new ArrayList<>();
        double[] q = Vectors.gaussianUnit(dim, rng);
        int limit = Math.min(maxSteps, dim);
        SymmetricEigen ritz = null;
        boolean converged = false;
        double[] residuals = null;
        while (true) {
            basis.add(q);
            double[] w = op.apply(q);
            double alpha = Vectors.dot(q, w);
            alphas.add(alpha);
            // two passes of Gram-Schmidt against every basis vector ("twice is enough")
            for (int pass = 0; pass < 2; pass++)
                for (double[] b : basis) Vectors.axpy(-Vectors.dot(b, w), b, w);
            double beta = Vectors.norm(w);
            int m = basis.size();
            ritz = SymmetricEigen.of(tridiagonal(alphas, betas));
            double[] theta = ritz.values();
            double scale = Math.max(Math.abs(theta[0]), Math.abs(theta[m - 1]));
            int wanted = Math.min(top, m);
            residuals = new double[wanted + 1];
            boolean ok = m >= top;
            for (int i = 0; i <= wanted; i++) {
                int idx = i < wanted ? i : m - 1;
                residuals[i] = Math.abs(beta * ritz.vector(idx)[m - 1]);
                if (residuals[i] > tol * scale) ok = false;
            }
            boolean invariant = beta <= 1e-12 * Math.max(scale, Double.MIN_NORMAL);
            if (ok && m >= Math.min(3, dim) || invariant) {
                converged = m >= top && (ok || invariant);
                break;
            }
            if (m >= limit) break;
            betas.add(beta);
            q = Vectors.scaled(1 / beta, w);
        }
        int m = basis.size();
        if (m < top) throw new IllegalStateException("lanczos: the Krylov space closed after " + m
                + " steps, fewer than the " + top + " eigenpairs asked for; try another seed");
        double[] theta = ritz.values();
        double[] values = new double[top];
        double[][] vectors = new double[top][];
        for (int i = 0; i < top; i++) {
            values[i] = theta[i];
            vectors[i] = ritzVector(basis, ritz.vector(i));
        }
        return new Extremes(values, vectors, theta[m - 1], ritzVector(basis, ritz.vector(m - 1)), m, residuals,
                converged);
    }

    private static double[][] tridiagonal(List<Double> alphas, List<Double> betas) {
        int m = alphas.size();
        double[][] t = new double[m][m];
        for (int i = 0; i < m; i++) {
            t[i][i] = alphas.get(i);
            if (i + 1 < m) t[i][i + 1] = t[i + 1][i] = betas.get(i);
        }
        return t;
    }

    /** {@code Q s}: the basis combined with the tridiagonal's eigenvector, renormalized. */
    private static double[] ritzVector(List<double[]> basis, double[] s) {
        double[] y = new double[basis.get(0).length];
        for (int j = 0; j < basis.size(); j++) Vectors.axpy(s[j], basis.get(j), y);
        return Vectors.scaled(1 / Vectors.norm(y), y);
    }

    /** A Hutchinson trace estimate: the mean of {@code v^T A v} and its standard error. */
    public record TraceEstimate(double trace, double standardError, int samples) {}

    /**
     * Hutchinson's estimator {@code tr(A) ~ mean_i v_i^T A v_i} with Rademacher {@code v_i}
     * (entries +-1). Its variance per sample is {@code 2 (||A||_F^2 - sum_i A_ii^2)}; the standard
     * error reported is the sample standard deviation over {@code sqrt(samples)}.
     */
    public static TraceEstimate hutchinson(SymmetricOperator op, int dim, int samples, long seed) {
        if (samples < 2) throw new IllegalArgumentException("hutchinson: needs at least 2 samples, got " + samples);
        SplittableRandom rng = new SplittableRandom(seed);
        double sum = 0, sumSq = 0;
        for (int s = 0; s < samples; s++) {
            double[] v = Vectors.rademacher(dim, rng);
            double x = Vectors.dot(v, op.apply(v));
            sum += x;
            sumSq += x * x;
        }
        double mean = sum / samples;
        double var = Math.max(0, (sumSq - samples * mean * mean) / (samples - 1));
        return new TraceEstimate(mean, Math.sqrt(var / samples), samples);
    }

    /**
     * An eigenvalue density from stochastic Lanczos quadrature: Gaussian-quadrature nodes (Ritz
     * values) and weights (squared first components of the tridiagonal's eigenvectors), pooled over
     * probes, each probe weighted 1/probes so the weights sum to 1.
     */
    public record Density(double[] nodes, double[] weights) {
        /** The density at {@code lambda}, smoothed by a Gaussian of width {@code sigma}. */
        public double at(double lambda, double sigma) {
            double s = 0;
            for (int i = 0; i < nodes.length; i++) {
                double z = (lambda - nodes[i]) / sigma;
                s += weights[i] * Math.exp(-0.5 * z * z);
            }
            return s / (sigma * Math.sqrt(2 * Math.PI));
        }
    }

    /** Stochastic Lanczos quadrature with {@code probes} random starts and {@code steps} steps each. */
    public static Density density(SymmetricOperator op, int dim, int probes, int steps, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Double> nodes = new ArrayList<>(), weights = new ArrayList<>();
        for (int p = 0; p < probes; p++) {
            List<double[]> basis = new ArrayList<>();
            List<Double> alphas = new ArrayList<>(), betas = new ArrayList<>();
            double[] q = Vectors.gaussianUnit(dim, rng);
            for (int j = 0; j < Math.min(steps, dim); j++) {
                basis.add(q);
                double[] w = op.apply(q);
                alphas.add(Vectors.dot(q, w));
                for (int pass = 0; pass < 2; pass++)
                    for (double[] b : basis) Vectors.axpy(-Vectors.dot(b, w), b, w);
                double beta = Vectors.norm(w);
                if (beta < 1e-12 || j + 1 == Math.min(steps, dim)) break;
                betas.add(beta);
                q = Vectors.scaled(1 / beta, w);
            }
            SymmetricEigen e = SymmetricEigen.of(tridiagonal(alphas, betas));
            double[] theta = e.values();
            for (int i = 0; i < theta.length; i++) {
                double first = e.vector(i)[0];
                nodes.add(theta[i]);
                weights.add(first * first / probes);
            }
        }
        return new Density(nodes.stream().mapToDouble(Double::doubleValue).toArray(),
                weights.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
