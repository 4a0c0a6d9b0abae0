package dev.jgrad.engine;

import java.lang.foreign.MemorySegment;

/**
 * The one contract between jgrad's tensors and hardware, and jgrad's kernel SPI: every op a
 * {@link Tensor} offers ends in exactly one call of one method here, and a program may call these
 * methods itself on raw {@link Buffer}s (see {@link #wrap(float[])}).
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Buffers passed to compute methods are contiguous row-major and start at element 0, unless
 *       the parameter is a {@link StridedView}. Sizes are element counts (floats, not bytes); a
 *       shape is written like {@code (n, c, h, w)}.</li>
 *   <li>Every size is checked before memory is touched: a negative size, a null or foreign buffer,
 *       or a buffer smaller than its sizes need throws {@link IllegalArgumentException} naming the
 *       op, the sizes and the buffer ({@link AbstractBackend} does this once for every backend).
 *       A buffer may be larger than needed; only its first elements are used.</li>
 *   <li>Outputs never alias inputs, except where a method says so.</li>
 *   <li>Methods may run asynchronously (the CUDA backend queues them on one stream); each sees the
 *       results of the calls before it, and {@link #copyOut} and {@link #read} wait for them.</li>
 *   <li>NaN and infinities behave as in PyTorch (propagated by arithmetic, reductions, softmax,
 *       {@code maximum}/{@code minimum}), except where jgrad documents its own rule: max, argmax
 *       and max-pooling pick the first maximum, and in max-pooling a NaN beats every number, the
 *       first NaN of a window the later ones.</li>
 *   <li>Same inputs, same bits: for a fixed backend and thread count, every result is
 *       bit-identical from call to call (each floating-point reduction has one fixed order).</li>
 * </ul>
 *
 * <h2>Buffers: who owns what</h2>
 * A buffer from {@link #allocate} belongs to its caller until the caller passes it to
 * {@link #free}, once; it must not be used afterwards (the CPU and CUDA backends reject a freed
 * buffer). A buffer from {@link #wrap(float[])} or {@link #wrap(MemorySegment)} is freed the same
 * way, but where it shares the caller's memory (a CPU backend and a {@code float[]}), freeing it
 * only ends the buffer: that memory stays the caller's and never enters a backend's pool. A
 * buffer belongs to the backend that made it and is passed to no other; data moves between
 * backends through the host ({@link #copyOut}, {@link #copyIn}) or {@link Tensor#to}.
 *
 * <h2>Threads</h2>
 * One backend instance serves every thread that uses its device. {@link #allocate},
 * {@link #free}, {@link #wrap(float[])}, the copies and {@link #bytesInUse} must be thread-safe (a
 * data-loading thread copies batches in while the training thread computes); compute calls on
 * different buffers may come from different threads, and a backend that cannot run them at the
 * same time serializes them itself.
 *
 * <h2>Stability (the SPI promise)</h2>
 * jgrad is at 0.x. Until 1.0:
 * <ul>
 *   <li>within a minor version (0.1.0, 0.1.1, ...) this interface, {@link AbstractBackend},
 *       {@link Buffer} and {@link BackendProvider} only grow: a new method always comes with a
 *       default (built from the existing methods, or throwing UnsupportedOperationException that
 *       names the op), so a backend built against an earlier 0.1.x still compiles and runs, and no
 *       signature, argument convention or documented rule of an existing method changes;</li>
 *   <li>a new minor version (0.2) may change or remove methods; every such change is listed in
 *       the release notes with what replaces it;</li>
 *   <li>the enums ({@link UnaryOp}, {@link BinaryOp}, {@link ReduceOp},
 *       {@link OptimizerStep.Kind}) may gain constants within a minor version; a backend that
 *       meets an unknown one throws UnsupportedOperationException naming it.</li>
 * </ul>
 * From 1.0 on, incompatible changes come only with a new major version.
 *
 * <h2>Writing a backend</h2>
 * <ol>
 *   <li>Extend {@link AbstractBackend}: implement {@link #name()}, {@link #bytesInUse()},
 *       {@link AbstractBackend#owns(Buffer)}, the memory methods ({@code doAllocate},
 *       {@code doCopyIn}, {@code doCopyOut}, {@code doFree}) and one protected {@code do}
 *       method per compute method of this interface ({@code doMatmul} for {@link #matmul}, and so
 *       on), each receiving arguments that were already checked. {@code doRead} and the
 *       {@code doWrap} methods have defaults that copy. (A class that implements this interface
 *       directly works too: {@link Device} puts it behind the same checks, except ownership,
 *       which it must then check itself.)</li>
 *   <li>Register a {@link BackendProvider} in
 *       {@code META-INF/services/dev.jgrad.engine.BackendProvider} (and with {@code provides} in
 *       its {@code module-info}).</li>
 *   <li>Run the conformance suite from a test, with the artifact {@code jgrad-conformance}:
 *       {@code dev.jgrad.conformance.Conformance.assertConforms("my-device")}. It checks every
 *       op, forward and gradient, against an independent float64 reference on awkward shapes and
 *       strided views, NaN and infinity inputs against PyTorch's answers, the tie-breaking rules,
 *       sizes at the hardware's launch limits, the dropout masks (the {@link Philox} stream, the
 *       same on every backend) and transfers to and from the other devices.</li>
 * </ol>
 */
