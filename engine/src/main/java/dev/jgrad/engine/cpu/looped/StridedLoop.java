package dev.jgrad.engine.cpu.looped;

/**
 * Walks every index of a shape in row-major order and keeps the matching element offset of up
 * to three strided operands: an odometer, the plainest way to iterate a strided view.
 */
final class StridedLoop {
    private final int[] shape;
    private final int[][] strides;
    private final int[] index;
    /** Current element offset of each operand. */
    final int[] offset;

    StridedLoop(int[] shape, int[] offsets, int[]... strides) {
        this.shape = shape;
        this.strides = strides;
        this.index = new int[shape.length];
        this.offset = offsets.clone();
    }

    /** Advances to the next index; the caller stops after {@code numel} steps. */
    void next() {
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d]++;
            for (int k = 0; k < offset.length; k++) offset[k] += strides[k][d];
            if (index[d] < shape[d]) return;
            for (int k = 0; k < offset.length; k++) offset[k] -= strides[k][d] * shape[d];
            index[d] = 0;
        }
    }
}
