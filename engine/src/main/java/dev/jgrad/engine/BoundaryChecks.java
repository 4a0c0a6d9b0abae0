package dev.jgrad.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The checks of the {@code wrap} factories, and the messages of {@link AbstractBackend}'s size
 * checks. A message is built only once a check has failed, so the checks themselves stay a few
 * compares per call.
 */
final class BoundaryChecks {
    private BoundaryChecks() {}

    static void checkArray(String backend, float[] data) {
        Objects.requireNonNull(data, () -> "wrap on " + backend + ": the array is null");
        if (data.length == 0)
            throw new IllegalArgumentException("wrap on " + backend + ": the array is empty; allocate(0) makes an empty buffer");
    }

    static void checkSegment(String backend, MemorySegment segment) {
        Objects.requireNonNull(segment, () -> "wrap on " + backend + ": the segment is null");
        long bytes = segment.byteSize();
        if (bytes == 0)
            throw new IllegalArgumentException("wrap on " + backend + ": the segment is empty (0 bytes); allocate(0) makes an empty buffer");
        if (bytes % Float.BYTES != 0)
            throw new IllegalArgumentException("wrap on " + backend + ": the segment has " + bytes
                    + " bytes, not a whole number of floats (a multiple of 4)");
        if (bytes / Float.BYTES > Integer.MAX_VALUE)
            throw new IllegalArgumentException("wrap on " + backend + ": the segment holds " + bytes / Float.BYTES
                    + " floats; a buffer holds at most " + Integer.MAX_VALUE);
        if (segment.maxByteAlignment() < Float.BYTES)
            throw new IllegalArgumentException("wrap on " + backend + ": the segment is not aligned to 4 bytes (its "
                    + (segment.isNative() ? "address is 0x" + Long.toHexString(segment.address())
                    : "offset is " + segment.address() + " bytes into a " + segment.heapBase().map(o -> o.getClass().getSimpleName()).orElse("heap array"))
                    + "); floats must start at a multiple of 4");
    }

    /** The floats of a checked segment, copied into a new array. */
    static float[] floats(MemorySegment segment) {
        return segment.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** The name/value pairs of an op's sizes, for {@link #problem}. */
    static Object[] sizes(Object... nameValuePairs) {
        return nameValuePairs;
    }

    /** What one argument of a failed call needed; {@link #problem} says which of them is wrong. */
    sealed interface Need permits BufferNeed, ViewNeed, HostNeed {}

    /** A buffer of this backend with at least {@code elements} floats (or nothing, when optional and null). */
    record BufferNeed(String name, Buffer buffer, long elements, boolean optional) implements Need {}

    /** A view within a live buffer of this backend for every index of {@code shape}. */
    record ViewNeed(String name, StridedView view, int[] shape) implements Need {}

    /** A host array with at least {@code elements} floats. */
    record HostNeed(String name, float[] array, long elements) implements Need {}

    static Need need(String name, Buffer buffer, long elements) {
        return new BufferNeed(name, buffer, elements, false);
    }

    /** An argument that may be null (a bias); when given it needs {@code elements}. */
    static Need optional(String name, Buffer buffer, long elements) {
        return new BufferNeed(name, buffer, elements, true);
    }

    static Need view(String name, StridedView view, int[] shape) {
        return new ViewNeed(name, view, shape);
    }

    static Need host(String name, float[] array, long elements) {
        return new HostNeed(name, array, elements);
    }

    /**
     * The exception for a call whose check failed: the op and its sizes, then every problem found,
     * for example {@code matmul(batch 1, m 2, n 3, k 4) on cpu-looped: c holds 5 floats, needs 6}.
     */
    static IllegalArgumentException problem(AbstractBackend backend, String op, Object[] sizes, Need... needs) {
        StringBuilder head = new StringBuilder(op).append('(');
        List<String> issues = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i += 2) {
            if (i > 0) head.append(", ");
            head.append(sizes[i]).append(' ').append(sizes[i + 1]);
            if (sizes[i + 1] == null) issues.add(sizes[i] + " is null");
            else if (sizes[i + 1] instanceof Number n && n.longValue() < 0) issues.add(sizes[i] + " is negative");
        }
        head.append(") on ").append(backend.name()).append(": ");
        for (Need need : needs) {
            String issue = switch (need) {
                case BufferNeed b -> bufferIssue(backend, b.name, b.buffer, b.elements, b.optional);
                case ViewNeed v -> viewIssue(backend, v);
                case HostNeed h -> h.array == null ? h.name + " is null"
                        : h.array.length < h.elements ? h.name + " (a float[]) holds " + h.array.length + " floats, needs " + h.elements
                        : null;
            };
            if (issue != null) issues.add(issue);
        }
        if (issues.isEmpty()) issues.add("the arguments do not fit together");
        return new IllegalArgumentException(head + String.join("; ", issues));
    }

    private static String bufferIssue(AbstractBackend backend, String name, Buffer b, long elements, boolean optional) {
        if (b == null) return optional ? null : name + " is null";
        if (!backend.owns(b))
            return name + " (a " + b.getClass().getSimpleName() + ") is not a live buffer of " + backend.name()
                    + ": it was made by another backend, or already freed";
        if (b.capacity() < elements) return name + " holds " + b.capacity() + " floats, needs " + elements;
        return null;
    }

    private static String viewIssue(AbstractBackend backend, ViewNeed n) {
        int[] shape = n.shape;
        if (shape == null) return null; // reported with the sizes
        for (int d : shape) if (d < 0) return "the shape " + Arrays.toString(shape) + " has a negative size";
        StridedView v = n.view;
        if (v == null) return n.name + " is null";
        String bad = bufferIssue(backend, n.name + "'s buffer", v.buffer(), 0, false);
        if (bad != null) return bad;
        if (v.strides() == null || v.strides().length != shape.length)
            return n.name + " has " + (v.strides() == null ? "no" : v.strides().length) + " strides for a shape of rank " + shape.length;
        long[] range = reach(v, shape);
        if (range != null && (range[0] < 0 || range[1] >= v.buffer().capacity()))
            return n.name + " (offset " + v.offset() + ", strides " + Arrays.toString(v.strides()) + ") reaches elements "
                    + range[0] + ".." + range[1] + " of a buffer of " + v.buffer().capacity() + " floats";
        return null;
    }

    /** The lowest and highest element a view of {@code shape} touches, or null when the shape is empty. */
    static long[] reach(StridedView v, int[] shape) {
        long lo = v.offset(), hi = v.offset();
        int[] strides = v.strides();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) return null;
            long span = (long) (shape[d] - 1) * strides[d];
            if (span < 0) lo += span;
            else hi += span;
        }
        return new long[] {lo, hi};
    }
}
