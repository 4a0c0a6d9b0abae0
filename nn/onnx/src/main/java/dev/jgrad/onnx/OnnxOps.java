package dev.jgrad.onnx;

import dev.jgrad.engine.Device;
import dev.jgrad.engine.PadMode;
import dev.jgrad.engine.Tensor;
import dev.jgrad.onnx.proto.OnnxProto.TensorProto;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.UnaryOperator;

/**
 * The mapping table from ONNX node types to jgrad's tensor ops: one small method per node type,
 * registered in {@link #TABLE}. To cover a new node type, write its method and add one line to
 * the table; to lift a restriction (an attribute the engine gains), edit that method's check.
 *
 * <p>Nodes map to the engine's ops (pooling in 1 to 3 dims, Pad in all its modes, Concat as
 * {@code cat}, Gather as {@code indexSelect}, LeakyRelu, PRelu, Elu, Softplus, Erf, and Conv and
 * ConvTranspose in 1 to 3 dims through {@link OnnxConv}); where jgrad has no single op yet, a node
 * is a composition of existing tensor ops when that is exact, and its method says so. What cannot
 * be expressed exactly throws {@link Node#unsupported}, naming the node and the attribute; the
 * importer is forward only, for inference.
 */
final class OnnxOps {
    private OnnxOps() {}

    /** The method of one node type: the node's inputs to its outputs. */
    @FunctionalInterface
    interface Op {
        Value[] apply(Node n);
    }

    private static final Map<String, Op> TABLE = new LinkedHashMap<>();

    static {
        // elementwise, broadcasting as NumPy (float tensors; host ints for shape arithmetic)
        TABLE.put("Add", n -> binary(n, Tensor::add, Math::addExact));
        TABLE.put("Sub", n -> binary(n, Tensor::sub, Math::subtractExact));
        TABLE.put("Mul", n -> binary(n, Tensor::mul, Math::multiplyExact));
        TABLE.put("Div", n -> binary(n, Tensor::div, (a, b) -> a / b));
        TABLE.put("Pow", n -> one(n.tensor(0).pow(n.tensor(1))));
        TABLE.put("Max", n -> variadic(n, Tensor::maximum, Math::max));
        TABLE.put("Min", n -> variadic(n, Tensor::minimum, Math::min));
        TABLE.put("Sum", n -> variadic(n, Tensor::add, Math::addExact));
        TABLE.put("Equal", n -> intsOnly(n, (a, b) -> a == b ? 1 : 0));
        TABLE.put("Less", n -> intsOnly(n, (a, b) -> a < b ? 1 : 0));
        TABLE.put("Greater", n -> intsOnly(n, (a, b) -> a > b ? 1 : 0));
        TABLE.put("Where", OnnxOps::where);
        TABLE.put("Neg", n -> unary(n, Tensor::neg));
        TABLE.put("Exp", n -> unary(n, Tensor::exp));
        TABLE.put("Log", n -> unary(n, Tensor::log));
        TABLE.put("Sqrt", n -> unary(n, Tensor::sqrt));
        TABLE.put("Abs", n -> unary(n, Tensor::abs));
        TABLE.put("Erf", n -> unary(n, Tensor::erf));
        TABLE.put("Relu", n -> unary(n, Tensor::relu));
        TABLE.put("Sigmoid", n -> unary(n, Tensor::sigmoid));
        TABLE.put("Tanh", n -> unary(n, Tensor::tanh));
        TABLE.put("Reciprocal", n -> unary(n, x -> x.fullLike(1f).div(x)));
        TABLE.put("LeakyRelu", OnnxOps::leakyRelu);
        TABLE.put("Elu", n -> unary(n, x -> x.elu(n.attrFloat("alpha", 1f))));
        // ONNX's softplus has no threshold; PyTorch's 20 differs from log(1 + exp(x)) by under one ulp
        TABLE.put("Softplus", n -> unary(n, x -> x.softplus(1f, 20f)));
        TABLE.put("PRelu", OnnxOps::prelu);
        TABLE.put("Clip", OnnxOps::clip);
        TABLE.put("Identity", n -> new Value[] {n.value(0)});
        TABLE.put("Dropout", OnnxOps::dropout);
        // linear algebra, convolution, pooling, normalization
        TABLE.put("MatMul", n -> one(n.tensor(0).matmul(n.tensor(1))));
        TABLE.put("Gemm", OnnxOps::gemm);
        TABLE.put("Conv", OnnxConv::conv);
        TABLE.put("ConvTranspose", OnnxConv::convTranspose);
        TABLE.put("MaxPool", n -> pool(n, true));
        TABLE.put("AveragePool", n -> pool(n, false));
        TABLE.put("GlobalAveragePool", OnnxOps::globalAveragePool);
        TABLE.put("GlobalMaxPool", OnnxOps::globalMaxPool);
        TABLE.put("BatchNormalization", OnnxOps::batchNormalization);
        TABLE.put("InstanceNormalization", OnnxOps::instanceNormalization);
        TABLE.put("LayerNormalization", OnnxOps::layerNormalization);
        TABLE.put("Softmax", n -> softmax(n, false));
        TABLE.put("LogSoftmax", n -> softmax(n, true));
        // reductions
        TABLE.put("ReduceSum", n -> reduce(n, "sum"));
        TABLE.put("ReduceMean", n -> reduce(n, "mean"));
        TABLE.put("ReduceMax", n -> reduce(n, "max"));
        TABLE.put("ReduceMin", n -> reduce(n, "min"));
        TABLE.put("ReduceSumSquare", n -> reduce(n, "sumsquare"));
        TABLE.put("ReduceL1", n -> reduce(n, "l1"));
        TABLE.put("ReduceL2", n -> reduce(n, "l2"));
        TABLE.put("ReduceLogSumExp", n -> reduce(n, "logsumexp"));
        // shapes and data movement
        TABLE.put("Reshape", OnnxOps::reshape);
        TABLE.put("Flatten", OnnxOps::flatten);
        TABLE.put("Transpose", OnnxOps::transpose);
        TABLE.put("Squeeze", OnnxOps::squeeze);
        TABLE.put("Unsqueeze", OnnxOps::unsqueeze);
        TABLE.put("Concat", OnnxOps::concat);
        TABLE.put("Split", OnnxOps::split);
        TABLE.put("Slice", OnnxOps::slice);
        TABLE.put("Pad", OnnxOps::pad);
        TABLE.put("Gather", OnnxOps::gather);
        TABLE.put("Tile", OnnxOps::tile);
        TABLE.put("Expand", OnnxOps::expand);
        // constants and shape folding
        TABLE.put("Constant", OnnxOps::constant);
        TABLE.put("ConstantOfShape", OnnxOps::constantOfShape);
        TABLE.put("Shape", OnnxOps::shape);
        TABLE.put("Cast", OnnxOps::cast);
    }

