package dev.jgrad.engine;

import java.lang.foreign.MemorySegment;

/**
 * A backend that implements {@link Backend} directly (not through {@link AbstractBackend}), put
 * behind the same boundary checks by {@link Device}. It cannot know which buffers the backend made,
 * so it takes every non-null buffer as the backend's own; rejecting foreign ones stays the backend's
 * job.
 */
final class GuardedBackend extends AbstractBackend {
    private final Backend inner;

    GuardedBackend(Backend inner) {
        this.inner = inner;
    }

    /** The backend behind the checks. */
    Backend inner() {
        return inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public long bytesInUse() {
        return inner.bytesInUse();
    }

    @Override
    public String toString() {
        return inner.toString();
    }

    @Override
    protected boolean owns(Buffer buffer) {
        return true;
    }

    @Override
    protected Buffer doAllocate(int numel) {
        return inner.allocate(numel);
    }

    @Override
    protected Buffer doWrap(float[] data) {
        return inner.wrap(data);
    }

    @Override
    protected Buffer doWrap(MemorySegment segment) {
        return inner.wrap(segment);
    }

    @Override
    protected void doCopyIn(float[] src, int srcOffset, Buffer dst, int dstOffset, int n) {
        inner.copyIn(src, srcOffset, dst, dstOffset, n);
    }

    @Override
    protected void doCopyOut(Buffer src, int srcOffset, float[] dst, int dstOffset, int n) {
        inner.copyOut(src, srcOffset, dst, dstOffset, n);
    }

    @Override
    protected float doRead(Buffer src, int offset) {
        return inner.read(src, offset);
    }

    @Override
    protected void doFree(Buffer buffer) {
        inner.free(buffer);
    }

    @Override
    protected void doFill(Buffer out, int n, float value) {
        inner.fill(out, n, value);
    }

    @Override
    protected void doCopyStrided(StridedView src, StridedView dst, int[] shape) {
        inner.copyStrided(src, dst, shape);
    }

    @Override
    protected void doUnary(UnaryOp op, Buffer x, Buffer out, int n, float a, float b) {
        inner.unary(op, x, out, n, a, b);
    }

    @Override
    protected void doUnaryBackward(UnaryOp op, Buffer x, Buffer y, Buffer gy, Buffer gx, int n, float a, float b) {
        inner.unaryBackward(op, x, y, gy, gx, n, a, b);
    }

    @Override
    protected void doBinary(BinaryOp op, StridedView a, StridedView b, Buffer out, int[] shape) {
        inner.binary(op, a, b, out, shape);
    }

    @Override
    protected void doWhere(StridedView cond, StridedView a, StridedView b, Buffer out, int[] shape) {
        inner.where(cond, a, b, out, shape);
    }

    @Override
    protected void doDropout(Buffer x, Buffer y, Buffer mask, int n, float p, long seed) {
        inner.dropout(x, y, mask, n, p, seed);
    }

    @Override
    protected void doReduce(ReduceOp op, Buffer x, Buffer out, int outer, int r, int inner) {
        this.inner.reduce(op, x, out, outer, r, inner);
    }

    @Override
    protected void doVariance(Buffer x, Buffer out, int outer, int r, int inner, int correction) {
        this.inner.variance(x, out, outer, r, inner, correction);
    }

    @Override
    protected void doScatterMiddle(Buffer index, Buffer g, Buffer gx, int outer, int r, int inner) {
        this.inner.scatterMiddle(index, g, gx, outer, r, inner);
    }

    @Override
    protected void doMatmul(Buffer a, Buffer b, Buffer c, int batch, int m, int n, int k,
                            boolean transA, boolean transB, int aBatchStride, int bBatchStride) {
        inner.matmul(a, b, c, batch, m, n, k, transA, transB, aBatchStride, bBatchStride);
    }

    @Override
    protected void doConv2d(Buffer x, Buffer weight, Buffer bias, Buffer out, ConvGeometry g) {
        inner.conv2d(x, weight, bias, out, g);
    }

    @Override
    protected void doConv2dBackwardInput(Buffer gy, Buffer weight, Buffer gx, ConvGeometry g) {
        inner.conv2dBackwardInput(gy, weight, gx, g);
    }

    @Override
    protected void doConv2dBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, ConvGeometry g) {
        inner.conv2dBackwardWeight(x, gy, gWeight, gBias, g);
    }

    @Override
    protected void doMaxPool2d(Buffer x, Buffer out, Buffer argmax, PoolGeometry g) {
        inner.maxPool2d(x, out, argmax, g);
    }

    @Override
    protected void doMaxPool2dBackward(Buffer gy, Buffer argmax, Buffer gx, PoolGeometry g) {
        inner.maxPool2dBackward(gy, argmax, gx, g);
    }

    @Override
    protected void doAvgPool2d(Buffer x, Buffer out, PoolGeometry g) {
        inner.avgPool2d(x, out, g);
    }

    @Override
    protected void doAvgPool2dBackward(Buffer gy, Buffer gx, PoolGeometry g) {
        inner.avgPool2dBackward(gy, gx, g);
    }

    @Override
    protected void doSoftmax(Buffer x, Buffer y, int outer, int r, int inner, boolean log) {
        this.inner.softmax(x, y, outer, r, inner, log);
    }

