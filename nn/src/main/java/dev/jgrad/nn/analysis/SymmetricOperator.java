package dev.jgrad.nn.analysis;

/**
 * A symmetric linear map {@code v (P) -> A v (P)} known only through its products, such as a
 * Hessian. Implementations must not modify {@code v}.
 */
@FunctionalInterface
public interface SymmetricOperator {
    /** {@code A v}, a new array of the same length as {@code v}. */
    double[] apply(double[] v);

    /** An explicit symmetric matrix {@code (P, P)} as an operator (for tests and toy problems). */
    static SymmetricOperator of(double[][] matrix) {
        return v -> {
            if (v.length != matrix.length)
                throw new IllegalArgumentException("SymmetricOperator: vector of length " + v.length
                        + " for a " + matrix.length + "x" + matrix.length + " matrix");
            double[] out = new double[v.length];
            for (int i = 0; i < matrix.length; i++) {
                double s = 0;
                for (int j = 0; j < v.length; j++) s += matrix[i][j] * v[j];
                out[i] = s;
            }
            return out;
        };
    }
}
