package dev.jgrad.engine.dist;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.Shapes;
import dev.jgrad.engine.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs tensors into one host bucket after another, runs an in-place operation on each bucket and
 * unpacks the result into the tensors' memory: what a collective library that works on host
 * memory (MPI here) needs. A tensor larger than a bucket spans several; small ones share one, so
 * a model's many small gradients cost a few large messages instead of many small ones.
 */
final class HostBuckets {
    private HostBuckets() {}

    /** An in-place operation on the first {@code floats} floats of a bucket. */
    interface BucketOp {
        void run(MemorySegment bucket, int floats);
    }

    private record Piece(Tensor tensor, int tensorOffset, int bucketOffset, int n) {}

    /**
     * Runs {@code op} over {@code tensors} in buckets of {@code bucket.byteSize() / 4} floats,
     * multiplying each element by {@code scale} as it is packed (1 leaves the bits alone).
     */
    static void run(List<Tensor> tensors, MemorySegment bucket, float scale, BucketOp op) {
        int capacity = (int) Math.min(Integer.MAX_VALUE, bucket.byteSize() / 4);
        float[] scratch = new float[Math.min(capacity, 1 << 16)];
        List<Piece> pieces = new ArrayList<>();
        int filled = 0;
        for (Tensor t : tensors) {
            int n = t.numel(), done = 0;
            while (done < n) {
                int take = Math.min(n - done, capacity - filled);
                pieces.add(new Piece(t, done, filled, take));
                pack(t, done, bucket, filled, take, scale, scratch);
                filled += take;
                done += take;
                if (filled == capacity) {
                    op.run(bucket, filled);
                    unpack(pieces, bucket, scratch);
                    pieces.clear();
                    filled = 0;
                }
            }
        }
        if (filled > 0) {
            op.run(bucket, filled);
            unpack(pieces, bucket, scratch);
        }
    }

    private static void pack(Tensor t, int from, MemorySegment bucket, int at, int n, float scale, float[] scratch) {
        Backend be = t.device().backend();
        Buffer src = t.toBuffer();
        for (int done = 0; done < n; ) {
            int k = Math.min(scratch.length, n - done);
            be.copyOut(src, from + done, scratch, 0, k);
            if (scale != 1f) for (int i = 0; i < k; i++) scratch[i] *= scale;
            MemorySegment.copy(scratch, 0, bucket, ValueLayout.JAVA_FLOAT, (long) (at + done) * 4, k);
            done += k;
        }
    }

    private static void unpack(List<Piece> pieces, MemorySegment bucket, float[] scratch) {
        for (Piece p : pieces) {
            Backend be = p.tensor.device().backend();
            Buffer dst = p.tensor.toBuffer();
            for (int done = 0; done < p.n; ) {
                int k = Math.min(scratch.length, p.n - done);
                MemorySegment.copy(bucket, ValueLayout.JAVA_FLOAT, (long) (p.bucketOffset + done) * 4, scratch, 0, k);
                be.copyIn(scratch, 0, dst, p.tensorOffset + done, k);
                done += k;
            }
        }
    }

    /** Rejects tensors whose memory is not theirs alone in row-major order (their result would have nowhere to go). */
    static void checkDense(List<Tensor> tensors, String op) {
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t == null) throw new IllegalArgumentException(op + ": tensor " + i + " is null");
            if (!t.isContiguous() || t.offset() != 0)
                throw new IllegalArgumentException(op + ": tensor " + i + " of shape " + Shapes.str(t.shape())
                        + " is a view (offset " + t.offset() + ", contiguous " + t.isContiguous()
                        + "); collectives write in place, so pass dense tensors such as parameters and gradients");
        }
    }

    static void checkRoot(int root, int size, String op) {
        if (root < 0 || root >= size) throw new IllegalArgumentException(op + ": root " + root + " is not a rank of 0.." + (size - 1));
    }
}
