package dev.jgrad.engine;

import java.util.Arrays;

/** Small static helpers for shapes and strides, shared by the tensor front and the backends. */
public final class Shapes {
    private Shapes() {}

    /**
     * The most elements one tensor (one buffer) may hold: the largest Java array the JVM promises
     * to allocate. A size past it can never fit, on any device, and is rejected before any
     * allocation is tried.
     */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** Number of elements of {@code shape}; throws if it is more than {@link #MAX_ELEMENTS}. */
    public static int numel(int[] shape) {
        return numel("tensor", shape);
    }

    /**
     * Number of elements of {@code shape}, for {@code op}: throws an IllegalArgumentException
     * naming the op, the shape and the limit when a size is negative or the count is more than
     * {@link #MAX_ELEMENTS}.
     */
    public static int numel(String op, int[] shape) {
        long n = 1;
        boolean empty = false;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(op + ": negative dimension in shape " + str(shape));
            if (d == 0) empty = true;
        }
        if (empty) return 0;
        for (int d : shape) {
            n *= d;
            if (n > MAX_ELEMENTS) throw tooLarge(op, "shape " + str(shape), count(shape));
        }
        return (int) n;
    }

    /** The exact element count of {@code shape}, as a decimal string (it may exceed a long). */
    private static String count(int[] shape) {
        java.math.BigInteger n = java.math.BigInteger.ONE;
        for (int d : shape) n = n.multiply(java.math.BigInteger.valueOf(d));
        return n.toString();
    }

    /** The exception for {@code what} of {@code elements} elements, more than {@link #MAX_ELEMENTS}. */
    public static IllegalArgumentException tooLarge(String op, String what, Object elements) {
        return new IllegalArgumentException(op + ": " + what + " has " + elements + " elements, more than the "
                + MAX_ELEMENTS + " a tensor or buffer can hold (the largest Java array)");
    }

    /** Row-major strides of {@code shape}. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** {@code (2, 3, 4)}, the way every error message prints a shape. */
    public static String str(int[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ", ").append(shape[i]);
        return sb.append(')').toString();
    }

    /**
     * The NumPy broadcast of two shapes: aligned from the right, each pair of sizes equal or one
     * of them 1.
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast (dimension " + i + ": " + da + " vs " + db + ")");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Normalizes a possibly negative dimension index, naming the op when it is out of range. */
    public static int dim(String op, int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank)
            throw new IllegalArgumentException(op + ": dimension " + dim + " is out of range for a tensor of rank " + rank);
        return d;
    }

    public static int[] copy(int[] shape) {
        return Arrays.copyOf(shape, shape.length);
    }
}
