package dev.jgrad.engine;

/**
 * The one contract between jgrad's tensors and hardware. Every op a {@link Tensor} offers ends in
 * exactly one call of one method here; a backend implements all of them.
 *
 * <p>Conventions, so that every implementation can stay a plain loop nest:
 * <ul>
 *   <li>Buffers passed to compute methods are contiguous row-major and start at element 0, unless
 *       the parameter is a {@link StridedView}. The caller ({@code Tensor}) validates shapes and
 *       allocates outputs; a backend may trust the sizes it is given.</li>
 *   <li>Outputs never alias inputs, except where a method says so.</li>
 *   <li>Sizes are element counts; a shape is written like {@code (n, c, h, w)}.</li>
 *   <li>Methods may run asynchronously; {@link #copyOut} waits for the work before it.</li>
 * </ul>
 */
public interface Backend {

    /** A short name such as {@code cpu-vectorized}; shown in error messages. */
    String name();

    // ---------------------------------------------------------------- memory

    /** A new buffer of {@code numel} floats; its contents are undefined. */
    Buffer allocate(int numel);

    /** Copies {@code n} host floats into {@code dst[dstOffset ...]}. */
    void copyIn(float[] src, int srcOffset, Buffer dst, int dstOffset, int n);

    /** Copies {@code n} floats from {@code src[srcOffset ...]} to the host. */
    void copyOut(Buffer src, int srcOffset, float[] dst, int dstOffset, int n);

    /** The one float at {@code src[offset]}, on the host (a CPU backend reads it in place). */
    default float read(Buffer src, int offset) {
        float[] one = new float[1];
        copyOut(src, offset, one, 0, 1);
        return one[0];
    }

    /** Returns the buffer's memory; the buffer must not be used afterwards. */
    void free(Buffer buffer);

    /**
     * Bytes of the buffers this backend handed out and that were not freed yet: what a training
     * loop must keep constant from step to step.
     */
    long bytesInUse();

    // ---------------------------------------------------------------- layout

    /** Sets the first {@code n} elements of {@code out} to {@code value}. */
    void fill(Buffer out, int n, float value);

    /**
     * Copies every element of {@code shape} from one strided view to another:
     * {@code dst[idx] = src[idx]}. The two views must not overlap.
     */
    void copyStrided(StridedView src, StridedView dst, int[] shape);

    // ---------------------------------------------------------------- elementwise

    /** {@code out[i] = op(x[i]; a, b)} for {@code i < n}; see {@link UnaryOp} for a and b. */
    void unary(UnaryOp op, Buffer x, Buffer out, int n, float a, float b);

    /**
     * {@code gx[i] = gy[i] * op'(x[i])} for {@code i < n}. {@code y} is the forward output
     * {@code op(x)}, which some derivatives (exp, sqrt, sigmoid, tanh) use instead of {@code x}.
     */
    void unaryBackward(UnaryOp op, Buffer x, Buffer y, Buffer gy, Buffer gx, int n, float a, float b);

    /**
     * {@code out[idx] = op(a[idx], b[idx])} over every index of {@code shape}; {@code out} is
     * contiguous of that shape, and broadcasting is expressed by zero strides in {@code a} and
     * {@code b}. {@code out} may be the same buffer as {@code a} when {@code a} is contiguous
     * with offset 0 (in-place accumulation).
     */
    void binary(BinaryOp op, StridedView a, StridedView b, Buffer out, int[] shape);

    /** {@code out[idx] = cond[idx] != 0 ? a[idx] : b[idx]} over every index of {@code shape}. */
    void where(StridedView cond, StridedView a, StridedView b, Buffer out, int[] shape);

    // ---------------------------------------------------------------- reductions

    /**
     * Reduces the middle axis of {@code x} seen as {@code (outer, r, inner)} into {@code out} of
     * shape {@code (outer, inner)}.
     */
    void reduce(ReduceOp op, Buffer x, Buffer out, int outer, int r, int inner);

    /**
     * Variance over the middle axis of {@code (outer, r, inner)}:
     * {@code sum((x - mean)^2) / (r - correction)} into {@code out (outer, inner)}.
     */
    void variance(Buffer x, Buffer out, int outer, int r, int inner, int correction);

    /**
     * The inverse of a gather along the middle axis: {@code gx (outer, r, inner)} is zero except
     * {@code gx[o, index[o, i], i] = g[o, i]}. Used by the backward of max and argmax-like ops.
     */
    void scatterMiddle(Buffer index, Buffer g, Buffer gx, int outer, int r, int inner);

    // ---------------------------------------------------------------- linear algebra

    /**
     * Batched matrix product {@code c[b] = op(a[b]) @ op(b[b])} with {@code c} contiguous
     * {@code (batch, m, n)}. {@code op(a)} is {@code (m, k)}: {@code a} is stored {@code (m, k)},
     * or {@code (k, m)} when {@code transA}. {@code op(b)} is {@code (k, n)}: stored {@code (k, n)},
     * or {@code (n, k)} when {@code transB}. Consecutive batch entries of {@code a} are
     * {@code aBatchStride} elements apart (0 broadcasts one matrix to every batch entry); likewise
     * {@code b}.
     */
    void matmul(Buffer a, Buffer b, Buffer c, int batch, int m, int n, int k,
                boolean transA, boolean transB, int aBatchStride, int bBatchStride);