    @Override
    protected void doSoftmaxBackward(Buffer y, Buffer gy, Buffer gx, int outer, int r, int inner, boolean log) {
        this.inner.softmaxBackward(y, gy, gx, outer, r, inner, log);
    }

    @Override
    protected void doCrossEntropy(Buffer logits, Buffer labels, Buffer loss, Buffer lse, int n, int c) {
        inner.crossEntropy(logits, labels, loss, lse, n, c);
    }

    @Override
    protected void doCrossEntropyBackward(Buffer logits, Buffer labels, Buffer lse, Buffer gLoss, Buffer gx, int n, int c) {
        inner.crossEntropyBackward(logits, labels, lse, gLoss, gx, n, c);
    }

    @Override
    protected void doBatchNorm(Buffer x, Buffer gamma, Buffer beta, Buffer runMean, Buffer runVar,
                               Buffer y, Buffer saveMean, Buffer saveInvStd,
                               int n, int c, int hw, float eps, float momentum, boolean training) {
        inner.batchNorm(x, gamma, beta, runMean, runVar, y, saveMean, saveInvStd, n, c, hw, eps, momentum, training);
    }

    @Override
    protected void doBatchNormBackward(Buffer x, Buffer gy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                                       Buffer gx, Buffer gGamma, Buffer gBeta, int n, int c, int hw, boolean training) {
        inner.batchNormBackward(x, gy, gamma, saveMean, saveInvStd, gx, gGamma, gBeta, n, c, hw, training);
    }

    @Override
    protected void doOptimizerStep(OptimizerStep step, Buffer[] params, Buffer[] grads, Buffer[] state1, Buffer[] state2,
                                   int[] sizes) {
        inner.optimizerStep(step, params, grads, state1, state2, sizes);
    }

    // ---------------------------------------------------------------- pooling in 1 to 3 dims (issue 14)

    @Override
    protected void doMaxPool3d(Buffer x, Buffer out, Buffer argmax, Pool3dGeometry g) {
        inner.maxPool3d(x, out, argmax, g);
    }

    @Override
    protected void doMaxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, Pool3dGeometry g) {
        inner.maxPool3dBackward(gy, argmax, gx, g);
    }

    @Override
    protected void doAvgPool3d(Buffer x, Buffer out, Pool3dGeometry g) {
        inner.avgPool3d(x, out, g);
    }

    @Override
    protected void doAvgPool3dBackward(Buffer gy, Buffer gx, Pool3dGeometry g) {
        inner.avgPool3dBackward(gy, gx, g);
    }

    @Override
    protected void doAdaptiveAvgPool3d(Buffer x, Buffer out, AdaptivePoolGeometry g) {
        inner.adaptiveAvgPool3d(x, out, g);
    }

    @Override
    protected void doAdaptiveAvgPool3dBackward(Buffer gy, Buffer gx, AdaptivePoolGeometry g) {
        inner.adaptiveAvgPool3dBackward(gy, gx, g);
    }

    @Override
    protected void doAdaptiveMaxPool3d(Buffer x, Buffer out, Buffer argmax, AdaptivePoolGeometry g) {
        inner.adaptiveMaxPool3d(x, out, argmax, g);
    }

    @Override
    protected void doAdaptiveMaxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, AdaptivePoolGeometry g) {
        inner.adaptiveMaxPool3dBackward(gy, argmax, gx, g);
    }

    // ---------------------------------------------------------------- indexing: gather, scatter-add (issue 14)

    @Override
    protected void doGather(Buffer x, StridedView index, Buffer out, int outer, int r, int inner, int rOut, float fill) {
        inner().gather(x, index, out, outer, r, inner, rOut, fill);
    }

    @Override
    protected void doScatterAdd(StridedView index, Buffer src, Buffer out, int outer, int r, int inner, int rOut) {
        inner().scatterAdd(index, src, out, outer, r, inner, rOut);
    }

    // ---------------------------------------------------------------- convolution in 1 to 3 dims (issue 14)

    @Override
    protected void doLstmCell(Buffer gates, Buffer c, Buffer out, int n, int h) {
        inner.lstmCell(gates, c, out, n, h);
    }

    @Override
    protected void doLstmCellBackward(Buffer gates, Buffer c, Buffer gOut, Buffer gGates, Buffer gC, int n, int h) {
        inner.lstmCellBackward(gates, c, gOut, gGates, gC, n, h);
    }

    @Override
    protected void doGruCell(Buffer xg, Buffer hg, Buffer hPrev, Buffer out, int n, int h) {
        inner.gruCell(xg, hg, hPrev, out, n, h);
    }

    @Override
    protected void doGruCellBackward(Buffer xg, Buffer hg, Buffer hPrev, Buffer gOut, Buffer gXg, Buffer gHg, Buffer gH, int n, int h) {
        inner.gruCellBackward(xg, hg, hPrev, gOut, gXg, gHg, gH, n, h);
    }

    @Override
    protected void doConvNd(Buffer x, Buffer weight, Buffer bias, Buffer out, ConvNdGeometry g) {
        inner.convNd(x, weight, bias, out, g);
    }

    @Override
    protected void doConvNdBackwardInput(Buffer gy, Buffer weight, Buffer gx, ConvNdGeometry g) {
        inner.convNdBackwardInput(gy, weight, gx, g);
    }

    @Override
    protected void doConvNdBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, ConvNdGeometry g) {
        inner.convNdBackwardWeight(x, gy, gWeight, gBias, g);
    }
}
