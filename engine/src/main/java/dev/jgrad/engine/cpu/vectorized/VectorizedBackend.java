package dev.jgrad.engine.cpu.vectorized;

import dev.jgrad.engine.BinaryOp;
import dev.jgrad.engine.Buffer;
import dev.jgrad.engine.ConvGeometry;
import dev.jgrad.engine.ConvNdGeometry;
import dev.jgrad.engine.OptimizerStep;
import dev.jgrad.engine.PoolGeometry;
import dev.jgrad.engine.ReduceOp;
import dev.jgrad.engine.StridedView;
import dev.jgrad.engine.UnaryOp;
import dev.jgrad.engine.cpu.CpuBackend;

/**
 * The fast CPU kernel set ({@code cpu-vectorized}): Vector API loops on two shared drivers
 * ({@link MapDriver}, {@link ReduceDriver}), a packed register-blocked {@link Gemm} under matmul
 * and convolution, and every core through {@link Parallel}. Results match
 * {@link dev.jgrad.engine.cpu.looped.LoopedBackend} up to float rounding (sums are reassociated),
 * with the same tie, label, NaN and random-mask rules.
 */
public final class VectorizedBackend extends CpuBackend {

    public VectorizedBackend() {}

    @Override
    public String name() {
        return "cpu-vectorized";
    }

    @Override
    protected void doFill(Buffer out, int n, float value) {
        Layout.fill(f(out), n, value);
    }

    @Override
    protected void doCopyStrided(StridedView src, StridedView dst, int[] shape) {
        MapDriver.copy(f(src.buffer()), src.offset(), src.strides(), f(dst.buffer()), dst.offset(), dst.strides(), shape);
    }

    @Override
    protected void doUnary(UnaryOp op, Buffer x, Buffer out, int n, float a, float b) {
        float[] xs = f(x);
        MapDriver.contiguous(MapOps.unary(op), xs, xs, xs, f(out), n, a, b, 0f, 0f);
    }

    @Override
    protected void doUnaryBackward(UnaryOp op, Buffer x, Buffer y, Buffer gy, Buffer gx, int n, float a, float b) {
        MapDriver.contiguous(MapOps.derivative(op), f(x), f(y), f(gy), f(gx), n, a, b, 0f, 0f);
    }

    @Override
    protected void doBinary(BinaryOp op, StridedView a, StridedView b, Buffer out, int[] shape) {
        MapDriver.strided(MapOps.binary(op), new float[][] {f(a.buffer()), f(b.buffer())},
                new int[] {a.offset(), b.offset()}, new int[][] {a.strides(), b.strides()}, f(out), shape, 0f, 0f);
    }

    @Override
    protected void doWhere(StridedView cond, StridedView a, StridedView b, Buffer out, int[] shape) {
        MapDriver.strided(MapOps.WHERE, new float[][] {f(cond.buffer()), f(a.buffer()), f(b.buffer())},
                new int[] {cond.offset(), a.offset(), b.offset()},
                new int[][] {cond.strides(), a.strides(), b.strides()}, f(out), shape, 0f, 0f);
    }

    @Override
    protected void doReduce(ReduceOp op, Buffer x, Buffer out, int outer, int r, int inner) {
        Reductions.reduce(op, f(x), f(out), outer, r, inner);
    }

    @Override
    protected void doVariance(Buffer x, Buffer out, int outer, int r, int inner, int correction) {
        Reductions.variance(f(x), f(out), outer, r, inner, correction);
    }

    @Override
    protected void doScatterMiddle(Buffer index, Buffer g, Buffer gx, int outer, int r, int inner) {
        Reductions.scatterMiddle(f(index), f(g), f(gx), outer, r, inner);
    }

    @Override
    protected void doMatmul(Buffer a, Buffer b, Buffer c, int batch, int m, int n, int k,
                       boolean transA, boolean transB, int aBatchStride, int bBatchStride) {
        Gemm.batched(f(a), f(b), f(c), batch, m, n, k, transA, transB, aBatchStride, bBatchStride);
    }

    @Override
    protected void doConv2d(Buffer x, Buffer weight, Buffer bias, Buffer out, ConvGeometry g) {
        Conv.forward(f(x), f(weight), fOrNull(bias), f(out), g);
    }

    @Override
    protected void doConv2dBackwardInput(Buffer gy, Buffer weight, Buffer gx, ConvGeometry g) {
        Conv.backwardInput(f(gy), f(weight), f(gx), g);
    }

