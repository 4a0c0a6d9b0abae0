package dev.jgrad.engine;

import java.util.Arrays;

/**
 * The optional arguments of {@link Tensor#conv} and {@link Tensor#convTranspose}, named and
 * defaulted as PyTorch's {@code F.conv*d} / {@code F.conv_transpose*d}: stride 1, padding 0,
 * dilation 1, output padding 0, one group. Each per-dim setting takes one value (used for every
 * spatial dim, as PyTorch's int arguments) or one value per spatial dim; padding may differ at the
 * beginning and the end of a dim (ONNX's {@code pads}), which PyTorch's {@code padding} cannot say.
 * Immutable; each method returns a copy:
 * <pre>{@code
 * var opts = ConvOptions.defaults().stride(2).padding(1).dilation(2, 1).groups(4);
 * Tensor y = x.conv(weight, bias, opts);
 * }</pre>
 */
public final class ConvOptions {
    private final int[] stride, padBegin, padEnd, dilation, outputPadding;
    private final int groups;

    private ConvOptions(int[] stride, int[] padBegin, int[] padEnd, int[] dilation, int[] outputPadding, int groups) {
        this.stride = stride;
        this.padBegin = padBegin;
        this.padEnd = padEnd;
        this.dilation = dilation;
        this.outputPadding = outputPadding;
        this.groups = groups;
    }

    /** Stride 1, no padding, dilation 1, no output padding, one group. */
    public static ConvOptions defaults() {
        return new ConvOptions(new int[] {1}, new int[] {0}, new int[] {0}, new int[] {1}, new int[] {0}, 1);
    }

    public ConvOptions stride(int... s) {
        return new ConvOptions(checked("stride", s, 1), padBegin, padEnd, dilation, outputPadding, groups);
    }

    /** The same zero padding at both ends of each dim: one value, or one per spatial dim. */
    public ConvOptions padding(int... p) {
        int[] v = checked("padding", p, 0);
        return new ConvOptions(stride, v, v, dilation, outputPadding, groups);
    }

    /** Zero padding before ({@code begin}) and after ({@code end}) each spatial dim, one value or one per dim each. */
    public ConvOptions padding(int[] begin, int[] end) {
        int[] b = checked("padding (begin)", begin, 0), e = checked("padding (end)", end, 0);
        if (b.length != e.length && b.length != 1 && e.length != 1)
            throw new IllegalArgumentException("conv: padding begin " + Arrays.toString(b) + " and end " + Arrays.toString(e)
                    + " give different numbers of dims");
        return new ConvOptions(stride, b, e, dilation, outputPadding, groups);
    }

    public ConvOptions dilation(int... d) {
        return new ConvOptions(stride, padBegin, padEnd, checked("dilation", d, 1), outputPadding, groups);
    }

    /** Transposed convolution only: extra output rows/columns at the end of each dim (PyTorch's {@code output_padding}). */
    public ConvOptions outputPadding(int... p) {
        return new ConvOptions(stride, padBegin, padEnd, dilation, checked("output_padding", p, 0), groups);
    }

    public ConvOptions groups(int g) {
        if (g < 1) throw new IllegalArgumentException("conv: groups must be >= 1, got " + g);
        return new ConvOptions(stride, padBegin, padEnd, dilation, outputPadding, g);
    }

    public int groups() { return groups; }

    /** The stride per spatial dim of an input with {@code dims} spatial dims (likewise the other {@code ...For} methods). */
    public int[] strideFor(int dims) { return perDim("stride", stride, dims); }

    public int[] padBeginFor(int dims) { return perDim("padding", padBegin, dims); }

    public int[] padEndFor(int dims) { return perDim("padding", padEnd, dims); }

    public int[] dilationFor(int dims) { return perDim("dilation", dilation, dims); }

    public int[] outputPaddingFor(int dims) { return perDim("output_padding", outputPadding, dims); }

    private static int[] checked(String what, int[] v, int min) {
        if (v == null || v.length < 1 || v.length > 3)
            throw new IllegalArgumentException("conv: " + what + " takes one value or one per spatial dim (1 to 3), got "
                    + (v == null ? "null" : Arrays.toString(v)));
        for (int x : v)
            if (x < min) throw new IllegalArgumentException("conv: " + what + " must be >= " + min + ", got " + Arrays.toString(v));
        return v.clone();
    }

    private static int[] perDim(String what, int[] v, int dims) {
        if (v.length == dims) return v.clone();
        if (v.length == 1) {
            int[] all = new int[dims];
            Arrays.fill(all, v[0]);
            return all;
        }
        throw new IllegalArgumentException("conv: " + what + " " + Arrays.toString(v) + " has " + v.length
                + " values for an input with " + dims + " spatial dim" + (dims == 1 ? "" : "s"));
    }

    @Override
    public String toString() {
        return "stride " + Arrays.toString(stride) + ", padding " + (Arrays.equals(padBegin, padEnd) ? Arrays.toString(padBegin)
                : "begin " + Arrays.toString(padBegin) + " end " + Arrays.toString(padEnd)) + ", dilation " + Arrays.toString(dilation)
                + (Arrays.stream(outputPadding).allMatch(p -> p == 0) ? "" : ", output padding " + Arrays.toString(outputPadding))
                + ", groups " + groups;
    }
}
