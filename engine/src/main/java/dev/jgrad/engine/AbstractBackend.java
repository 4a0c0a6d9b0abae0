package dev.jgrad.engine;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

import static dev.jgrad.engine.BoundaryChecks.host;
import static dev.jgrad.engine.BoundaryChecks.need;
import static dev.jgrad.engine.BoundaryChecks.optional;
import static dev.jgrad.engine.BoundaryChecks.problem;
import static dev.jgrad.engine.BoundaryChecks.sizes;
import static dev.jgrad.engine.BoundaryChecks.view;

/**
 * The base every backend extends: each {@link Backend} method is final here and checks its
 * arguments at the boundary (sizes not negative, buffers not null, made by this backend and still
 * live, and each at least as large as the sizes need, views within their buffers), and only then
 * calls the protected {@code do} method of the same name, which a backend implements and which
 * may trust its arguments. A failed check throws {@link IllegalArgumentException} naming the op,
 * its sizes and the buffer, before any memory is touched, on every backend alike: an undersized
 * output cannot become an {@code ArrayIndexOutOfBoundsException} on the CPU or a write past the
 * end of a block on the GPU.
 *
 * <p>The checks cost a few integer compares per call (a loop over the rank for strided views);
 * messages are built only when one fails. What each {@code do} method computes is documented on
 * the {@link Backend} method it serves; the stability promise there covers these methods too.
 */
public abstract class AbstractBackend implements Backend {

    protected AbstractBackend() {}

    /**
     * Whether {@code buffer} (never null) is a live buffer of this backend: one it made with
     * {@code allocate} or {@code wrap} and that was not freed. Called for every buffer argument.
     */
    protected abstract boolean owns(Buffer buffer);

    /**
     * The exception of a failed check, built by {@code problem} only then: the checked methods keep
     * just their compares and this call, so that their bytecode stays small for the JIT's inlining.
     */
    private static IllegalArgumentException fail(Supplier<IllegalArgumentException> problem) {
        return problem.get();
    }

    /** True when the buffer cannot serve {@code elements} floats of this backend. */
    private boolean lacks(Buffer b, long elements) {
        return b == null || !owns(b) || b.capacity() < elements;
    }

