package dev.jgrad.engine.cpu.vectorized;

import java.util.Arrays;

/**
 * An iteration shape with its operands' strides after dropping size-1 dimensions and merging
 * neighbours that every operand walks as one (outer stride = inner stride x inner size; zero
 * strides merge too). What is left is a set of rows of {@link #inner} elements, visited by a
 * {@link Cursor}; a contiguous or a broadcast operand usually collapses to one or two dims.
 */
final class Collapsed {
    private final int[] dims;
    private final int[][] strides;

    private Collapsed(int[] dims, int[][] strides) {
        this.dims = dims;
        this.strides = strides;
    }

    /** Collapses {@code shape}; null when it has no elements. */
    static Collapsed of(int[] shape, int[][] operandStrides) {
        int ops = operandStrides.length, rank = shape.length;
        int[] dims = new int[Math.max(1, rank)];
        int[][] st = new int[ops][Math.max(1, rank)];
        int count = 0;
        for (int d = 0; d < rank; d++) {
            if (shape[d] == 0) return null;
            if (shape[d] == 1) continue;
            boolean merge = count > 0;
            for (int k = 0; k < ops && merge; k++)
                merge = st[k][count - 1] == (long) operandStrides[k][d] * shape[d];
            if (merge) {
                dims[count - 1] *= shape[d];
                for (int k = 0; k < ops; k++) st[k][count - 1] = operandStrides[k][d];
            } else {
                dims[count] = shape[d];
                for (int k = 0; k < ops; k++) st[k][count] = operandStrides[k][d];
                count++;
            }
        }
        if (count == 0) {
            dims[0] = 1;
            count = 1;
        }
        int[][] trimmed = new int[ops][];
        for (int k = 0; k < ops; k++) trimmed[k] = Arrays.copyOf(st[k], count);
        return new Collapsed(Arrays.copyOf(dims, count), trimmed);
    }

    /** Length of the innermost (vectorized) axis. */
    int inner() {
        return dims[dims.length - 1];
    }

    /** Number of rows of {@link #inner} elements. */
    int rows() {
        int r = 1;
        for (int d = 0; d < dims.length - 1; d++) r *= dims[d];
        return r;
    }

    /** Each operand's stride along the innermost axis. */
    int[] innerStrides() {
        int[] s = new int[strides.length];
        for (int k = 0; k < s.length; k++) s[k] = strides[k][dims.length - 1];
        return s;
    }

    /** A cursor at row {@code row}, operand offsets starting from {@code base}. */
    Cursor cursor(int row, int[] base) {
        return new Cursor(row, base);
    }

    /** Walks rows in order, keeping every operand's offset of the row's first element. */
    final class Cursor {
        final int[] offset;
        private final int[] index;

        private Cursor(int row, int[] base) {
            offset = base.clone();
            index = new int[dims.length];
            for (int d = dims.length - 2; d >= 0; d--) {
                index[d] = row % dims[d];
                row /= dims[d];
                for (int k = 0; k < offset.length; k++) offset[k] += index[d] * strides[k][d];
            }
        }

        void next() {
            for (int d = dims.length - 2; d >= 0; d--) {
                index[d]++;
                for (int k = 0; k < offset.length; k++) offset[k] += strides[k][d];
                if (index[d] < dims[d]) return;
                for (int k = 0; k < offset.length; k++) offset[k] -= strides[k][d] * dims[d];
                index[d] = 0;
            }
        }
    }
}
