package dev.jgrad.engine;

/**
 * A buffer seen through an offset and per-dimension strides (in elements). A stride of 0 repeats
 * an element along that dimension, which is how broadcasting reaches a backend.
 *
 * @param buffer  the backing memory
 * @param offset  index of the element at position (0, ..., 0)
 * @param strides one stride per dimension of the iteration shape
 */
public record StridedView(Buffer buffer, int offset, int[] strides) {

    /** A contiguous row-major view of {@code shape} starting at element 0. */
    public static StridedView contiguous(Buffer buffer, int[] shape) {
        return new StridedView(buffer, 0, Shapes.contiguousStrides(shape));
    }
}
