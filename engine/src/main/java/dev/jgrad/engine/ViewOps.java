package dev.jgrad.engine;

import java.util.Arrays;

/** Ops that only change how a storage is seen: reshape, permute, slice, expand. */
final class ViewOps {
    private ViewOps() {}

    static Tensor reshape(Tensor x, int[] requested, boolean viewOnly) {
        String op = viewOnly ? "view" : "reshape";
        int[] shape = Shapes.copy(requested);
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dimension can be -1 in " + Shapes.str(requested));
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException(op + ": negative dimension in " + Shapes.str(requested));
            } else {
                known = Math.min(known * shape[i], Shapes.MAX_ELEMENTS + 1L);   // saturated: never overflows
            }
        }
        int n = x.numel();
        if (infer >= 0) {
            if (known == 0 || known > Shapes.MAX_ELEMENTS || n % known != 0)
                throw new IllegalArgumentException(op + ": cannot reshape " + Shapes.str(x.shape) + " to " + Shapes.str(requested));
            shape[infer] = (int) (n / known);
        }
        if (Shapes.numel(op, shape) != n)
            throw new IllegalArgumentException(op + ": cannot reshape " + Shapes.str(x.shape) + " (" + n + " elements) to "
                    + Shapes.str(shape) + " (" + Shapes.numel(op, shape) + " elements)");
        Tensor base = x;
        if (!x.isContiguous()) {
            if (viewOnly)
                throw new IllegalArgumentException("view: tensor " + Shapes.str(x.shape)
                        + " is not contiguous; use reshape() or contiguous() first");
            base = x.contiguous();
        }
        int[] from = x.shape;
        Tensor out = Tensor.view(base, shape, Shapes.contiguousStrides(shape), base.offset);
        return out.recorded(op, g -> new Tensor[] {g.reshape(from)}, base);
    }

    static Tensor permute(Tensor x, int[] dims) {
        int rank = x.shape.length;
        if (dims.length != rank)
            throw new IllegalArgumentException("permute: " + dims.length + " dimensions given for a tensor of rank " + rank);
        int[] shape = new int[rank], strides = new int[rank], inverse = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int d = Shapes.dim("permute", dims[i], rank);
            if (seen[d]) throw new IllegalArgumentException("permute: dimension " + d + " repeated in " + Arrays.toString(dims));
            seen[d] = true;
            shape[i] = x.shape[d];
            strides[i] = x.strides[d];
            inverse[d] = i;
        }
        Tensor out = Tensor.view(x, shape, strides, x.offset);
        return out.recorded("permute", g -> new Tensor[] {g.permute(inverse)}, x);
    }

    static Tensor slice(Tensor x, int dim, int start, int end, int step) {
        int d = Shapes.dim("slice", dim, x.shape.length);
        int size = x.shape[d];
        int s = start < 0 ? start + size : start;
        int e = end < 0 ? end + size : Math.min(end, size);
        if (step < 1) throw new IllegalArgumentException("slice: step must be >= 1, got " + step);
        if (s < 0 || s > size || e < s)
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") is not valid for dimension "
                    + dim + " of size " + size);
        int[] shape = x.shape(), strides = x.strides();
        // ceil((e - s) / step) without forming e - s + step - 1, which overflows for a step near 2^31
        shape[d] = e == s ? 0 : (e - s - 1) / step + 1;
        // one element kept: its stride is never used, and step * stride may not fit in an int;
        // more than one: (shape[d] - 1) * step * stride lies within the base's span, so it fits
        strides[d] = shape[d] <= 1 ? x.strides[d] : Math.multiplyExact(x.strides[d], step);
        Tensor out = Tensor.view(x, shape, strides, x.offset + s * x.strides[d]);
        int[] inShape = x.shape;
        return out.recorded("slice", g -> {
            Tensor gx = Tensor.zeros(g.device(), inShape);
            Tensor window = slice(gx, d, s, e, step);
            g.backend().copyStrided(g.view(), window.view(), window.shape);
            return new Tensor[] {gx};
        }, x);
    }

    static Tensor expand(Tensor x, int[] requested) {
        int rank = requested.length, lead = rank - x.shape.length;
        if (lead < 0)
            throw new IllegalArgumentException("expand: cannot expand " + Shapes.str(x.shape) + " to fewer dimensions "
                    + Shapes.str(requested));
        int[] shape = new int[rank], strides = new int[rank];
        for (int i = 0; i < rank; i++) {
            int have = i < lead ? 1 : x.shape[i - lead];
            int want = requested[i] == -1 && i >= lead ? have : requested[i];
            if (want != have && have != 1)
                throw new IllegalArgumentException("expand: cannot expand " + Shapes.str(x.shape) + " to "
                        + Shapes.str(requested) + " (dimension " + i + " is " + have + ", not 1)");
            if (want < 0) throw new IllegalArgumentException("expand: bad size in " + Shapes.str(requested));
            shape[i] = want;
            strides[i] = i < lead || have != want ? 0 : x.strides[i - lead];
        }
        int[] from = x.shape;
        Tensor out = Tensor.view(x, shape, strides, x.offset);
        return out.recorded("expand", g -> new Tensor[] {sumTo(g, from)}, x);
    }

    /** Sums {@code g} over the dimensions that broadcasting added or stretched, back to {@code shape}. */
    static Tensor sumTo(Tensor g, int[] shape) {
        if (Arrays.equals(g.shape, shape)) return g;
        int lead = g.shape.length - shape.length;
        int[] dims = new int[g.shape.length];
        int count = 0;
        for (int i = 0; i < g.shape.length; i++)
            if (i < lead || (shape[i - lead] == 1 && g.shape[i] != 1)) dims[count++] = i;
        Tensor summed = count == 0 ? g : g.sum(Arrays.copyOf(dims, count), true);
        return summed.reshape(shape);
    }
}