    /** True when the view does not lie within a live buffer of this backend for every index of {@code shape}. */
    private boolean lacksView(StridedView v, int[] shape) {
        if (v == null || lacks(v.buffer(), 0)) return true;
        int[] strides = v.strides();
        if (strides == null || strides.length != shape.length) return true;
        long lo = v.offset(), hi = lo;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) return false;
            long span = (long) (shape[d] - 1) * strides[d];
            if (span < 0) lo += span;
            else hi += span;
        }
        return lo < 0 || hi >= v.buffer().capacity();
    }

    /** The element count of {@code shape}, or -1 if it is null or has a negative size. */
    private static long elements(int[] shape) {
        if (shape == null) return -1;
        long n = 1;
        for (int d : shape) {
            if (d < 0) return -1;
            n *= d;
        }
        return n;
    }

    private static String shapeText(int[] shape) {
        return shape == null ? null : Shapes.str(shape);
    }

    /**
     * Checks that {@code b} is a live buffer of this backend with room for {@code elements} floats,
     * for a backend's own public methods beyond this contract (the CUDA backend's benchmark entry
     * points use it).
     */
    protected final void requireElements(String op, String name, Buffer b, long elements) {
        if (elements < 0 || lacks(b, elements)) throw fail(() -> problem(this, op, sizes("elements", elements), need(name, b, elements)));
    }

    // ---------------------------------------------------------------- memory

    @Override
    public final Buffer allocate(int numel) {
        if (numel < 0) throw fail(() -> problem(this, "allocate", sizes("numel", numel)));
        return doAllocate(numel);
    }

    @Override
    public final Buffer wrap(float[] data) {
        BoundaryChecks.checkArray(name(), data);
        return doWrap(data);
    }

    @Override
    public final Buffer wrap(MemorySegment segment) {
        BoundaryChecks.checkSegment(name(), segment);
        return doWrap(segment);
    }

    @Override
    public final void copyIn(float[] src, int srcOffset, Buffer dst, int dstOffset, int n) {
        if (src == null || (srcOffset | dstOffset | n) < 0 || (long) srcOffset + n > src.length || lacks(dst, (long) dstOffset + n))
            throw fail(() -> problem(this, "copyIn", sizes("srcOffset", srcOffset, "dstOffset", dstOffset, "n", n),
                    host("src", src, (long) srcOffset + n), need("dst", dst, (long) dstOffset + n)));
        doCopyIn(src, srcOffset, dst, dstOffset, n);
    }

    @Override
    public final void copyOut(Buffer src, int srcOffset, float[] dst, int dstOffset, int n) {
        if (dst == null || (srcOffset | dstOffset | n) < 0 || (long) dstOffset + n > dst.length || lacks(src, (long) srcOffset + n))
            throw fail(() -> problem(this, "copyOut", sizes("srcOffset", srcOffset, "dstOffset", dstOffset, "n", n),
                    need("src", src, (long) srcOffset + n), host("dst", dst, (long) dstOffset + n)));
        doCopyOut(src, srcOffset, dst, dstOffset, n);
    }

    @Override
    public final float read(Buffer src, int offset) {
        if (offset < 0 || lacks(src, (long) offset + 1))
            throw fail(() -> problem(this, "read", sizes("offset", offset), need("src", src, (long) offset + 1)));
        return doRead(src, offset);
    }

    @Override
    public final void free(Buffer buffer) {
        if (lacks(buffer, 0)) throw fail(() -> problem(this, "free", sizes(), need("buffer", buffer, 0)));
        doFree(buffer);
    }

    /** {@link #allocate}: {@code numel >= 0}. */
    protected abstract Buffer doAllocate(int numel);

    /** {@link #wrap(float[])} of a non-empty array; the default copies it into a new buffer. */
    protected Buffer doWrap(float[] data) {
        Buffer b = doAllocate(data.length);
        doCopyIn(data, 0, b, 0, data.length);
        return b;
    }

    /** {@link #wrap(MemorySegment)} of a checked segment; the default copies it into a new buffer. */
    protected Buffer doWrap(MemorySegment segment) {
        return doWrap(BoundaryChecks.floats(segment));
    }

    /** {@link #copyIn}: both ranges lie within their memory. */
    protected abstract void doCopyIn(float[] src, int srcOffset, Buffer dst, int dstOffset, int n);

    /** {@link #copyOut}: both ranges lie within their memory. */
    protected abstract void doCopyOut(Buffer src, int srcOffset, float[] dst, int dstOffset, int n);

    /** {@link #read}: {@code offset} is within the buffer; the default copies one float out. */
    protected float doRead(Buffer src, int offset) {
        float[] one = new float[1];
        doCopyOut(src, offset, one, 0, 1);
        return one[0];
    }

    /** {@link #free}: the buffer is a live buffer of this backend. */
    protected abstract void doFree(Buffer buffer);

    // ---------------------------------------------------------------- layout, elementwise

    @Override
    public final void fill(Buffer out, int n, float value) {
        if (n < 0 || lacks(out, n)) throw fail(() -> problem(this, "fill", sizes("n", n), need("out", out, n)));
        doFill(out, n, value);
    }

    @Override
    public final void copyStrided(StridedView src, StridedView dst, int[] shape) {
        if (elements(shape) < 0 || lacksView(src, shape) || lacksView(dst, shape))
            throw fail(() -> problem(this, "copyStrided", sizes("shape", shapeText(shape)), view("src", src, shape), view("dst", dst, shape)));
        doCopyStrided(src, dst, shape);
    }

    @Override
    public final void unary(UnaryOp op, Buffer x, Buffer out, int n, float a, float b) {
        if (n < 0 || lacks(x, n) || lacks(out, n))
            throw fail(() -> problem(this, "unary " + op, sizes("n", n), need("x", x, n), need("out", out, n)));
        doUnary(op, x, out, n, a, b);
    }

    @Override
    public final void unaryBackward(UnaryOp op, Buffer x, Buffer y, Buffer gy, Buffer gx, int n, float a, float b) {
        if (n < 0 || lacks(x, n) || lacks(y, n) || lacks(gy, n) || lacks(gx, n))
            throw fail(() -> problem(this, "unaryBackward " + op, sizes("n", n), need("x", x, n), need("y", y, n), need("gy", gy, n),
                    need("gx", gx, n)));
        doUnaryBackward(op, x, y, gy, gx, n, a, b);
    }

    @Override
    public final void binary(BinaryOp op, StridedView a, StridedView b, Buffer out, int[] shape) {
        long n = elements(shape);
        if (n < 0 || lacksView(a, shape) || lacksView(b, shape) || lacks(out, n))
            throw fail(() -> problem(this, "binary " + op, sizes("shape", shapeText(shape)), view("a", a, shape), view("b", b, shape),
                    need("out", out, n)));
        doBinary(op, a, b, out, shape);
    }

    @Override
    public final void where(StridedView cond, StridedView a, StridedView b, Buffer out, int[] shape) {
        long n = elements(shape);
        if (n < 0 || lacksView(cond, shape) || lacksView(a, shape) || lacksView(b, shape) || lacks(out, n))
            throw fail(() -> problem(this, "where", sizes("shape", shapeText(shape)), view("cond", cond, shape), view("a", a, shape),
                    view("b", b, shape), need("out", out, n)));
        doWhere(cond, a, b, out, shape);
    }

    @Override
    public final void dropout(Buffer x, Buffer y, Buffer mask, int n, float p, long seed) {
        if (n < 0 || lacks(x, n) || lacks(y, n) || lacks(mask, n))
            throw fail(() -> problem(this, "dropout", sizes("n", n), need("x", x, n), need("y", y, n), need("mask", mask, n)));
        doDropout(x, y, mask, n, p, seed);
    }

    /** {@link #fill}, with arguments that passed its checks. */
    protected abstract void doFill(Buffer out, int n, float value);

    /** {@link #copyStrided}, with arguments that passed its checks. */
    protected abstract void doCopyStrided(StridedView src, StridedView dst, int[] shape);

    /** {@link #unary}, with arguments that passed its checks. */
    protected abstract void doUnary(UnaryOp op, Buffer x, Buffer out, int n, float a, float b);

    /** {@link #unaryBackward}, with arguments that passed its checks. */
    protected abstract void doUnaryBackward(UnaryOp op, Buffer x, Buffer y, Buffer gy, Buffer gx, int n, float a, float b);

    /** {@link #binary}, with arguments that passed its checks. */
    protected abstract void doBinary(BinaryOp op, StridedView a, StridedView b, Buffer out, int[] shape);

    /** {@link #where}, with arguments that passed its checks. */
    protected abstract void doWhere(StridedView cond, StridedView a, StridedView b, Buffer out, int[] shape);

    /** {@link #dropout}, with arguments that passed its checks. */
    protected abstract void doDropout(Buffer x, Buffer y, Buffer mask, int n, float p, long seed);

    // ---------------------------------------------------------------- reductions

    @Override
    public final void reduce(ReduceOp op, Buffer x, Buffer out, int outer, int r, int inner) {
        long in = (long) outer * r * inner, res = (long) outer * inner;
        if ((outer | r | inner) < 0 || lacks(x, in) || lacks(out, res))
            throw fail(() -> problem(this, "reduce " + op, sizes("outer", outer, "r", r, "inner", inner), need("x", x, in), need("out", out, res)));
        doReduce(op, x, out, outer, r, inner);
    }

    @Override
    public final void variance(Buffer x, Buffer out, int outer, int r, int inner, int correction) {
        long in = (long) outer * r * inner, res = (long) outer * inner;
        if ((outer | r | inner) < 0 || lacks(x, in) || lacks(out, res))
            throw fail(() -> problem(this, "variance", sizes("outer", outer, "r", r, "inner", inner), need("x", x, in), need("out", out, res)));
        doVariance(x, out, outer, r, inner, correction);
    }

    @Override
    public final void scatterMiddle(Buffer index, Buffer g, Buffer gx, int outer, int r, int inner) {
        long full = (long) outer * r * inner, res = (long) outer * inner;
        if ((outer | r | inner) < 0 || lacks(index, res) || lacks(g, res) || lacks(gx, full))
            throw fail(() -> problem(this, "scatterMiddle", sizes("outer", outer, "r", r, "inner", inner), need("index", index, res),
                    need("g", g, res), need("gx", gx, full)));
        doScatterMiddle(index, g, gx, outer, r, inner);
    }

    /** {@link #reduce}, with arguments that passed its checks. */
    protected abstract void doReduce(ReduceOp op, Buffer x, Buffer out, int outer, int r, int inner);

    /** {@link #variance}, with arguments that passed its checks. */
    protected abstract void doVariance(Buffer x, Buffer out, int outer, int r, int inner, int correction);

    /** {@link #scatterMiddle}, with arguments that passed its checks. */
    protected abstract void doScatterMiddle(Buffer index, Buffer g, Buffer gx, int outer, int r, int inner);

    // ---------------------------------------------------------------- linear algebra

    @Override
    public final void matmul(Buffer a, Buffer b, Buffer c, int batch, int m, int n, int k,
                             boolean transA, boolean transB, int aBatchStride, int bBatchStride) {
        checkMatmul("matmul", a, b, c, batch, m, n, k, aBatchStride, bBatchStride);
        // no kernel sees empty work: no output at all, or k = 0, whose every output is the empty sum
        long cells = (long) batch * m * n;
        if (cells == 0) return;
        if (k == 0) {
            doFill(c, (int) cells, 0f);
            return;
        }
        doMatmul(a, b, c, batch, m, n, k, transA, transB, aBatchStride, bBatchStride);
    }

    /**
     * The checks of {@link #matmul}, with 64-bit batch strides, for a backend's own matmul entry
     * points: {@code a} holds {@code (batch - 1) * aBatchStride + m * k} floats, {@code b} likewise
     * with {@code k * n}, {@code c} holds {@code batch * m * n}.
     */
    protected final void checkMatmul(String op, Buffer a, Buffer b, Buffer c, int batch, int m, int n, int k,
                                     long aBatchStride, long bBatchStride) {
        long needA = batched(batch, aBatchStride, (long) m * k), needB = batched(batch, bBatchStride, (long) k * n);
        long needC = (long) batch * m * n;
        if ((batch | m | n | k) < 0 || aBatchStride < 0 || bBatchStride < 0 || lacks(a, needA) || lacks(b, needB) || lacks(c, needC))
            throw fail(() -> problem(this, op, sizes("batch", batch, "m", m, "n", n, "k", k, "aBatchStride", aBatchStride,
                    "bBatchStride", bBatchStride), need("a", a, needA), need("b", b, needB), need("c", c, needC)));
    }

    /** Floats a batch of matrices of {@code each} floats, {@code stride} apart, spans. */
    private static long batched(int batch, long stride, long each) {
        return batch == 0 || each == 0 ? 0 : (batch - 1) * stride + each;
    }

    @Override
    public final void conv2d(Buffer x, Buffer weight, Buffer bias, Buffer out, ConvGeometry g) {
        if (g == null || lacks(x, input(g)) || lacks(weight, weights(g)) || bias != null && lacks(bias, g.cOut())
                || lacks(out, output(g)))
            throw fail(() -> problem(this, "conv2d", sizes("geometry", g), need("x", x, input(g)), need("weight", weight, weights(g)),
                    optional("bias", bias, g == null ? 0 : g.cOut()), need("out", out, output(g))));
        if (g.n() > 0) doConv2d(x, weight, bias, out, g);
    }

    @Override
    public final void conv2dBackwardInput(Buffer gy, Buffer weight, Buffer gx, ConvGeometry g) {
        if (g == null || lacks(gy, output(g)) || lacks(weight, weights(g)) || lacks(gx, input(g)))
            throw fail(() -> problem(this, "conv2dBackwardInput", sizes("geometry", g), need("gy", gy, output(g)),
                    need("weight", weight, weights(g)), need("gx", gx, input(g))));
        if (g.n() > 0) doConv2dBackwardInput(gy, weight, gx, g);
    }

    @Override
    public final void conv2dBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, ConvGeometry g) {
        if (g == null || lacks(x, input(g)) || lacks(gy, output(g)) || lacks(gWeight, weights(g))
                || gBias != null && lacks(gBias, g.cOut()))
            throw fail(() -> problem(this, "conv2dBackwardWeight", sizes("geometry", g), need("x", x, input(g)), need("gy", gy, output(g)),
                    need("gWeight", gWeight, weights(g)), optional("gBias", gBias, g == null ? 0 : g.cOut())));
        if (g.n() == 0) {   // no image: the gradients are the empty sums
            doFill(gWeight, (int) weights(g), 0f);
            if (gBias != null) doFill(gBias, g.cOut(), 0f);
            return;
        }
        doConv2dBackwardWeight(x, gy, gWeight, gBias, g);
    }

    private static long input(ConvGeometry g) {
        return g == null ? 0 : (long) g.n() * g.cIn() * g.h() * g.w();
    }

    private static long weights(ConvGeometry g) {
        return g == null ? 0 : (long) g.cOut() * g.cIn() * g.kh() * g.kw();
    }

    private static long output(ConvGeometry g) {
        return g == null ? 0 : (long) g.n() * g.cOut() * g.outH() * g.outW();
    }

    /** {@link #matmul}, with arguments that passed its checks. */
    protected abstract void doMatmul(Buffer a, Buffer b, Buffer c, int batch, int m, int n, int k,
                                     boolean transA, boolean transB, int aBatchStride, int bBatchStride);

    /** {@link #conv2d}, with arguments that passed its checks. */
    protected abstract void doConv2d(Buffer x, Buffer weight, Buffer bias, Buffer out, ConvGeometry g);

    /** {@link #conv2dBackwardInput}, with arguments that passed its checks. */
    protected abstract void doConv2dBackwardInput(Buffer gy, Buffer weight, Buffer gx, ConvGeometry g);

    /** {@link #conv2dBackwardWeight}, with arguments that passed its checks. */
    protected abstract void doConv2dBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, ConvGeometry g);

    // ---------------------------------------------------------------- pooling

    @Override
    public final void maxPool2d(Buffer x, Buffer out, Buffer argmax, PoolGeometry g) {
        if (g == null || lacks(x, input(g)) || lacks(out, output(g)) || lacks(argmax, output(g)))
            throw fail(() -> problem(this, "maxPool2d", sizes("geometry", g), need("x", x, input(g)), need("out", out, output(g)),
                    need("argmax", argmax, output(g))));
        if (g.n() > 0) doMaxPool2d(x, out, argmax, g);
    }

    @Override
    public final void maxPool2dBackward(Buffer gy, Buffer argmax, Buffer gx, PoolGeometry g) {
        if (g == null || lacks(gy, output(g)) || lacks(argmax, output(g)) || lacks(gx, input(g)))
            throw fail(() -> problem(this, "maxPool2dBackward", sizes("geometry", g), need("gy", gy, output(g)),
                    need("argmax", argmax, output(g)), need("gx", gx, input(g))));
        if (g.n() > 0) doMaxPool2dBackward(gy, argmax, gx, g);
    }

    @Override
    public final void avgPool2d(Buffer x, Buffer out, PoolGeometry g) {
        if (g == null || lacks(x, input(g)) || lacks(out, output(g)))
            throw fail(() -> problem(this, "avgPool2d", sizes("geometry", g), need("x", x, input(g)), need("out", out, output(g))));
        if (g.n() > 0) doAvgPool2d(x, out, g);
    }

    @Override
    public final void avgPool2dBackward(Buffer gy, Buffer gx, PoolGeometry g) {
        if (g == null || lacks(gy, output(g)) || lacks(gx, input(g)))
            throw fail(() -> problem(this, "avgPool2dBackward", sizes("geometry", g), need("gy", gy, output(g)), need("gx", gx, input(g))));
        if (g.n() > 0) doAvgPool2dBackward(gy, gx, g);
    }

    private static long input(PoolGeometry g) {
        return g == null ? 0 : (long) g.n() * g.c() * g.h() * g.w();
    }

    private static long output(PoolGeometry g) {
        return g == null ? 0 : (long) g.n() * g.c() * g.outH() * g.outW();
    }

    /** {@link #maxPool2d}, with arguments that passed its checks. */
    protected abstract void doMaxPool2d(Buffer x, Buffer out, Buffer argmax, PoolGeometry g);

    /** {@link #maxPool2dBackward}, with arguments that passed its checks. */
    protected abstract void doMaxPool2dBackward(Buffer gy, Buffer argmax, Buffer gx, PoolGeometry g);

    /** {@link #avgPool2d}, with arguments that passed its checks. */
    protected abstract void doAvgPool2d(Buffer x, Buffer out, PoolGeometry g);

    /** {@link #avgPool2dBackward}, with arguments that passed its checks. */
    protected abstract void doAvgPool2dBackward(Buffer gy, Buffer gx, PoolGeometry g);

    // ---------------------------------------------------------------- softmax family

    @Override
    public final void softmax(Buffer x, Buffer y, int outer, int r, int inner, boolean log) {
        long n = (long) outer * r * inner;
        if ((outer | r | inner) < 0 || lacks(x, n) || lacks(y, n))
            throw fail(() -> problem(this, log ? "logSoftmax" : "softmax", sizes("outer", outer, "r", r, "inner", inner),
                    need("x", x, n), need("y", y, n)));
        doSoftmax(x, y, outer, r, inner, log);
    }

    @Override
    public final void softmaxBackward(Buffer y, Buffer gy, Buffer gx, int outer, int r, int inner, boolean log) {
        long n = (long) outer * r * inner;
        if ((outer | r | inner) < 0 || lacks(y, n) || lacks(gy, n) || lacks(gx, n))
            throw fail(() -> problem(this, log ? "logSoftmaxBackward" : "softmaxBackward", sizes("outer", outer, "r", r, "inner", inner),
                    need("y", y, n), need("gy", gy, n), need("gx", gx, n)));
        doSoftmaxBackward(y, gy, gx, outer, r, inner, log);
    }

    @Override
    public final void crossEntropy(Buffer logits, Buffer labels, Buffer loss, Buffer lse, int n, int c) {
        long nc = (long) n * c;
        if ((n | c) < 0 || lacks(logits, nc) || lacks(labels, n) || lacks(loss, 1) || lacks(lse, n))
            throw fail(() -> problem(this, "crossEntropy", sizes("n", n, "c", c), need("logits", logits, nc), need("labels", labels, n),
                    need("loss", loss, 1), need("lse", lse, n)));
        doCrossEntropy(logits, labels, loss, lse, n, c);
    }

    @Override
    public final void crossEntropyBackward(Buffer logits, Buffer labels, Buffer lse, Buffer gLoss, Buffer gx, int n, int c) {
        long nc = (long) n * c;
        if ((n | c) < 0 || lacks(logits, nc) || lacks(labels, n) || lacks(lse, n) || lacks(gLoss, 1) || lacks(gx, nc))
            throw fail(() -> problem(this, "crossEntropyBackward", sizes("n", n, "c", c), need("logits", logits, nc),
                    need("labels", labels, n), need("lse", lse, n), need("gLoss", gLoss, 1), need("gx", gx, nc)));
        doCrossEntropyBackward(logits, labels, lse, gLoss, gx, n, c);
    }

    /** {@link #softmax}, with arguments that passed its checks. */
    protected abstract void doSoftmax(Buffer x, Buffer y, int outer, int r, int inner, boolean log);

    /** {@link #softmaxBackward}, with arguments that passed its checks. */
    protected abstract void doSoftmaxBackward(Buffer y, Buffer gy, Buffer gx, int outer, int r, int inner, boolean log);

    /** {@link #crossEntropy}, with arguments that passed its checks. */
    protected abstract void doCrossEntropy(Buffer logits, Buffer labels, Buffer loss, Buffer lse, int n, int c);

    /** {@link #crossEntropyBackward}, with arguments that passed its checks. */
    protected abstract void doCrossEntropyBackward(Buffer logits, Buffer labels, Buffer lse, Buffer gLoss, Buffer gx,
                                                   int n, int c);

    // ---------------------------------------------------------------- normalization

    @Override
    public final void batchNorm(Buffer x, Buffer gamma, Buffer beta, Buffer runMean, Buffer runVar,
                                Buffer y, Buffer saveMean, Buffer saveInvStd,
                                int n, int c, int hw, float eps, float momentum, boolean training) {
        long all = (long) n * c * hw;
        if ((n | c | hw) < 0 || lacks(x, all) || lacks(gamma, c) || lacks(beta, c) || lacks(runMean, c) || lacks(runVar, c)
                || lacks(y, all) || lacks(saveMean, c) || lacks(saveInvStd, c))
            throw fail(() -> problem(this, "batchNorm", sizes("n", n, "c", c, "hw", hw), need("x", x, all), need("gamma", gamma, c),
                    need("beta", beta, c), need("runMean", runMean, c), need("runVar", runVar, c), need("y", y, all),
                    need("saveMean", saveMean, c), need("saveInvStd", saveInvStd, c)));
        doBatchNorm(x, gamma, beta, runMean, runVar, y, saveMean, saveInvStd, n, c, hw, eps, momentum, training);
    }

    @Override
    public final void batchNormBackward(Buffer x, Buffer gy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                                        Buffer gx, Buffer gGamma, Buffer gBeta, int n, int c, int hw, boolean training) {
        long all = (long) n * c * hw;
        if ((n | c | hw) < 0 || lacks(x, all) || lacks(gy, all) || lacks(gamma, c) || lacks(saveMean, c)
                || lacks(saveInvStd, c) || lacks(gx, all) || lacks(gGamma, c) || lacks(gBeta, c))
            throw fail(() -> problem(this, "batchNormBackward", sizes("n", n, "c", c, "hw", hw), need("x", x, all), need("gy", gy, all),
                    need("gamma", gamma, c), need("saveMean", saveMean, c), need("saveInvStd", saveInvStd, c),
                    need("gx", gx, all), need("gGamma", gGamma, c), need("gBeta", gBeta, c)));
        doBatchNormBackward(x, gy, gamma, saveMean, saveInvStd, gx, gGamma, gBeta, n, c, hw, training);
    }

    /** {@link #batchNorm}, with arguments that passed its checks. */
    protected abstract void doBatchNorm(Buffer x, Buffer gamma, Buffer beta, Buffer runMean, Buffer runVar,
                                        Buffer y, Buffer saveMean, Buffer saveInvStd,
                                        int n, int c, int hw, float eps, float momentum, boolean training);

    /** {@link #batchNormBackward}, with arguments that passed its checks. */
    protected abstract void doBatchNormBackward(Buffer x, Buffer gy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                                                Buffer gx, Buffer gGamma, Buffer gBeta, int n, int c, int hw,
                                                boolean training);

    // ---------------------------------------------------------------- optimizers

    @Override
    public final void optimizerStep(OptimizerStep step, Buffer[] params, Buffer[] grads, Buffer[] state1, Buffer[] state2,
                                    int[] sizes) {
        int states = step == null ? 0 : step.stateCount();
        if (step == null || sizes == null || params == null || grads == null || params.length != sizes.length
                || grads.length != sizes.length || states >= 1 && (state1 == null || state1.length != sizes.length)
                || states >= 2 && (state2 == null || state2.length != sizes.length))
            throw fail(() -> new IllegalArgumentException("optimizerStep on " + name() + ": need a step, one size per tensor "
                    + "and as many params, grads" + (states >= 1 ? ", state1" : "") + (states >= 2 ? ", state2" : "")
                    + " buffers; got " + (step == null ? "no step" : step.kind() + " (" + states + " state tensors)") + ", "
                    + count(sizes) + " sizes, " + count(params) + " params, " + count(grads) + " grads, " + count(state1)
                    + " state1, " + count(state2) + " state2"));
        for (int i = 0; i < sizes.length; i++) {
            int n = sizes[i], t = i;
            if (n < 0 || lacks(params[i], n) || lacks(grads[i], n) || states >= 1 && lacks(state1[i], n)
                    || states >= 2 && lacks(state2[i], n))
                throw fail(() -> problem(this, "optimizerStep " + step.kind(), sizes("tensor", t, "size", n),
                        need("params[" + t + "]", params[t], n), need("grads[" + t + "]", grads[t], n),
                        states >= 1 ? need("state1[" + t + "]", state1[t], n) : optional("state1", null, 0),
                        states >= 2 ? need("state2[" + t + "]", state2[t], n) : optional("state2", null, 0)));
        }
        doOptimizerStep(step, params, grads, state1, state2, sizes);
    }

    private static String count(Object array) {
        if (array == null) return "null";
        return String.valueOf(array instanceof int[] ints ? ints.length : ((Object[]) array).length);
    }

    /** {@link #optimizerStep}: every buffer holds its size; {@code state1}/{@code state2} are given where the kind keeps them. */
    protected abstract void doOptimizerStep(OptimizerStep step, Buffer[] params, Buffer[] grads, Buffer[] state1,
                                            Buffer[] state2, int[] sizes);

    // ---------------------------------------------------------------- pooling in 1 to 3 dims (issue 14)

    @Override
    public final void maxPool3d(Buffer x, Buffer out, Buffer argmax, Pool3dGeometry g) {
        if (g == null || g.planeIn() > MAX_POOL_PLANE || lacks(x, poolIn(g)) || lacks(out, poolOut(g)) || lacks(argmax, poolOut(g)))
            throw fail(() -> problem(this, "maxPool3d", sizes("geometry", g, "largest plane", MAX_POOL_PLANE), need("x", x, poolIn(g)),
                    need("out", out, poolOut(g)), need("argmax", argmax, poolOut(g))));
        if (g.n() > 0) doMaxPool3d(x, out, argmax, g);
    }

    @Override
    public final void maxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, Pool3dGeometry g) {
        if (g == null || g.planeIn() > MAX_POOL_PLANE || lacks(gy, poolOut(g)) || lacks(argmax, poolOut(g)) || lacks(gx, poolIn(g)))
            throw fail(() -> problem(this, "maxPool3dBackward", sizes("geometry", g, "largest plane", MAX_POOL_PLANE),
                    need("gy", gy, poolOut(g)), need("argmax", argmax, poolOut(g)), need("gx", gx, poolIn(g))));
        if (g.n() > 0) doMaxPool3dBackward(gy, argmax, gx, g);
    }

    @Override
    public final void avgPool3d(Buffer x, Buffer out, Pool3dGeometry g) {
        if (g == null || lacks(x, poolIn(g)) || lacks(out, poolOut(g)))
            throw fail(() -> problem(this, "avgPool3d", sizes("geometry", g), need("x", x, poolIn(g)), need("out", out, poolOut(g))));
        if (g.n() > 0) doAvgPool3d(x, out, g);
    }

    @Override
    public final void avgPool3dBackward(Buffer gy, Buffer gx, Pool3dGeometry g) {
        if (g == null || lacks(gy, poolOut(g)) || lacks(gx, poolIn(g)))
            throw fail(() -> problem(this, "avgPool3dBackward", sizes("geometry", g), need("gy", gy, poolOut(g)), need("gx", gx, poolIn(g))));
        if (g.n() > 0) doAvgPool3dBackward(gy, gx, g);
    }

    @Override
    public final void adaptiveAvgPool3d(Buffer x, Buffer out, AdaptivePoolGeometry g) {
        if (g == null || lacks(x, poolIn(g)) || lacks(out, poolOut(g)))
            throw fail(() -> problem(this, "adaptiveAvgPool3d", sizes("geometry", g), need("x", x, poolIn(g)), need("out", out, poolOut(g))));
        if (g.n() > 0) doAdaptiveAvgPool3d(x, out, g);
    }

    @Override
    public final void adaptiveAvgPool3dBackward(Buffer gy, Buffer gx, AdaptivePoolGeometry g) {
        if (g == null || lacks(gy, poolOut(g)) || lacks(gx, poolIn(g)))
            throw fail(() -> problem(this, "adaptiveAvgPool3dBackward", sizes("geometry", g), need("gy", gy, poolOut(g)),
                    need("gx", gx, poolIn(g))));
        if (g.n() > 0) doAdaptiveAvgPool3dBackward(gy, gx, g);
    }

    @Override
    public final void adaptiveMaxPool3d(Buffer x, Buffer out, Buffer argmax, AdaptivePoolGeometry g) {
        if (g == null || g.planeIn() > MAX_POOL_PLANE || lacks(x, poolIn(g)) || lacks(out, poolOut(g)) || lacks(argmax, poolOut(g)))
            throw fail(() -> problem(this, "adaptiveMaxPool3d", sizes("geometry", g, "largest plane", MAX_POOL_PLANE),
                    need("x", x, poolIn(g)), need("out", out, poolOut(g)), need("argmax", argmax, poolOut(g))));
        if (g.n() > 0) doAdaptiveMaxPool3d(x, out, argmax, g);
    }

    @Override
    public final void adaptiveMaxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, AdaptivePoolGeometry g) {
        if (g == null || g.planeIn() > MAX_POOL_PLANE || lacks(gy, poolOut(g)) || lacks(argmax, poolOut(g)) || lacks(gx, poolIn(g)))
            throw fail(() -> problem(this, "adaptiveMaxPool3dBackward", sizes("geometry", g, "largest plane", MAX_POOL_PLANE),
                    need("gy", gy, poolOut(g)), need("argmax", argmax, poolOut(g)), need("gx", gx, poolIn(g))));
        if (g.n() > 0) doAdaptiveMaxPool3dBackward(gy, argmax, gx, g);
    }

    private static long poolIn(Pool3dGeometry g) {
        return g == null ? 0 : (long) g.n() * g.c() * g.d() * g.h() * g.w();
    }

    private static long poolOut(Pool3dGeometry g) {
        return g == null ? 0 : (long) g.n() * g.c() * g.outD() * g.outH() * g.outW();
    }

    private static long poolIn(AdaptivePoolGeometry g) {
        return g == null ? 0 : (long) g.n() * g.c() * g.d() * g.h() * g.w();
    }

    private static long poolOut(AdaptivePoolGeometry g) {
        return g == null ? 0 : (long) g.n() * g.c() * g.outD() * g.outH() * g.outW();
    }

    /** {@link #maxPool3d}, with arguments that passed its checks; the default throws UnsupportedOperationException. */
    protected void doMaxPool3d(Buffer x, Buffer out, Buffer argmax, Pool3dGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement maxPool3d");
    }

    /** {@link #maxPool3dBackward}, with arguments that passed its checks. */
    protected void doMaxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, Pool3dGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement maxPool3dBackward");
    }

    /** {@link #avgPool3d}, with arguments that passed its checks. */
    protected void doAvgPool3d(Buffer x, Buffer out, Pool3dGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement avgPool3d");
    }

    /** {@link #avgPool3dBackward}, with arguments that passed its checks. */
    protected void doAvgPool3dBackward(Buffer gy, Buffer gx, Pool3dGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement avgPool3dBackward");
    }

    /** {@link #adaptiveAvgPool3d}, with arguments that passed its checks. */
    protected void doAdaptiveAvgPool3d(Buffer x, Buffer out, AdaptivePoolGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement adaptiveAvgPool3d");
    }

    /** {@link #adaptiveAvgPool3dBackward}, with arguments that passed its checks. */
    protected void doAdaptiveAvgPool3dBackward(Buffer gy, Buffer gx, AdaptivePoolGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement adaptiveAvgPool3dBackward");
    }

    /** {@link #adaptiveMaxPool3d}, with arguments that passed its checks. */
    protected void doAdaptiveMaxPool3d(Buffer x, Buffer out, Buffer argmax, AdaptivePoolGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement adaptiveMaxPool3d");
    }

    /** {@link #adaptiveMaxPool3dBackward}, with arguments that passed its checks. */
    protected void doAdaptiveMaxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, AdaptivePoolGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement adaptiveMaxPool3dBackward");
    }

    // ---------------------------------------------------------------- indexing: gather, scatter-add (issue 14)

    @Override
    public final void gather(Buffer x, StridedView index, Buffer out, int outer, int r, int inner, int rOut, float fill) {
        int[] shape = {Math.max(outer, 0), Math.max(rOut, 0), Math.max(inner, 0)};
        long in = (long) outer * r * inner, res = (long) outer * rOut * inner;
        if ((outer | r | inner | rOut) < 0 || lacks(x, in) || lacksView(index, shape) || lacks(out, res))
            throw fail(() -> problem(this, "gather", sizes("outer", outer, "r", r, "inner", inner, "rOut", rOut), need("x", x, in),
                    view("index", index, shape), need("out", out, res)));
        if (res == 0) return;
        doGather(x, index, out, outer, r, inner, rOut, fill);
    }

    @Override
    public final void scatterAdd(StridedView index, Buffer src, Buffer out, int outer, int r, int inner, int rOut) {
        int[] shape = {Math.max(outer, 0), Math.max(rOut, 0), Math.max(inner, 0)};
        long full = (long) outer * r * inner, res = (long) outer * rOut * inner;
        if ((outer | r | inner | rOut) < 0 || lacksView(index, shape) || lacks(src, res) || lacks(out, full))
            throw fail(() -> problem(this, "scatterAdd", sizes("outer", outer, "r", r, "inner", inner, "rOut", rOut),
                    view("index", index, shape), need("src", src, res), need("out", out, full)));
        if (full == 0) return;
        if (res == 0) {
            doFill(out, (int) full, 0f);
            return;
        }
        doScatterAdd(index, src, out, outer, r, inner, rOut);
    }

    /** {@link #gather} with checked arguments and a non-empty output; the default throws UnsupportedOperationException. */
    protected void doGather(Buffer x, StridedView index, Buffer out, int outer, int r, int inner, int rOut, float fill) {
        throw new UnsupportedOperationException("gather is not implemented by the backend " + name());
    }

    /** {@link #scatterAdd} with checked arguments, a non-empty output and a non-empty source; the default throws UnsupportedOperationException. */
    protected void doScatterAdd(StridedView index, Buffer src, Buffer out, int outer, int r, int inner, int rOut) {
        throw new UnsupportedOperationException("scatterAdd is not implemented by the backend " + name());
    }

    // ---------------------------------------------------------------- fused recurrent cells (issue 16)

    @Override
    public final void lstmCell(Buffer gates, Buffer c, Buffer out, int n, int h) {
        long nh = (long) n * h;
        if ((n | h) < 0 || lacks(gates, 4 * nh) || lacks(c, nh) || lacks(out, 2 * nh))
            throw fail(() -> problem(this, "lstmCell", sizes("n", n, "h", h), need("gates", gates, 4 * nh), need("c", c, nh),
                    need("out", out, 2 * nh)));
        if (nh > 0) doLstmCell(gates, c, out, n, h);
    }

    @Override
    public final void lstmCellBackward(Buffer gates, Buffer c, Buffer gOut, Buffer gGates, Buffer gC, int n, int h) {
        long nh = (long) n * h;
        if ((n | h) < 0 || lacks(gates, 4 * nh) || lacks(c, nh) || lacks(gOut, 2 * nh) || lacks(gGates, 4 * nh) || lacks(gC, nh))
            throw fail(() -> problem(this, "lstmCellBackward", sizes("n", n, "h", h), need("gates", gates, 4 * nh), need("c", c, nh),
                    need("gOut", gOut, 2 * nh), need("gGates", gGates, 4 * nh), need("gC", gC, nh)));
        if (nh > 0) doLstmCellBackward(gates, c, gOut, gGates, gC, n, h);
    }

    @Override
    public final void gruCell(Buffer xg, Buffer hg, Buffer hPrev, Buffer out, int n, int h) {
        long nh = (long) n * h;
        if ((n | h) < 0 || lacks(xg, 3 * nh) || lacks(hg, 3 * nh) || lacks(hPrev, nh) || lacks(out, nh))
            throw fail(() -> problem(this, "gruCell", sizes("n", n, "h", h), need("xg", xg, 3 * nh), need("hg", hg, 3 * nh),
                    need("hPrev", hPrev, nh), need("out", out, nh)));
        if (nh > 0) doGruCell(xg, hg, hPrev, out, n, h);
    }

    @Override
    public final void gruCellBackward(Buffer xg, Buffer hg, Buffer hPrev, Buffer gOut, Buffer gXg, Buffer gHg, Buffer gH, int n, int h) {
        long nh = (long) n * h;
        if ((n | h) < 0 || lacks(xg, 3 * nh) || lacks(hg, 3 * nh) || lacks(hPrev, nh) || lacks(gOut, nh) || lacks(gXg, 3 * nh)
                || lacks(gHg, 3 * nh) || lacks(gH, nh))
            throw fail(() -> problem(this, "gruCellBackward", sizes("n", n, "h", h), need("xg", xg, 3 * nh), need("hg", hg, 3 * nh),
                    need("hPrev", hPrev, nh), need("gOut", gOut, nh), need("gXg", gXg, 3 * nh), need("gHg", gHg, 3 * nh), need("gH", gH, nh)));
        if (nh > 0) doGruCellBackward(xg, hg, hPrev, gOut, gXg, gHg, gH, n, h);
    }

    /** {@link #lstmCell}, with arguments that passed its checks ({@code n h > 0}). */
    protected void doLstmCell(Buffer gates, Buffer c, Buffer out, int n, int h) {
        throw new UnsupportedOperationException(name() + " does not implement lstmCell");
    }

    /** {@link #lstmCellBackward}, with arguments that passed its checks. */
    protected void doLstmCellBackward(Buffer gates, Buffer c, Buffer gOut, Buffer gGates, Buffer gC, int n, int h) {
        throw new UnsupportedOperationException(name() + " does not implement lstmCellBackward");
    }

    /** {@link #gruCell}, with arguments that passed its checks. */
    protected void doGruCell(Buffer xg, Buffer hg, Buffer hPrev, Buffer out, int n, int h) {
        throw new UnsupportedOperationException(name() + " does not implement gruCell");
    }

    /** {@link #gruCellBackward}, with arguments that passed its checks. */
    protected void doGruCellBackward(Buffer xg, Buffer hg, Buffer hPrev, Buffer gOut, Buffer gXg, Buffer gHg, Buffer gH, int n, int h) {
        throw new UnsupportedOperationException(name() + " does not implement gruCellBackward");
    }

    // ---------------------------------------------------------------- convolution in 1 to 3 dims (issue 14)

    @Override
    public final void convNd(Buffer x, Buffer weight, Buffer bias, Buffer out, ConvNdGeometry g) {
        if (g == null || lacks(x, g.inputElements()) || lacks(weight, g.weightElements())
                || bias != null && lacks(bias, g.cOut()) || lacks(out, g.outputElements()))
            throw fail(() -> problem(this, "convNd", sizes("geometry", g), need("x", x, g == null ? 0 : g.inputElements()),
                    need("weight", weight, g == null ? 0 : g.weightElements()), optional("bias", bias, g == null ? 0 : g.cOut()),
                    need("out", out, g == null ? 0 : g.outputElements())));
        if (g.n() > 0) doConvNd(x, weight, bias, out, g);
    }

    @Override
    public final void convNdBackwardInput(Buffer gy, Buffer weight, Buffer gx, ConvNdGeometry g) {
        if (g == null || lacks(gy, g.outputElements()) || lacks(weight, g.weightElements()) || lacks(gx, g.inputElements()))
            throw fail(() -> problem(this, "convNdBackwardInput", sizes("geometry", g), need("gy", gy, g == null ? 0 : g.outputElements()),
                    need("weight", weight, g == null ? 0 : g.weightElements()), need("gx", gx, g == null ? 0 : g.inputElements())));
        if (g.n() > 0) doConvNdBackwardInput(gy, weight, gx, g);
    }

    @Override
    public final void convNdBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, ConvNdGeometry g) {
        if (g == null || lacks(x, g.inputElements()) || lacks(gy, g.outputElements()) || lacks(gWeight, g.weightElements())
                || gBias != null && lacks(gBias, g.cOut()))
            throw fail(() -> problem(this, "convNdBackwardWeight", sizes("geometry", g), need("x", x, g == null ? 0 : g.inputElements()),
                    need("gy", gy, g == null ? 0 : g.outputElements()), need("gWeight", gWeight, g == null ? 0 : g.weightElements()),
                    optional("gBias", gBias, g == null ? 0 : g.cOut())));
        if (g.n() == 0) {   // no image: the gradients are the empty sums
            doFill(gWeight, (int) g.weightElements(), 0f);
            if (gBias != null) doFill(gBias, g.cOut(), 0f);
            return;
        }
        doConvNdBackwardWeight(x, gy, gWeight, gBias, g);
    }

    /** {@link #convNd}, with arguments that passed its checks ({@code n > 0}); the default throws UnsupportedOperationException. */
    protected void doConvNd(Buffer x, Buffer weight, Buffer bias, Buffer out, ConvNdGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement convNd");
    }

    /** {@link #convNdBackwardInput}, with arguments that passed its checks ({@code n > 0}). */
    protected void doConvNdBackwardInput(Buffer gy, Buffer weight, Buffer gx, ConvNdGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement convNdBackwardInput");
    }

    /** {@link #convNdBackwardWeight}, with arguments that passed its checks ({@code n > 0}). */
    protected void doConvNdBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, ConvNdGeometry g) {
        throw new UnsupportedOperationException(name() + " does not implement convNdBackwardWeight");
    }
}