    @Override
    protected void doConv2dBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, ConvGeometry g) {
        Conv.backwardWeight(f(x), f(gy), f(gWeight), fOrNull(gBias), g);
    }

    // Fused recurrent cells: the looped rows, split over the cores (about 4k elements a chunk at least).

    @Override
    protected void doLstmCell(Buffer gates, Buffer c, Buffer out, int n, int h) {
        float[] g = f(gates), cs = f(c), o = f(out);
        Parallel.parallelFor(n, Math.max(1, 4096 / Math.max(1, h)), (r0, r1) -> VectorCells.lstmForward(g, cs, o, h, r0, r1));
    }

    @Override
    protected void doLstmCellBackward(Buffer gates, Buffer c, Buffer gOut, Buffer gGates, Buffer gC, int n, int h) {
        float[] g = f(gates), cs = f(c), go = f(gOut), gg = f(gGates), gc = f(gC);
        Parallel.parallelFor(n, Math.max(1, 4096 / Math.max(1, h)), (r0, r1) -> VectorCells.lstmBackward(g, cs, go, gg, gc, h, r0, r1));
    }

    @Override
    protected void doGruCell(Buffer xg, Buffer hg, Buffer hPrev, Buffer out, int n, int h) {
        float[] x = f(xg), hh = f(hg), hp = f(hPrev), o = f(out);
        Parallel.parallelFor(n, Math.max(1, 4096 / Math.max(1, h)), (r0, r1) -> VectorCells.gruForward(x, hh, hp, o, h, r0, r1));
    }

    @Override
    protected void doGruCellBackward(Buffer xg, Buffer hg, Buffer hPrev, Buffer gOut, Buffer gXg, Buffer gHg, Buffer gH, int n, int h) {
        float[] x = f(xg), hh = f(hg), hp = f(hPrev), go = f(gOut), gx = f(gXg), ghg = f(gHg), gh = f(gH);
        Parallel.parallelFor(n, Math.max(1, 4096 / Math.max(1, h)), (r0, r1) -> VectorCells.gruBackward(x, hh, hp, go, gx, ghg, gh, h, r0, r1));
    }

    @Override
    protected void doConvNd(Buffer x, Buffer weight, Buffer bias, Buffer out, ConvNdGeometry g) {
        ConvNd.forward(f(x), f(weight), fOrNull(bias), f(out), g);
    }

    @Override
    protected void doConvNdBackwardInput(Buffer gy, Buffer weight, Buffer gx, ConvNdGeometry g) {
        ConvNd.backwardInput(f(gy), f(weight), f(gx), g);
    }

    @Override
    protected void doConvNdBackwardWeight(Buffer x, Buffer gy, Buffer gWeight, Buffer gBias, ConvNdGeometry g) {
        ConvNd.backwardWeight(f(x), f(gy), f(gWeight), fOrNull(gBias), g);
    }

    @Override
    protected void doMaxPool2d(Buffer x, Buffer out, Buffer argmax, PoolGeometry g) {
        Pooling.maxForward(f(x), f(out), f(argmax), g);
    }

    @Override
    protected void doMaxPool2dBackward(Buffer gy, Buffer argmax, Buffer gx, PoolGeometry g) {
        Pooling.maxBackward(f(gy), f(argmax), f(gx), g);
    }

    @Override
    protected void doAvgPool2d(Buffer x, Buffer out, PoolGeometry g) {
        Pooling.avgForward(f(x), f(out), g);
    }

    @Override
    protected void doAvgPool2dBackward(Buffer gy, Buffer gx, PoolGeometry g) {
        Pooling.avgBackward(f(gy), f(gx), g);
    }

    @Override
    protected void doSoftmax(Buffer x, Buffer y, int outer, int r, int inner, boolean log) {
        Softmax.forward(f(x), f(y), outer, r, inner, log);
    }

    @Override
    protected void doSoftmaxBackward(Buffer y, Buffer gy, Buffer gx, int outer, int r, int inner, boolean log) {
        Softmax.backward(f(y), f(gy), f(gx), outer, r, inner, log);
    }

    @Override
    protected void doCrossEntropy(Buffer logits, Buffer labels, Buffer loss, Buffer lse, int n, int c) {
        Softmax.crossEntropy(f(logits), f(labels), f(loss), f(lse), n, c);
    }

    @Override
    protected void doCrossEntropyBackward(Buffer logits, Buffer labels, Buffer lse, Buffer gLoss, Buffer gx, int n, int c) {
        Softmax.crossEntropyBackward(f(logits), f(labels), f(lse), f(gLoss), f(gx), n, c);
    }

    @Override
    protected void doBatchNorm(Buffer x, Buffer gamma, Buffer beta, Buffer runMean, Buffer runVar,
                          Buffer y, Buffer saveMean, Buffer saveInvStd,
                          int n, int c, int hw, float eps, float momentum, boolean training) {
        Norm.batchNorm(f(x), f(gamma), f(beta), f(runMean), f(runVar), f(y), f(saveMean), f(saveInvStd),
                n, c, hw, eps, momentum, training);
    }

    @Override
    protected void doBatchNormBackward(Buffer x, Buffer gy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                                  Buffer gx, Buffer gGamma, Buffer gBeta, int n, int c, int hw, boolean training) {
        Norm.batchNormBackward(f(x), f(gy), f(gamma), f(saveMean), f(saveInvStd), f(gx), f(gGamma), f(gBeta),
                n, c, hw, training);
    }

    @Override
    protected void doDropout(Buffer x, Buffer y, Buffer mask, int n, float p, long seed) {
        Norm.dropout(f(x), f(y), f(mask), n, p, seed);
    }

    @Override
    protected void doOptimizerStep(OptimizerStep step, Buffer[] params, Buffer[] grads, Buffer[] state1, Buffer[] state2,
                              int[] sizes) {
        Optim.step(step, arrays(params), arrays(grads), arrays(state1), arrays(state2), sizes);
    }

    // ---------------------------------------------------------------- pooling in 1 to 3 dims (issue 14)

    @Override
    protected void doMaxPool3d(Buffer x, Buffer out, Buffer argmax, dev.jgrad.engine.Pool3dGeometry g) {
        Pooling3d.maxForward(f(x), f(out), f(argmax), g);
    }

    @Override
    protected void doMaxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, dev.jgrad.engine.Pool3dGeometry g) {
        Pooling3d.maxBackward(f(gy), f(argmax), f(gx), g.n() * g.c(), g.planeOut(), g.planeIn());
    }

    @Override
    protected void doAvgPool3d(Buffer x, Buffer out, dev.jgrad.engine.Pool3dGeometry g) {
        Pooling3d.avgForward(f(x), f(out), g);
    }

    @Override
    protected void doAvgPool3dBackward(Buffer gy, Buffer gx, dev.jgrad.engine.Pool3dGeometry g) {
        Pooling3d.avgBackward(f(gy), f(gx), g);
    }

    @Override
    protected void doAdaptiveAvgPool3d(Buffer x, Buffer out, dev.jgrad.engine.AdaptivePoolGeometry g) {
        Pooling3d.adaptiveForward(f(x), f(out), null, g);
    }

    @Override
    protected void doAdaptiveAvgPool3dBackward(Buffer gy, Buffer gx, dev.jgrad.engine.AdaptivePoolGeometry g) {
        Pooling3d.adaptiveAvgBackward(f(gy), f(gx), g);
    }

    @Override
    protected void doAdaptiveMaxPool3d(Buffer x, Buffer out, Buffer argmax, dev.jgrad.engine.AdaptivePoolGeometry g) {
        Pooling3d.adaptiveForward(f(x), f(out), f(argmax), g);
    }

    @Override
    protected void doAdaptiveMaxPool3dBackward(Buffer gy, Buffer argmax, Buffer gx, dev.jgrad.engine.AdaptivePoolGeometry g) {
        Pooling3d.maxBackward(f(gy), f(argmax), f(gx), g.n() * g.c(), g.planeOut(), g.planeIn());
    }

    // ---------------------------------------------------------------- indexing: gather, scatter-add (issue 14)

    @Override
    protected void doGather(Buffer x, StridedView index, Buffer out, int outer, int r, int inner, int rOut, float fill) {
        Indexing.gather(f(x), f(index.buffer()), index.offset(), index.strides(), f(out), outer, r, inner, rOut, fill);
    }

    @Override
    protected void doScatterAdd(StridedView index, Buffer src, Buffer out, int outer, int r, int inner, int rOut) {
        Indexing.scatterAdd(f(index.buffer()), index.offset(), index.strides(), f(src), f(out), outer, r, inner, rOut);
    }
}