public interface Backend {

    /** A short name such as {@code cpu-vectorized}, unique among backends; shown in error messages. */
    String name();

    // ---------------------------------------------------------------- memory

    /** A new buffer of {@code numel} floats ({@code numel >= 0}); its contents are undefined. */
    Buffer allocate(int numel);

    /**
     * A buffer holding {@code data}: the array itself where this backend can address it (the CPU
     * backends: no copy, and writes through the buffer show in the array and the other way round),
     * otherwise a copy in this backend's memory (the CUDA backend), which later writes to the array
     * do not reach. Either way {@link #free} of the buffer never hands the array to a pool.
     *
     * <p>The default copies ({@link #allocate} then {@link #copyIn}).
     *
     * @throws NullPointerException     if {@code data} is null
     * @throws IllegalArgumentException if {@code data} is empty (use {@code allocate(0)})
     */
    default Buffer wrap(float[] data) {
        BoundaryChecks.checkArray(name(), data);
        Buffer b = allocate(data.length);
        copyIn(data, 0, b, 0, data.length);
        return b;
    }

    /**
     * A buffer holding the floats of {@code segment} (native byte order, {@code byteSize / 4} of
     * them), for data that lives off the Java heap. Without a copy where this backend can address
     * the segment's memory; the CPU backends can only for a writable heap segment over a whole
     * {@code float[]} ({@code MemorySegment.ofArray(floats)}), and copy a native segment (or a
     * slice, or a read-only segment) into a new array, so that writes through the buffer do not
     * reach the segment: read results back with {@link #copyOut}. The CUDA backend always copies
     * to the device.
     *
     * <p>The default copies ({@link #allocate} then {@link #copyIn}).
     *
     * @throws NullPointerException     if {@code segment} is null
     * @throws IllegalArgumentException if the segment is empty, its size is not a multiple of 4
     *                                  bytes, or it is not 4-byte aligned
     */
    default Buffer wrap(MemorySegment segment) {
        BoundaryChecks.checkSegment(name(), segment);
        float[] host = BoundaryChecks.floats(segment);
        Buffer b = allocate(host.length);
        copyIn(host, 0, b, 0, host.length);
        return b;
    }

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