    /** The node types jgrad maps (some with restrictions on their attributes, checked when a node runs). */
    static Set<String> supported() {
        return Collections.unmodifiableSet(TABLE.keySet());
    }

    static Value[] run(Node n) {
        return TABLE.get(n.proto.getOpType()).apply(n);
    }

    // ---------------------------------------------------------------- helpers

    private static Value[] one(Tensor t) {
        return new Value[] {Value.of(t)};
    }

    private static Value[] one(Ints i) {
        return new Value[] {Value.of(i)};
    }

    static Tensor toTensor(Ints i, Device device) {
        float[] v = new float[i.numel()];
        for (int k = 0; k < v.length; k++) v[k] = i.data()[k];
        return Tensor.of(device, v, i.shape());
    }

    private static int prod(int[] shape, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) p *= shape[i];
        return p;
    }

    private static int[] range(int from, int to) {
        int[] r = new int[Math.max(0, to - from)];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    private static Value[] unary(Node n, UnaryOperator<Tensor> f) {
        return one(f.apply(n.tensor(0)));
    }

    private static Value[] binary(Node n, BinaryOperator<Tensor> f, LongBinaryOperator g) {
        Value a = n.value(0), b = n.value(1);
        if (!a.isTensor() && !b.isTensor()) return one(Ints.binary(n.proto.getOpType(), a.ints(), b.ints(), g));
        return one(f.apply(n.tensor(0), n.tensor(1)));
    }

    private static Value[] variadic(Node n, BinaryOperator<Tensor> f, LongBinaryOperator g) {
        Value acc = n.value(0);
        for (int i = 1; i < n.inputCount(); i++) {
            Value b = n.value(i);
            acc = !acc.isTensor() && !b.isTensor() ? Value.of(Ints.binary(n.proto.getOpType(), acc.ints(), b.ints(), g))
                    : Value.of(f.apply(tensorOf(n, acc, i), tensorOf(n, b, i)));
        }
        return new Value[] {acc};
    }

    private static Tensor tensorOf(Node n, Value v, int i) {
        if (!v.isTensor()) throw n.unsupported("mixing int64 and float32 inputs (input " + i + ")");
        return v.tensor();
    }

    private static Value[] intsOnly(Node n, LongBinaryOperator g) {
        if (n.value(0).isTensor() || n.value(1).isTensor()) throw n.unsupported("comparison of float32 tensors (only int64 shape arithmetic)");
        return one(Ints.binary(n.proto.getOpType(), n.ints(0), n.ints(1), g));
    }

    private static Value[] where(Node n) {
        Ints cond = n.ints(0);
        Value a = n.value(1), b = n.value(2);
        if (!a.isTensor() && !b.isTensor()) return one(Ints.where(cond, a.ints(), b.ints()));
        return one(Tensor.where(toTensor(cond, n.device), n.tensor(1), n.tensor(2)));
    }

    /** LeakyRelu as {@code where(x > 0, x, alpha * x)}: exact, until the engine has the activation. */
    private static Value[] leakyRelu(Node n) {
        Tensor x = n.tensor(0);
        float alpha = n.attrFloat("alpha", 0.01f);
        return one(x.leakyRelu(alpha));
    }

    /**
     * PRelu by the engine's {@link Tensor#prelu} where the slope is one value or one per channel
     * (shape (C), or (C, 1, ...) as PyTorch exports it); other broadcasts as {@code where(x > 0, x, slope x)}.
     */
    private static Value[] prelu(Node n) {
        Tensor x = n.tensor(0), slope = n.tensor(1);
        int[] s = slope.shape();
        if (slope.numel() == 1) return one(x.prelu(slope.reshape(1)));
        boolean perChannel = x.rank() >= 2 && s.length >= 1 && s.length <= x.rank() - 1 && s[0] == x.size(1);
        for (int d = 1; perChannel && d < s.length; d++) perChannel = s[d] == 1;
        if (perChannel) return one(x.prelu(slope.reshape(s[0])));
        return one(Tensor.where(x.gt(0f), x, x.mul(slope)));
    }

    private static Value[] clip(Node n) {
        Tensor x = n.tensor(0);
        float lo, hi;
        if (n.opset < 11) {
            lo = n.attrFloat("min", Float.NEGATIVE_INFINITY);
            hi = n.attrFloat("max", Float.POSITIVE_INFINITY);
        } else {
            lo = n.has(1) ? n.tensor(1).item() : Float.NEGATIVE_INFINITY;
            hi = n.has(2) ? n.tensor(2).item() : Float.POSITIVE_INFINITY;
        }
        return one(x.clamp(lo, hi));
    }

    private static Value[] dropout(Node n) {
        if (n.attrInt("training_mode", 0) != 0 || n.has(2) && !n.value(2).isTensor() && n.ints(2).data()[0] != 0)
            throw n.unsupported("training_mode (dropout in training); jgrad imports for inference");
        if (n.wantsOutput(1)) throw n.unsupported("the mask output");
        return new Value[] {n.value(0)};
    }

    // ---------------------------------------------------------------- linear algebra, convolution

    private static Value[] gemm(Node n) {
        Tensor a = n.tensor(0), b = n.tensor(1);
        if (n.attrInt("transA", 0) != 0) a = a.t();
        if (n.attrInt("transB", 0) != 0) b = b.t();
        float alpha = n.attrFloat("alpha", 1f), beta = n.attrFloat("beta", 1f);
        Tensor y = a.matmul(b);
        if (alpha != 1f) y = y.mul(alpha);
        if (n.has(2)) {
            Tensor c = n.tensor(2);
            y = y.add(beta == 1f ? c : c.mul(beta));
        }
        return one(y);
    }

    /** The spatial attributes of a convolution or pooling node: kernel, strides, pads (begin, end), dilations. */
    private record Window(int[] kernel, int[] strides, int[] padBegin, int[] padEnd, int[] dilations) {
        boolean symmetric() {
            return Arrays.equals(padBegin, padEnd);
        }

        boolean anyPad() {
            for (int i = 0; i < padBegin.length; i++) if (padBegin[i] != 0 || padEnd[i] != 0) return true;
            return false;
        }
    }

    private static Window window(Node n, int[] kernel) {
        int s = kernel.length;
        String autoPad = n.attrString("auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) throw n.unsupported("auto_pad=" + autoPad);
        int[] strides = n.hasAttr("strides") ? n.toInts(n.attrInts("strides"), "strides") : filled(s, 1);
        int[] dil = n.hasAttr("dilations") ? n.toInts(n.attrInts("dilations"), "dilations") : filled(s, 1);
        int[] pads = n.hasAttr("pads") && !autoPad.equals("VALID") ? n.toInts(n.attrInts("pads"), "pads") : new int[2 * s];
        if (strides.length != s || dil.length != s || pads.length != 2 * s)
            throw n.bad("strides " + Arrays.toString(strides) + ", dilations " + Arrays.toString(dil) + " or pads " + Arrays.toString(pads)
                    + " do not match the " + s + "-D kernel " + Arrays.toString(kernel));
        for (int p : pads) if (p < 0) throw n.unsupported("negative pads " + Arrays.toString(pads));
        return new Window(kernel, strides, Arrays.copyOfRange(pads, 0, s), Arrays.copyOfRange(pads, s, 2 * s), dil);
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    /** {@code x} with constant {@code value} added before and after its last spatial dimensions. */
    private static Tensor padSpatial(Tensor x, int[] begin, int[] end, float value) {
        int lead = x.rank() - begin.length;
        int[] b = new int[x.rank()], e = new int[x.rank()];
        System.arraycopy(begin, 0, b, lead, begin.length);
        System.arraycopy(end, 0, e, lead, end.length);
        return padConstant(x, b, e, value);
    }

    /** Constant padding by the engine's {@link Tensor#pad} (negative pads crop); pads per dimension, first to last. */
    static Tensor padConstant(Tensor x, int[] begin, int[] end, float value) {
        return padEngine(x, begin, end, PadMode.CONSTANT, value);
    }

    /** The engine's {@link Tensor#pad}, its (before, after) pairs from the last dimension backwards as F.pad. */
    static Tensor padEngine(Tensor x, int[] begin, int[] end, PadMode mode, float value) {
        int r = x.rank();
        boolean any = false;
        int[] p = new int[2 * r];
        for (int d = 0; d < r; d++) {
            p[2 * (r - 1 - d)] = begin[d];
            p[2 * (r - 1 - d) + 1] = end[d];
            any |= begin[d] != 0 || end[d] != 0;
        }
        return any ? x.pad(p, mode, value) : x;
    }

    /**
     * MaxPool and AveragePool in 1 to 3 dims by the engine's {@link Tensor#maxPool} and
     * {@link Tensor#avgPool} (rectangular windows, strides, dilations for max, ceil_mode,
     * count_include_pad). Asymmetric pads, or pads over half the window, become an explicit constant
     * pad first (minus infinity for max, zeros for average with count_include_pad=1; with
     * count_include_pad=0 they are unsupported).
     */
    private static Value[] pool(Node n, boolean max) {
        Tensor x = n.tensor(0);
        int spatial = x.rank() - 2;
        if (spatial < 1 || spatial > 3) throw n.bad("input " + Arrays.toString(x.shape()) + " must be (N, C, D1[, D2[, D3]])");
        if (max && n.wantsOutput(1)) throw n.unsupported("the Indices output");
        long[] k = n.attrInts("kernel_shape");
        if (k == null) throw n.bad("kernel_shape is missing");
        Window win = window(n, n.toInts(k, "kernel_shape"));
        if (win.kernel.length != spatial) throw n.bad("kernel_shape " + Arrays.toString(win.kernel) + " for input " + Arrays.toString(x.shape()));
        boolean ceil = n.attrInt("ceil_mode", 0) != 0;
        boolean includePad = n.attrInt("count_include_pad", 0) != 0;
        if (!max) for (int dl : win.dilations) if (dl != 1) throw n.unsupported("dilations " + Arrays.toString(win.dilations) + " in AveragePool");
        boolean prePad = !win.symmetric();
        for (int d = 0; d < spatial; d++) prePad |= 2 * win.padBegin[d] > win.kernel[d];
        int[] padding = win.padBegin.clone();
        if (prePad) {
            if (!max && !includePad && win.anyPad())
                throw n.unsupported("count_include_pad=0 with asymmetric pads " + Arrays.toString(win.padBegin) + "/" + Arrays.toString(win.padEnd));
            if (ceil) throw n.unsupported("ceil_mode=1 with asymmetric pads " + Arrays.toString(win.padBegin) + "/" + Arrays.toString(win.padEnd));
            x = padSpatial(x, win.padBegin, win.padEnd, max ? Float.NEGATIVE_INFINITY : 0f);
            Arrays.fill(padding, 0);
        }
        Tensor y = max ? x.maxPool(win.kernel, win.strides, padding, win.dilations, ceil)
                : x.avgPool(win.kernel, win.strides, padding, ceil, includePad, 0);
        return one(y);
    }

    private static Value[] globalAveragePool(Node n) {
        Tensor x = n.tensor(0);
        return one(x.mean(range(2, x.rank()), true));
    }

    private static Value[] globalMaxPool(Node n) {
        Tensor x = n.tensor(0);
        for (int d = 2; d < x.rank(); d++) x = x.max(d, true);
        return one(x);
    }

    /** BatchNormalization for inference over any rank >= 2 (ranks other than 2 and 4 reshaped to (N, C, -1, 1)). */
    private static Value[] batchNormalization(Node n) {
        if (n.attrInt("training_mode", 0) != 0) throw n.unsupported("training_mode=1");
        if (n.wantsOutput(1) || n.wantsOutput(2)) throw n.unsupported("the running mean and variance outputs (training)");
        Tensor x = n.tensor(0);
        float eps = n.attrFloat("epsilon", 1e-5f);
        int[] shape = x.shape();
        if (x.rank() < 2) throw n.bad("input " + Arrays.toString(shape) + " must have rank >= 2");
        Tensor in = x.rank() == 2 || x.rank() == 4 ? x : x.reshape(shape[0], shape[1], -1, 1);
        Tensor y = in.batchNorm(n.tensor(1), n.tensor(2), n.tensor(3), n.tensor(4), false, 0f, eps);
        return one(y.reshape(shape));
    }

    /** Normalizes {@code x} over {@code dims} (biased variance), as a composition of mean and var. */
    private static Tensor normalize(Tensor x, int[] dims, float eps) {
        Tensor mean = x.mean(dims, true);
        Tensor var = x.var(dims, true, 0);
        return x.sub(mean).div(var.add(eps).sqrt());
    }

    /** InstanceNormalization as a composition: per (sample, channel) mean and biased variance over the spatial dims. */
    private static Value[] instanceNormalization(Node n) {
        Tensor x = n.tensor(0);
        int[] bshape = filled(x.rank() - 1, 1);
        bshape[0] = x.size(1);
        Tensor y = normalize(x, range(2, x.rank()), n.attrFloat("epsilon", 1e-5f));
        return one(y.mul(n.tensor(1).reshape(bshape)).add(n.tensor(2).reshape(bshape)));
    }

    /** LayerNormalization (opset 17) as a composition: mean and biased variance over dims axis.. (stash_type float). */
    private static Value[] layerNormalization(Node n) {
        if (n.wantsOutput(1) || n.wantsOutput(2)) throw n.unsupported("the Mean and InvStdDev outputs");
        Tensor x = n.tensor(0);
        int axis = n.axis(n.attrInt("axis", -1), x.rank());
        Tensor y = normalize(x, range(axis, x.rank()), n.attrFloat("epsilon", 1e-5f)).mul(n.tensor(1));
        return one(n.has(2) ? y.add(n.tensor(2)) : y);
    }

    private static Value[] softmax(Node n, boolean log) {
        Tensor x = n.tensor(0);
        if (n.opset >= 13) {
            int axis = n.axis(n.attrInt("axis", -1), x.rank());
            return one(log ? x.logSoftmax(axis) : x.softmax(axis));
        }
        // before opset 13: over the dims axis.. flattened into one
        int axis = n.axis(n.attrInt("axis", 1), x.rank());
        int[] shape = x.shape();
        Tensor flat = x.reshape(prod(shape, 0, axis), prod(shape, axis, shape.length));
        return one((log ? flat.logSoftmax(1) : flat.softmax(1)).reshape(shape));
    }

    // ---------------------------------------------------------------- reductions

    private static Value[] reduce(Node n, String kind) {
        Tensor x = n.tensor(0);
        boolean axesInput = n.proto.getOpType().equals("ReduceSum") ? n.opset >= 13 : n.opset >= 18;
        int[] axes = axesInput ? (n.has(1) ? n.ints(1).toIntArray(n.describe() + " axes") : null) : n.axes(99, "axes");
        boolean keep = n.attrInt("keepdims", 1) != 0;
        if (axes == null || axes.length == 0) {
            if (n.attrInt("noop_with_empty_axes", 0) != 0) return one(x);
            axes = range(0, x.rank());
        }
        int[] dims = new int[axes.length];
        for (int i = 0; i < axes.length; i++) dims[i] = n.axis(axes[i], x.rank());
        Arrays.sort(dims);
        Tensor y = switch (kind) {
            case "sum" -> x.sum(dims, true);
            case "mean" -> x.mean(dims, true);
            case "sumsquare" -> x.mul(x).sum(dims, true);
            case "l1" -> x.abs().sum(dims, true);
            case "l2" -> x.mul(x).sum(dims, true).sqrt();
            case "max" -> maxOver(x, dims);
            case "min" -> maxOver(x.neg(), dims).neg();
            case "logsumexp" -> {
                Tensor m = maxOver(x, dims);
                yield x.sub(m).exp().sum(dims, true).log().add(m);
            }
            default -> throw new AssertionError(kind);
        };
        if (!keep) {
            for (int i = dims.length - 1; i >= 0; i--) y = y.squeeze(dims[i]);
        }
        return one(y);
    }

    private static Tensor maxOver(Tensor x, int[] dims) {
        for (int d : dims) x = x.max(d, true);
        return x;
    }

    // ---------------------------------------------------------------- shapes and data movement

    private static Value[] reshape(Node n) {
        Value x = n.value(0);
        int[] want = n.ints(1).toIntArray(n.describe() + " shape");
        int[] have = x.shape();
        boolean allowZero = n.attrInt("allowzero", 0) != 0;
        for (int i = 0; i < want.length; i++)
            if (want[i] == 0 && !allowZero) {
                if (i >= have.length) throw n.bad("shape " + Arrays.toString(want) + " copies dimension " + i + " of " + Arrays.toString(have));
                want[i] = have[i];
            }
        if (x.isTensor()) return one(x.tensor().reshape(want));
        int infer = -1, known = 1;
        for (int i = 0; i < want.length; i++) if (want[i] == -1) infer = i; else known *= want[i];
        if (infer >= 0) want[infer] = x.ints().numel() / Math.max(1, known);
        return one(x.ints().reshape(want));
    }

    private static Value[] flatten(Node n) {
        Value x = n.value(0);
        int[] s = x.shape();
        long a = n.attrInt("axis", 1);
        int axis = a < 0 ? (int) a + s.length : (int) a;
        if (axis < 0 || axis > s.length) throw n.bad("axis " + a + " is out of range for rank " + s.length);
        int[] to = {prod(s, 0, axis), prod(s, axis, s.length)};
        return x.isTensor() ? one(x.tensor().reshape(to)) : one(x.ints().reshape(to));
    }

    private static Value[] transpose(Node n) {
        Value x = n.value(0);
        int r = x.shape().length;
        int[] perm = n.hasAttr("perm") ? n.toInts(n.attrInts("perm"), "perm") : null;
        if (perm == null) {
            perm = new int[r];
            for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
        }
        return x.isTensor() ? one(x.tensor().permute(perm)) : one(x.ints().permute(perm));
    }

    private static Value[] squeeze(Node n) {
        Value x = n.value(0);
        int[] s = x.shape();
        int[] axes = n.opset >= 13 ? (n.has(1) ? n.ints(1).toIntArray("axes") : null) : n.axes(99, "axes");
        boolean[] drop = new boolean[s.length];
        if (axes == null) for (int d = 0; d < s.length; d++) drop[d] = s[d] == 1;
        else for (int a : axes) {
            int d = n.axis(a, s.length);
            if (s[d] != 1) throw n.bad("cannot squeeze dimension " + a + " of " + Arrays.toString(s) + ": it is not 1");
            drop[d] = true;
        }
        int[] out = java.util.stream.IntStream.range(0, s.length).filter(d -> !drop[d]).map(d -> s[d]).toArray();
        return x.isTensor() ? one(x.tensor().reshape(out)) : one(x.ints().reshape(out));
    }

    private static Value[] unsqueeze(Node n) {
        Value x = n.value(0);
        int[] s = x.shape();
        int[] axes = n.opset >= 13 ? n.ints(1).toIntArray("axes") : n.axes(99, "axes");
        if (axes == null) throw n.bad("axes are missing");
        int r = s.length + axes.length;
        boolean[] inserted = new boolean[r];
        for (int a : axes) inserted[n.axis(a, r)] = true;
        int[] out = new int[r];
        for (int d = 0, j = 0; d < r; d++) out[d] = inserted[d] ? 1 : s[j++];
        return x.isTensor() ? one(x.tensor().reshape(out)) : one(x.ints().reshape(out));
    }

    /** Concatenation as a composition: the parts copied into slices of one output (exact; forward only). */
    static Tensor cat(int axis, Tensor... parts) {
        int[] shape = parts[0].shape();
        int total = 0;
        for (Tensor p : parts) {
            if (p.rank() != shape.length) throw new IllegalArgumentException("Concat: parts of different ranks");
            for (int d = 0; d < shape.length; d++)
                if (d != axis && p.size(d) != shape[d])
                    throw new IllegalArgumentException("Concat: shapes " + Arrays.toString(shape) + " and " + Arrays.toString(p.shape())
                            + " differ outside axis " + axis);
            total += p.size(axis);
        }
        return Tensor.cat(axis, parts);
    }

    private static Value[] concat(Node n) {
        int r = n.value(0).shape().length;
        int axis = n.axis(n.attrInt("axis", 0), r);
        boolean ints = true;
        for (int i = 0; i < n.inputCount(); i++) ints &= !n.value(i).isTensor();
        if (ints) {
            Ints[] parts = new Ints[n.inputCount()];
            for (int i = 0; i < parts.length; i++) parts[i] = n.ints(i);
            return one(Ints.concat(axis, parts));
        }
        Tensor[] parts = new Tensor[n.inputCount()];
        for (int i = 0; i < parts.length; i++) parts[i] = n.tensor(i);
        return one(cat(axis, parts));
    }

    private static Value[] split(Node n) {
        Tensor x = n.tensor(0);
        int axis = n.axis(n.attrInt("axis", 0), x.rank());
        int outs = n.outputCount();
        int[] sizes;
        if (n.opset >= 13 && n.has(1)) sizes = n.ints(1).toIntArray("split");
        else if (n.opset < 13 && n.hasAttr("split")) sizes = n.toInts(n.attrInts("split"), "split");
        else {
            // equal parts (the last one smaller when the size does not divide, as opset 18's num_outputs)
            int dim = x.size(axis), part = (dim + outs - 1) / outs;
            sizes = new int[outs];
            for (int i = 0; i < outs; i++) sizes[i] = Math.max(0, Math.min(part, dim - i * part));
        }
        if (sizes.length != outs || Arrays.stream(sizes).sum() != x.size(axis))
            throw n.bad("split " + Arrays.toString(sizes) + " does not divide dimension " + axis + " of " + Arrays.toString(x.shape()) + " into " + outs);
        Value[] out = new Value[outs];
        int at = 0;
        for (int i = 0; i < outs; i++) {
            out[i] = Value.of(x.slice(axis, at, at + sizes[i]));
            at += sizes[i];
        }
        return out;
    }

    private static Value[] slice(Node n) {
        Value x = n.value(0);
        int[] shape = x.shape();
        long[] starts, ends, axes, steps;
        if (n.opset >= 10) {
            starts = n.ints(1).data();
            ends = n.ints(2).data();
            axes = n.has(3) ? n.ints(3).data() : null;
            steps = n.has(4) ? n.ints(4).data() : null;
        } else {
            starts = n.attrInts("starts");
            ends = n.attrInts("ends");
            axes = n.attrInts("axes");
            steps = null;
        }
        if (starts == null || ends == null || starts.length != ends.length) throw n.bad("starts and ends are missing or of different lengths");
        Value v = x;
        for (int i = 0; i < starts.length; i++) {
            int axis = n.axis(axes == null ? i : axes[i], shape.length);
            long step = steps == null ? 1 : steps[i];
            if (step == 0) throw n.bad("step 0");
            long dim = shape[axis];
            long s = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            int count;
            if (step > 0) {
                s = Math.clamp(s, 0, dim);
                e = Math.clamp(e, 0, dim);
                count = (int) Math.max(0, (e - s + step - 1) / step);
            } else {
                s = Math.clamp(s, -1, dim - 1);
                e = Math.clamp(e, -1, dim - 1);
                count = (int) Math.max(0, (s - e + (-step) - 1) / (-step));
            }
            if (v.isTensor()) {
                if (step < 0) throw n.unsupported("a negative step on a float32 tensor");
                Tensor t = v.tensor();
                v = Value.of(count == 0 ? t.slice(axis, (int) s, (int) s) : t.slice(axis, (int) s, (int) (s + (count - 1) * step + 1), (int) step));
            } else {
                v = Value.of(v.ints().slice(axis, (int) s, (int) step, count));
            }
        }
        return new Value[] {v};
    }

    /** Pad by the engine's {@link Tensor#pad}: constant, reflect, edge (replicate) and wrap (circular). */
    private static Value[] pad(Node n) {
        Tensor x = n.tensor(0);
        String modeName = n.attrString("mode", "constant");
        PadMode mode = switch (modeName) {
            case "constant" -> PadMode.CONSTANT;
            case "reflect" -> PadMode.REFLECT;
            case "edge" -> PadMode.REPLICATE;
            case "wrap" -> PadMode.CIRCULAR;
            default -> throw n.unsupported("mode=" + modeName);
        };
        int r = x.rank();
        int[] pads;
        float value;
        if (n.opset >= 11) {
            pads = n.ints(1).toIntArray("pads");
            value = n.has(2) ? n.tensor(2).item() : 0f;
            if (n.has(3)) throw n.unsupported("the axes input");
        } else {
            pads = n.toInts(n.attrInts("pads"), "pads");
            value = n.attrFloat("value", 0f);
        }
        if (pads.length != 2 * r) throw n.bad("pads " + Arrays.toString(pads) + " must hold 2 x rank " + r + " values");
        return one(padEngine(x, Arrays.copyOfRange(pads, 0, r), Arrays.copyOfRange(pads, r, 2 * r), mode, value));
    }

    /** Gather with host indices; on a float tensor as a composition: one slice per index, concatenated. */
    private static Value[] gather(Node n) {
        Value data = n.value(0);
        Ints idx = n.ints(1);
        int r = data.shape().length;
        int axis = n.axis(n.attrInt("axis", 0), r);
        if (!data.isTensor()) return one(data.ints().gather(axis, idx));
        Tensor x = data.tensor();
        int dim = x.size(axis);
        int[] shape = new int[r - 1 + idx.rank()];
        int k = 0;
        for (int d = 0; d < axis; d++) shape[k++] = x.size(d);
        for (int s : idx.shape()) shape[k++] = s;
        for (int d = axis + 1; d < r; d++) shape[k++] = x.size(d);
        if (idx.numel() == 0) return one(Tensor.zeros(x.device(), shape));
        float[] at = new float[idx.numel()];
        for (int i = 0; i < at.length; i++) {
            long j = idx.data()[i] < 0 ? idx.data()[i] + dim : idx.data()[i];
            if (j < 0 || j >= dim) throw n.bad("index " + idx.data()[i] + " is out of range for dimension " + axis + " of " + Arrays.toString(x.shape()));
            at[i] = j;
        }
        return one(x.indexSelect(axis, Tensor.of(x.device(), at, at.length)).reshape(shape));
    }

    /** Tile as a composition: each dimension d becomes (repeats[d], size[d]) through expand, then one reshape. */
    private static Value[] tile(Node n) {
        Tensor x = n.tensor(0);
        int[] reps = n.ints(1).toIntArray("repeats");
        int r = x.rank();
        if (reps.length != r) throw n.bad("repeats " + Arrays.toString(reps) + " must have one entry per dimension of " + Arrays.toString(x.shape()));
        int[] split = new int[2 * r], expanded = new int[2 * r], out = new int[r];
        for (int d = 0; d < r; d++) {
            split[2 * d] = 1;
            split[2 * d + 1] = x.size(d);
            expanded[2 * d] = reps[d];
            expanded[2 * d + 1] = x.size(d);
            out[d] = reps[d] * x.size(d);
        }
        return one(x.reshape(split).expand(expanded).contiguous().reshape(out));
    }

    private static Value[] expand(Node n) {
        Value x = n.value(0);
        int[] target = Ints.broadcast("Expand", x.shape(), n.ints(1).toIntArray("shape"));
        return x.isTensor() ? one(x.tensor().expand(target)) : one(x.ints().expand(target));
    }

    // ---------------------------------------------------------------- constants and shape folding

    private static Value[] constant(Node n) {
        TensorProto t = n.attrTensor("value");
        if (t != null) return new Value[] {OnnxModel.toValue(t, n.device)};
        if (n.hasAttr("value_float")) return one(Tensor.of(n.device, new float[] {n.attrFloat("value_float", 0f)}));
        if (n.hasAttr("value_floats")) {
            float[] v = n.attrFloats("value_floats");
            return one(Tensor.of(n.device, v, v.length));
        }
        if (n.hasAttr("value_int")) return one(Ints.scalar(n.attrInt("value_int", 0)));
        if (n.hasAttr("value_ints")) return one(Ints.vector(n.attrInts("value_ints")));
        throw n.unsupported("a Constant without value, value_float(s) or value_int(s) (sparse or string)");
    }

    private static Value[] constantOfShape(Node n) {
        int[] shape = n.ints(0).toIntArray("shape");
        TensorProto t = n.attrTensor("value");
        Value v = t == null ? Value.of(Tensor.of(n.device, new float[] {0f}, 1)) : OnnxModel.toValue(t, n.device);
        if (v.isTensor()) return one(Tensor.full(n.device, v.tensor().item(), shape));
        long[] data = new long[Ints.numel(shape)];
        Arrays.fill(data, v.ints().data()[0]);
        return one(new Ints(shape, data));
    }

    private static Value[] shape(Node n) {
        int[] s = n.value(0).shape();
        int r = s.length;
        long start = n.attrInt("start", 0), end = n.attrInt("end", r);
        if (start < 0) start += r;
        if (end < 0) end += r;
        start = Math.clamp(start, 0, r);
        end = Math.clamp(end, start, r);
        long[] out = new long[(int) (end - start)];
        for (int i = 0; i < out.length; i++) out[i] = s[(int) start + i];
        return one(Ints.vector(out));
    }

    private static Value[] cast(Node n) {
        Value x = n.value(0);
        int to = (int) n.attrInt("to", 0);
        boolean toInt = to == OnnxModel.INT64 || to == OnnxModel.INT32 || to == OnnxModel.BOOL || to == OnnxModel.INT8 || to == OnnxModel.UINT8;
        if (to == OnnxModel.FLOAT) return x.isTensor() ? new Value[] {x} : one(toTensor(x.ints(), n.device));
        if (toInt && !x.isTensor()) {
            if (to != OnnxModel.BOOL) return new Value[] {x};
            long[] d = x.ints().data().clone();
            for (int i = 0; i < d.length; i++) d[i] = d[i] != 0 ? 1 : 0;
            return one(new Ints(x.ints().shape(), d));
        }
        throw n.unsupported("Cast of " + x + " to data type " + to);
    }
}
