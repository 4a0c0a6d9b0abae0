package dev.jgrad.conformance;

import dev.jgrad.engine.Tensor;

/**
 * How an input reaches the op: as a fresh contiguous tensor, or as a strided view of a larger or
 * differently ordered leaf tensor. The leaf is what requires grad, so a gradient check through a
 * view also checks the view's backward (zeros where a stepped slice skipped elements, sums where
 * an expand repeated them).
 */
enum Layout {
    /** Row-major, offset 0. */
    CONTIGUOUS(""),
    /** The last two dimensions of a row-major leaf swapped: {@code leaf.transpose(-1, -2)}. */
    TRANSPOSED("transposed"),
    /** Every other element of the last dimension, from 1: {@code leaf.slice(-1, 1, 2n+1, 2)}. */
    STEPPED("stepped"),
    /** Row-major but starting one row in: {@code leaf.slice(0, 1, n+1)}. */
    OFFSET("offset"),
    /** Dimension 0 repeated from a size-1 leaf: {@code leaf.expand(shape)} (stride 0). */
    EXPANDED("expanded"),
    /** A rank-3 leaf {@code (c, a, b)} seen as {@code (a, b, c)}: {@code leaf.permute(1, 2, 0)}. */
    PERMUTED("permuted");

    final String tag;

    Layout(String tag) {
        this.tag = tag;
    }

    int[] leafShape(int[] shape) {
        int[] s = shape.clone();
        int last = s.length - 1;
        switch (this) {
            case CONTIGUOUS -> { }
            case TRANSPOSED -> { s[last] = shape[last - 1]; s[last - 1] = shape[last]; }
            case STEPPED -> s[last] = 2 * shape[last] + 1;
            case OFFSET -> s[0] = shape[0] + 2;
            case EXPANDED -> s[0] = 1;
            case PERMUTED -> s = new int[] {shape[2], shape[0], shape[1]};
        }
        return s;
    }

    Tensor view(Tensor leaf, int[] shape) {
        return switch (this) {
            case CONTIGUOUS -> leaf;
            case TRANSPOSED -> leaf.transpose(-1, -2);
            case STEPPED -> leaf.slice(-1, 1, 2 * shape[shape.length - 1] + 1, 2);
            case OFFSET -> leaf.slice(0, 1, shape[0] + 1);
            case EXPANDED -> leaf.expand(shape);
            case PERMUTED -> leaf.permute(1, 2, 0);
        };
    }

    Ref view(Ref leaf, int[] shape) {
        int last = shape.length - 1;
        return switch (this) {
            case CONTIGUOUS -> leaf;
            case TRANSPOSED -> leaf.transposeLast();
            case STEPPED -> leaf.slice(last, 1, 2 * shape[last] + 1, 2);
            case OFFSET -> leaf.slice(0, 1, shape[0] + 1, 1);
            case EXPANDED -> leaf.expand(shape);
            case PERMUTED -> leaf.permute(1, 2, 0);
        };
    }
}
