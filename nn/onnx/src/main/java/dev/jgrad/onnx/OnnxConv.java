package dev.jgrad.onnx;

import dev.jgrad.engine.ConvOptions;
import dev.jgrad.engine.Tensor;

import java.util.Arrays;

/**
 * ONNX's {@code Conv} and {@code ConvTranspose} on the engine's {@link Tensor#conv} and
 * {@link Tensor#convTranspose}: 1 to 3 spatial dims, {@code group}, {@code dilations},
 * {@code strides}, {@code pads} that may differ at the two ends of a dim, and {@code auto_pad}
 * (NOTSET, VALID, SAME_UPPER, SAME_LOWER) as the ONNX operator spec defines it; for
 * ConvTranspose also {@code output_padding} and {@code output_shape}.
 */
final class OnnxConv {
    private OnnxConv() {}

    /** The attributes both nodes share, resolved per spatial dim. */
    private record Attrs(int[] kernel, int[] strides, int[] dilations, int[] pads, String autoPad, int group) {
        int dims() { return kernel.length; }
    }

    private static Attrs attrs(Node n, Tensor x, Tensor w) {
        int s = x.rank() - 2;
        if (s < 1 || s > 3) throw n.bad("input " + Arrays.toString(x.shape()) + " must have 1 to 3 spatial dims: (N, C, L), (N, C, H, W) or (N, C, D, H, W)");
        if (w.rank() != x.rank()) throw n.bad("weight " + Arrays.toString(w.shape()) + " must have the input's rank " + x.rank());
        int[] kernel = Arrays.copyOfRange(w.shape(), 2, w.rank());
        if (n.hasAttr("kernel_shape")) {
            int[] k = n.toInts(n.attrInts("kernel_shape"), "kernel_shape");
            if (!Arrays.equals(k, kernel)) throw n.bad("kernel_shape " + Arrays.toString(k) + " differs from the weight's " + Arrays.toString(kernel));
        }
        int[] strides = perDim(n, "strides", s, 1), dil = perDim(n, "dilations", s, 1);
        for (int i = 0; i < s; i++)
            if (strides[i] < 1 || dil[i] < 1) throw n.bad("strides " + Arrays.toString(strides) + " and dilations " + Arrays.toString(dil) + " must be >= 1");
        int[] pads = n.hasAttr("pads") ? n.toInts(n.attrInts("pads"), "pads") : new int[2 * s];
        if (pads.length != 2 * s) throw n.bad("pads " + Arrays.toString(pads) + " must have 2 x " + s + " values (all begins, then all ends)");
        for (int p : pads) if (p < 0) throw n.unsupported("negative pads " + Arrays.toString(pads));
        String autoPad = n.attrString("auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID") && !autoPad.equals("SAME_UPPER") && !autoPad.equals("SAME_LOWER"))
            throw n.bad("auto_pad=" + autoPad + " is not NOTSET, VALID, SAME_UPPER or SAME_LOWER");
        int group = (int) n.attrInt("group", 1);
        if (group < 1) throw n.bad("group " + group + " must be >= 1");
        return new Attrs(kernel, strides, dil, pads, autoPad, group);
    }

    private static int[] perDim(Node n, String name, int dims, int dflt) {
        if (!n.hasAttr(name)) {
            int[] v = new int[dims];
            Arrays.fill(v, dflt);
            return v;
        }
        int[] v = n.toInts(n.attrInts(name), name);
        if (v.length != dims) throw n.bad(name + " " + Arrays.toString(v) + " must have one value per spatial dim (" + dims + ")");
        return v;
    }

    /** Conv: {@code y = x (*) w + b}, weight {@code (M, C / group, k...)}. */
    static Value[] conv(Node n) {
        Tensor x = n.tensor(0), w = n.tensor(1), bias = n.has(2) ? n.tensor(2) : null;
        Attrs a = attrs(n, x, w);
        int s = a.dims();
        if (x.size(1) % a.group != 0 || w.size(0) % a.group != 0 || w.size(1) * a.group != x.size(1))
            throw n.bad("group " + a.group + " does not fit input " + Arrays.toString(x.shape()) + " and weight " + Arrays.toString(w.shape()));
        int[] begin = Arrays.copyOfRange(a.pads, 0, s), end = Arrays.copyOfRange(a.pads, s, 2 * s);
        switch (a.autoPad) {
            case "VALID" -> {
                Arrays.fill(begin, 0);
                Arrays.fill(end, 0);
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                // output ceil(in / stride); the padding that takes, its odd unit at the end (UPPER) or the beginning (LOWER)
                for (int i = 0; i < s; i++) {
                    int in = x.size(2 + i), out = (in + a.strides[i] - 1) / a.strides[i];
                    int total = Math.max(0, (out - 1) * a.strides[i] + (a.kernel[i] - 1) * a.dilations[i] + 1 - in);
                    begin[i] = a.autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    end[i] = total - begin[i];
                }
            }
            default -> { }
        }
        ConvOptions opts = ConvOptions.defaults().stride(a.strides).dilation(a.dilations).padding(begin, end).groups(a.group);
        return new Value[] {Value.of(x.conv(w, bias, opts))};
    }

    /** ConvTranspose: the adjoint of Conv, weight {@code (C, M / group, k...)}. */
    static Value[] convTranspose(Node n) {
        Tensor x = n.tensor(0), w = n.tensor(1), bias = n.has(2) ? n.tensor(2) : null;
        Attrs a = attrs(n, x, w);
        int s = a.dims();
        if (x.size(1) % a.group != 0 || w.size(0) != x.size(1))
            throw n.bad("group " + a.group + " does not fit input " + Arrays.toString(x.shape()) + " and weight " + Arrays.toString(w.shape()));
        int[] outPad = perDim(n, "output_padding", s, 0);
        int[] begin = Arrays.copyOfRange(a.pads, 0, s), end = Arrays.copyOfRange(a.pads, s, 2 * s);
        int[] outputShape = n.hasAttr("output_shape") ? n.toInts(n.attrInts("output_shape"), "output_shape") : null;
        if (outputShape != null && outputShape.length == s + 2) outputShape = Arrays.copyOfRange(outputShape, 2, s + 2);
        if (outputShape != null && outputShape.length != s)
            throw n.bad("output_shape " + Arrays.toString(outputShape) + " must have one value per spatial dim (" + s + ")");
        boolean same = a.autoPad.startsWith("SAME");
        if (outputShape == null && same) {
            outputShape = new int[s];
            for (int i = 0; i < s; i++) outputShape[i] = x.size(2 + i) * a.strides[i];
        }
        if (a.autoPad.equals("VALID")) {
            Arrays.fill(begin, 0);
            Arrays.fill(end, 0);
        } else if (outputShape != null) {
            // the spec's total padding for that output size; its odd unit at the beginning unless SAME_UPPER
            for (int i = 0; i < s; i++) {
                int full = a.strides[i] * (x.size(2 + i) - 1) + outPad[i] + (a.kernel[i] - 1) * a.dilations[i] + 1;
                int total = full - outputShape[i];
                if (total < 0)
                    throw n.unsupported("output_shape " + Arrays.toString(outputShape) + " larger than the full transposed output in dim " + i
                            + " (" + full + "): it would need negative padding");
                end[i] = a.autoPad.equals("SAME_UPPER") ? total - total / 2 : total / 2;
                begin[i] = total - end[i];
            }
        }
        ConvOptions opts = ConvOptions.defaults().stride(a.strides).dilation(a.dilations).padding(begin, end)
                .outputPadding(outPad).groups(a.group);
        try {
            return new Value[] {Value.of(x.convTranspose(w, bias, opts))};
        } catch (IllegalArgumentException e) {
            throw n.bad(e.getMessage());
        }
    }
}