    /**
     * Convolution {@code out (n, cOut, outH, outW) = conv(x (n, cIn, h, w), w (cOut, cIn, kh, kw))
     * + bias (cOut)}; {@code bias} may be null.
     */
    void conv2d(Buffer x, Buffer weight, Buffer bias, Buffer out, ConvGeometry g);

    /** Gradient of conv2d with respect to its input: {@code gx (n, cIn, h, w)} from {@code gy}. */
    void conv2dBackwardInput(Buffer gy, Buffer weight, Buffer gx, ConvGeometry g);

    /**
     * Gradients of conv2d with respect to weight {@code (cOut, cIn, kh, kw)} and bias
     * {@code (cOut)}; {@code gBias} may be null. Both are overwritten, not accumulated.
     */
    void conv2dBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, ConvGeometry g);

    // ---------------------------------------------------------------- pooling

    /**
     * Max-pooling {@code (n, c, h, w) -> (n, c, outH, outW)}; {@code argmax} (same shape as
     * {@code out}) receives the flat index {@code iy * w + ix} of each window's first maximum.
     */
    void maxPool2d(Buffer x, Buffer out, Buffer argmax, PoolGeometry g);

    /** {@code gx (n, c, h, w)} from {@code gy} and the forward's {@code argmax}. */
    void maxPool2dBackward(Buffer gy, Buffer argmax, Buffer gx, PoolGeometry g);

    /** Average-pooling; every window is divided by {@code kh * kw}. */
    void avgPool2d(Buffer x, Buffer out, PoolGeometry g);

    /** {@code gx (n, c, h, w)} from {@code gy (n, c, outH, outW)}. */
    void avgPool2dBackward(Buffer gy, Buffer gx, PoolGeometry g);

    // ---------------------------------------------------------------- softmax family

    /**
     * Softmax (or log-softmax when {@code log}) over the middle axis of {@code (outer, r, inner)},
     * max-subtracted so that large logits stay finite.
     */
    void softmax(Buffer x, Buffer y, int outer, int r, int inner, boolean log);

    /**
     * Backward of {@link #softmax} from its output {@code y}: softmax
     * {@code gx = y * (gy - sum(gy * y))}, log-softmax {@code gx = gy - exp(y) * sum(gy)}.
     */
    void softmaxBackward(Buffer y, Buffer gy, Buffer gx, int outer, int r, int inner, boolean log);

    /**
     * Mean cross-entropy of {@code logits (n, c)} against integer class {@code labels (n)} (stored
     * as floats): {@code loss[0] = mean(logsumexp(logits[i]) - logits[i, labels[i]])}. Writes each
     * row's log-sum-exp to {@code lse (n)} for the backward.
     *
     * @throws IllegalArgumentException if a label is not an integer in {@code [0, c)}
     */
    void crossEntropy(Buffer logits, Buffer labels, Buffer loss, Buffer lse, int n, int c);

    /**
     * {@code gx (n, c) = (softmax(logits) - onehot(labels)) * gLoss[0] / n}, with the softmax
     * rebuilt from the forward's {@code lse}.
     */
    void crossEntropyBackward(Buffer logits, Buffer labels, Buffer lse, Buffer gLoss, Buffer gx,
                              int n, int c);

    // ---------------------------------------------------------------- normalization, dropout

    /**
     * Batch norm over {@code x (n, c, hw)}, per channel. Training: normalizes with the batch mean
     * and biased variance, writes them as {@code saveMean} and {@code saveInvStd = 1/sqrt(var+eps)}
     * (each {@code (c)}), and updates {@code runMean = (1-momentum) runMean + momentum mean},
     * {@code runVar} likewise with the unbiased variance. Evaluation: normalizes with the running
     * statistics, which it copies into {@code saveMean}/{@code saveInvStd}, and updates nothing.
     * {@code y = gamma * (x - mean) * invStd + beta}.
     */
    void batchNorm(Buffer x, Buffer gamma, Buffer beta, Buffer runMean, Buffer runVar,
                   Buffer y, Buffer saveMean, Buffer saveInvStd,
                   int n, int c, int hw, float eps, float momentum, boolean training);

    /**
     * Gradients of {@link #batchNorm} into {@code gx (n, c, hw)}, {@code gGamma (c)} and
     * {@code gBeta (c)} (overwritten). In training mode the mean and variance depend on
     * {@code x}; in evaluation they are constants.
     */
    void batchNormBackward(Buffer x, Buffer gy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                           Buffer gx, Buffer gGamma, Buffer gBeta,
                           int n, int c, int hw, boolean training);

    /**
     * Inverted dropout: {@code mask[i]} is {@code 1/(1-p)} with probability {@code 1-p} and 0
     * otherwise, drawn from the counter-based {@link Philox} stream {@code (seed, i)} so that a
     * seed reproduces the same mask on every backend; {@code y = x * mask}.
     */
    void dropout(Buffer x, Buffer y, Buffer mask, int n, float p, long seed);

    // ---------------------------------------------------------------- optimizers

    /**
     * One fused optimizer step over every parameter tensor (see {@link OptimizerStep} for the
     * formulas): {@code params[i]}, {@code state1[i]}, {@code state2[i]} are updated in place from
     * {@code grads[i]}, each holding {@code sizes[i]} floats. {@code state1}/{@code state2} are
     * null when the kind keeps fewer state tensors.
     */
    void optimizerStep(OptimizerStep step, Buffer[] params, Buffer[] grads, Buffer[] state1, Buffer[] state2,
                       int[] sizes);
}