    /**
     * Ends {@code buffer}: its memory goes back to this backend (its pool or the system), unless
     * it is memory this backend borrowed ({@link #wrap(float[])} on the CPU). The buffer must not
     * be used afterwards.
     */
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
     * {@code b}. Any size may be 0: with {@code batch}, {@code m} or {@code n} 0 nothing is
     * written, with {@code k = 0} every element of {@code c} is 0 (the empty sum).
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
     * {@code (cOut)}; {@code gBias} may be null. Both are overwritten, not accumulated (with a
     * batch of {@code n = 0}, they are zeros).
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
     * as floats): {@code loss[0] = mean((max_i - logits[i, labels[i]]) + log(sum_i))}, with
     * {@code max_i} the row's max and {@code sum_i} its sum of {@code exp(logits[i] - max_i)}. Writes each
     * row's log-sum-exp {@code max_i + log(sum_i)} to {@code lse (n)}.
     *
     * @throws IllegalArgumentException if a label is not an integer in {@code [0, c)}
     */
    void crossEntropy(Buffer logits, Buffer labels, Buffer loss, Buffer lse, int n, int c);

    /**
     * {@code gx (n, c) = (softmax(logits) - onehot(labels)) * gLoss[0] / n}, with the softmax
     * recomputed as {@code exp(x - max_i) / sum_i}, accurate to float32 rounding even at logits of
     * 1e4 (where {@code exp(x - lse)} would inherit the half-ulp rounding of a float32 {@code lse},
     * 5e-4 relative). jgrad's backends do not read {@code lse}; it stays in the signature for
     * backends that rebuild the softmax from it.
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

    // ---------------------------------------------------------------- pooling in 1 to 3 dims (issue 14)

    /** The largest plane ({@code d * h * w}) of a max-pooling: argmax holds plane indices as floats, exact to 2^24. */
    int MAX_POOL_PLANE = 1 << 24;

    /**
     * Max-pooling {@code (n, c, d, h, w) -> (n, c, outD, outH, outW)} with the options of
     * {@link Pool3dGeometry} (dilation, ceil mode; 1-D and 2-D poolings are size-1 dims).
     * {@code argmax} (same shape as {@code out}) receives the index {@code (iz * h + iy) * w + ix}
     * within its plane of each window's first maximum (a NaN beats every number, the first NaN the
     * later ones). Planes of more than {@link #MAX_POOL_PLANE} floats are rejected.
     */
    default void maxPool3d(Buffer x, Buffer out, Buffer argmax, Pool3dGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement maxPool3d");
    }

    /** {@code gx (n, c, d, h, w)} from {@code gy} and the forward's {@code argmax} (overwritten, not accumulated). */
    default void maxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, Pool3dGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement maxPool3dBackward");
    }

    /**
     * Average-pooling {@code (n, c, d, h, w) -> (n, c, outD, outH, outW)}; each window's sum of the
     * taps inside the input is divided by {@link Pool3dGeometry#divisor}.
     */
    default void avgPool3d(Buffer x, Buffer out, Pool3dGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement avgPool3d");
    }

    /** {@code gx (n, c, d, h, w)} from {@code gy (n, c, outD, outH, outW)}. */
    default void avgPool3dBackward(Buffer gy, Buffer gx, Pool3dGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement avgPool3dBackward");
    }

    /** Adaptive average-pooling {@code (n, c, d, h, w) -> (n, c, outD, outH, outW)}; see {@link AdaptivePoolGeometry}. */
    default void adaptiveAvgPool3d(Buffer x, Buffer out, AdaptivePoolGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement adaptiveAvgPool3d");
    }

    /** {@code gx (n, c, d, h, w)} from {@code gy (n, c, outD, outH, outW)}. */
    default void adaptiveAvgPool3dBackward(Buffer gy, Buffer gx, AdaptivePoolGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement adaptiveAvgPool3dBackward");
    }

    /**
     * Adaptive max-pooling; {@code argmax} as in {@link #maxPool3d} (the first maximum, a NaN beating
     * every number). Planes of more than {@link #MAX_POOL_PLANE} floats are rejected.
     */
    default void adaptiveMaxPool3d(Buffer x, Buffer out, Buffer argmax, AdaptivePoolGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement adaptiveMaxPool3d");
    }

    /** {@code gx (n, c, d, h, w)} from {@code gy} and the forward's {@code argmax} (overwritten). */
    default void adaptiveMaxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, AdaptivePoolGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement adaptiveMaxPool3dBackward");
    }

    // ---------------------------------------------------------------- indexing: gather, scatter-add (issue 14)

    /**
     * Gathers along the middle axis: {@code x} is contiguous {@code (outer, r, inner)}, {@code out}
     * contiguous {@code (outer, rOut, inner)}, and {@code index} a view over {@code (outer, rOut, inner)}
     * (zero strides repeat one index: {@code index_select} passes strides {@code (0, 1, 0)}):
     * {@code out[o, j, i] = x[o, index[o, j, i], i]}. An index is an integer stored as a float; one
     * outside {@code [0, r)} (-1, or NaN) writes {@code fill} instead, which is how constant padding
     * reaches this method. Tensor ops reject such indices from users before calling it.
     *
     * <p>The default throws UnsupportedOperationException naming the op.
     */
    default void gather(Buffer x, StridedView index, Buffer out, int outer, int r, int inner, int rOut, float fill) {
        throw new UnsupportedOperationException("gather is not implemented by the backend " + name());
    }

    /**
     * The adjoint of {@link #gather}: {@code out (outer, r, inner)} contiguous is set to zero, then
     * {@code out[o, index[o, j, i], i] += src[o, j, i]} for {@code j = 0, 1, ..., rOut - 1} in that
     * order (one fixed summation order: the same bits on every call), with {@code src} contiguous
     * {@code (outer, rOut, inner)} and {@code index} a view over that shape. Indices outside
     * {@code [0, r)} contribute nothing.
     *
     * <p>The default throws UnsupportedOperationException naming the op.
     */
    default void scatterAdd(StridedView index, Buffer src, Buffer out, int outer, int r, int inner, int rOut) {
        throw new UnsupportedOperationException("scatterAdd is not implemented by the backend " + name());
    }

    // ---------------------------------------------------------------- convolution in 1 to 3 dims (issue 14)

    /**
     * The gate math of one LSTM step, fused: {@code gates (n, 4h)} are the pre-activations of the
     * input, forget, cell and output gates ({@code x W_ih^T + b_ih + h W_hh^T + b_hh}), {@code c (n, h)}
     * the cell state; {@code out (n, 2h)} receives {@code h' = o tanh(c')} and {@code c' = f c + i g}
     * side by side in each row.
     */
    default void lstmCell(Buffer gates, Buffer c, Buffer out, int n, int h) {
        throw new UnsupportedOperationException(name() + " does not implement lstmCell");
    }

    /** Gradients of {@link #lstmCell}: from {@code gOut (n, 2h)} (of h' and c') to {@code gGates (n, 4h)} and {@code gC (n, h)}. */
    default void lstmCellBackward(Buffer gates, Buffer c, Buffer gOut, Buffer gGates, Buffer gC, int n, int h) {
        throw new UnsupportedOperationException(name() + " does not implement lstmCellBackward");
    }

    /**
     * The gate math of one GRU step (PyTorch's), fused: {@code xg, hg (n, 3h)} are
     * {@code x W_ih^T + b_ih} and {@code h W_hh^T + b_hh} (reset, update, new), {@code hPrev (n, h)};
     * {@code out (n, h) = (1 - z) tanh(xn + r hn) + z hPrev}.
     */
    default void gruCell(Buffer xg, Buffer hg, Buffer hPrev, Buffer out, int n, int h) {
        throw new UnsupportedOperationException(name() + " does not implement gruCell");
    }

    /** Gradients of {@link #gruCell} from {@code gOut (n, h)}: {@code gXg, gHg (n, 3h)} and the direct part {@code gH (n, h)}. */
    default void gruCellBackward(Buffer xg, Buffer hg, Buffer hPrev, Buffer gOut, Buffer gXg, Buffer gHg, Buffer gH, int n, int h) {
        throw new UnsupportedOperationException(name() + " does not implement gruCellBackward");
    }

    /**
     * Grouped, dilated convolution with 1 to 3 spatial dims, stored as 3-D (see
     * {@link ConvNdGeometry}): {@code out (n, cOut, outD, outH, outW)} is
     * {@code bias[co] + sum over ci in co's group, kz, ky, kx of
     * x[n, ci, oz*strideD - padD0 + kz*dilD, oy*strideH - padH0 + ky*dilH, ox*strideW - padW0 + kx*dilW]
     * * weight[co, ci - group start, kz, ky, kx]}, where a tap in the padding reads 0. {@code weight} is
     * {@code (cOut, cIn/groups, kd, kh, kw)}, {@code bias (cOut)} may be null. Each output is one
     * fixed-order float32 sum: the same bits on every call on one backend.
     *
     * <p>The default throws UnsupportedOperationException naming the op.
     */
    default void convNd(Buffer x, Buffer weight, Buffer bias, Buffer out, ConvNdGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement convNd");
    }

    /**
     * Gradient of {@link #convNd} with respect to its input: {@code gx (n, cIn, d, h, w)} is
     * overwritten with the sum, over every output position and kernel tap that read an input
     * element, of {@code gy * weight}. It is also the transposed convolution of {@code gy}.
     */
    default void convNdBackwardInput(Buffer gy, Buffer weight, Buffer gx, ConvNdGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement convNdBackwardInput");
    }

    /**
     * Gradients of {@link #convNd} with respect to {@code weight (cOut, cIn/groups, kd, kh, kw)}
     * and {@code bias (cOut)}; {@code gBias} may be null. Both are overwritten, not accumulated (with
     * a batch of {@code n = 0}, they are zeros).
     */
    default void convNdBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, ConvNdGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement convNdBackwardWeight");
    }
}
