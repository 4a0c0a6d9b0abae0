package dev.jgrad.engine;

import dev.jgrad.engine.autograd.GradMode;
import dev.jgrad.engine.autograd.Node;

import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional float32 array on one {@link Device}, with reverse-mode autograd.
 *
 * <p>A tensor is a {@link Storage} seen through a shape, strides and an offset, so views
 * ({@link #reshape}, {@link #permute}, {@link #slice}, {@link #expand}) share memory with their
 * base. Every op validates its inputs, allocates its output on the inputs' device, makes one call
 * into that device's {@link Backend}, and, when recording is on and an input requires a gradient,
 * records a {@link Node} whose rule computes the inputs' gradients.
 *
 * <p>The ops themselves live in {@link ElementwiseOps}, {@link ReductionOps}, {@link LinalgOps},
 * {@link NnOps} and {@link ViewOps}; this class is the API and the bookkeeping.
 */
public final class Tensor implements AutoCloseable {
    final Storage storage;
    final int[] shape;
    final int[] strides;
    final int offset;
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private java.util.List<java.util.function.Consumer<Tensor>> gradientHooks;
    private boolean closed;

    Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** A view of {@code base}'s memory: it holds a reference, which the enclosing scope (if any) drops at its end. */
    static Tensor view(Tensor base, int[] shape, int[] strides, int offset) {
        Tensor v = new Tensor(base.storage.retain(), shape, strides, offset);
        MemoryScope.registerView(v);
        return v;
    }

    /** A new, uninitialized contiguous tensor. */
    static Tensor empty(Device device, int... shape) {
        return empty("tensor", device, shape);
    }

    /** {@link #empty(Device, int...)} for {@code op}, whose name a size past the limit names. */
    static Tensor empty(String op, Device device, int... shape) {
        int[] s = Shapes.copy(shape);
        Buffer buffer = device.backend().allocate(Shapes.numel(op, s));
        return new Tensor(new Storage(device, buffer), s, Shapes.contiguousStrides(s), 0);
    }

    // ================================================================== creation

    /** A tensor holding a copy of {@code data} with the given shape, on the default device. */
    public static Tensor of(float[] data, int... shape) {
        return of(Device.defaultDevice(), data, shape);
    }

    /** A tensor holding a copy of {@code data} with the given shape, on {@code device}. */
    public static Tensor of(Device device, float[] data, int... shape) {
        int n = Shapes.numel("of", shape);
        if (data.length != n)
            throw new IllegalArgumentException("of: " + data.length + " values cannot fill shape " + Shapes.str(shape)
                    + " (" + n + " elements)");
        Tensor t = empty("of", device, shape);
        device.backend().copyIn(data, 0, t.buffer(), 0, n);
        return t;
    }

    /**
     * A tensor of {@code shape} over {@code buffer}, without a copy: element {@code i} of the
     * row-major tensor is element {@code i} of the buffer, so writes through either show in the
     * other. The buffer must belong to {@code device}'s backend and hold at least
     * {@code numel(shape)} floats (only the first {@code numel} are used).
     *
     * <p>The tensor borrows the buffer: closing it (or the end of its {@link MemoryScope}) ends the
     * tensor and its views but never frees the buffer, which stays the caller's; the caller keeps it
     * alive while the tensor is in use, and frees it afterwards if it owns it.
     *
     * @throws IllegalArgumentException if the buffer is not a live buffer of {@code device}, or is
     *                                  smaller than the shape
     */
    public static Tensor wrap(Device device, Buffer buffer, int... shape) {
        Objects.requireNonNull(device, "wrap: device is null");
        Objects.requireNonNull(buffer, "wrap: buffer is null");
        int[] s = Shapes.copy(shape);
        for (int d : s)
            if (d < 0) throw new IllegalArgumentException("wrap: shape " + Arrays.toString(s) + " has a negative size");
        int n = Shapes.numel(s);
        if (device.backend() instanceof AbstractBackend checked && !checked.owns(buffer))
            throw new IllegalArgumentException("wrap: the buffer (a " + buffer.getClass().getSimpleName()
                    + ") is not a live buffer of " + device + ": it was made by another backend, or already freed");
        if (buffer.capacity() < n)
            throw new IllegalArgumentException("wrap: shape " + Shapes.str(s) + " needs " + n + " floats, the buffer holds "
                    + buffer.capacity());
        return new Tensor(new Storage(device, buffer, true), s, Shapes.contiguousStrides(s), 0);
    }

    /** A 2-D tensor {@code (rows.length, rows[0].length)} from a Java matrix. */
    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[Shapes.numel("of", new int[] {rows.length, cols})];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols)
                throw new IllegalArgumentException("of: row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return of(flat, rows.length, cols);
    }

    /** A rank-0 tensor holding {@code value}. */
    public static Tensor scalar(float value) {
        return of(new float[] {value});
    }

    /**
     * A tensor of zeros, on the default device.
     *
     * @throws IllegalArgumentException if a size is negative or the shape has more than
     *                                  {@link Shapes#MAX_ELEMENTS} elements
     */
    public static Tensor zeros(int... shape) {
        return full("zeros", Device.defaultDevice(), 0f, shape);
    }

    /** A tensor of zeros on {@code device}; limits as {@link #zeros(int...)}. */
    public static Tensor zeros(Device device, int... shape) {
        return full("zeros", device, 0f, shape);
    }

    /** A tensor of ones, on the default device; limits as {@link #zeros(int...)}. */
    public static Tensor ones(int... shape) {
        return full("ones", Device.defaultDevice(), 1f, shape);
    }

    /** A tensor of ones on {@code device}; limits as {@link #zeros(int...)}. */
    public static Tensor ones(Device device, int... shape) {
        return full("ones", device, 1f, shape);
    }

    /** A tensor filled with {@code value}, on the default device; limits as {@link #zeros(int...)}. */
    public static Tensor full(float value, int... shape) {
        return full("full", Device.defaultDevice(), value, shape);
    }

    /** A tensor filled with {@code value} on {@code device}; limits as {@link #zeros(int...)}. */
    public static Tensor full(Device device, float value, int... shape) {
        return full("full", device, value, shape);
    }

    private static Tensor full(String op, Device device, float value, int... shape) {
        Tensor t = empty(op, device, shape);
        device.backend().fill(t.buffer(), t.numel(), value);
        return t;
    }

    /** {@code [0, 1, ..., n-1]}. */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /** {@code start, start + step, ...} up to but excluding {@code end}. */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0 || !Float.isFinite(start) || !Float.isFinite(end) || !Float.isFinite(step))
            throw new IllegalArgumentException("arange: need finite start/end and a non-zero step, got "
                    + start + ", " + end + ", " + step);
        double count = Math.max(0, Math.ceil(((double) end - start) / step));
        if (count > Shapes.MAX_ELEMENTS)
            throw Shapes.tooLarge("arange", "the range from " + start + " to " + end + " by " + step, (long) count);
        int n = (int) count;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = start + i * step;
        return of(v, n);
    }

    /** Uniform in {@code [0, 1)}, from {@code gen}, on the default device. */
    public static Tensor rand(Generator gen, int... shape) {
        return rand(Device.defaultDevice(), gen, shape);
    }

    public static Tensor rand(Device device, Generator gen, int... shape) {
        float[] v = new float[Shapes.numel("rand", shape)];
        for (int i = 0; i < v.length; i++) v[i] = gen.nextFloat();
        return of(device, v, shape);
    }

    /** Standard normal, from {@code gen}, on the default device. */
    public static Tensor randn(Generator gen, int... shape) {
        return randn(Device.defaultDevice(), gen, shape);
    }

    public static Tensor randn(Device device, Generator gen, int... shape) {
        float[] v = new float[Shapes.numel("randn", shape)];
        for (int i = 0; i < v.length; i++) v[i] = gen.nextGaussian();
        return of(device, v, shape);
    }

    /** A new tensor of this shape and device filled with {@code value}. */
    public Tensor fullLike(float value) {
        return full(device(), value, shape);
    }

    // ================================================================== facts

    public int[] shape() {
        return Shapes.copy(shape);
    }

    /** Size of dimension {@code d} (negative counts from the end). */
    public int size(int d) {
        return shape[Shapes.dim("size", d, shape.length)];
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return Shapes.numel(shape);
    }

    public int[] strides() {
        return Shapes.copy(strides);
    }

    public int offset() {
        return offset;
    }

    public Device device() {
        return storage.device;
    }

    /** True when the elements are laid out row-major without gaps (any offset). */
    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /**
     * This tensor's elements as a buffer of its device's backend, element {@code i} of the row-major
     * tensor at buffer element {@code i}, for a program that calls {@link Backend} methods itself.
     *
     * <p>Without a copy when the tensor is laid out that way already ({@link #isContiguous()} with
     * {@link #offset()} 0, such as every tensor an op returns): then the buffer is this tensor's
     * memory, and writes through either show in the other (the buffer may hold more elements than
     * {@link #numel()}, after a slice). Any other tensor (a transpose, a slice past the first row)
     * is first copied by {@link #contiguous()}, and the buffer is the copy's memory.
     *
     * <p>Either way the buffer belongs to a tensor, not to the caller: never {@code free} it. It is
     * valid until that tensor's memory is released: this tensor's, or the copy's, which belongs to
     * the current {@link MemoryScope} like every new tensor (outside a scope, it lives while the
     * buffer is referenced). To move it to another device first, {@code to(device).toBuffer()}.
     */
    public Buffer toBuffer() {
        return dense().buffer();
    }

    /** The elements as a row-major Java array (a copy). */
    public float[] toArray() {
        Tensor d = dense();
        float[] out = new float[numel()];
        device().backend().copyOut(d.buffer(), 0, out, 0, out.length);
        return out;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1)
            throw new IllegalArgumentException("item: tensor of shape " + Shapes.str(shape) + " has " + numel()
                    + " elements, not 1");
        return toArray()[0];
    }

    /** The element at {@code index} (one entry per dimension). */
    public float get(int... index) {
        if (index.length != shape.length)
            throw new IllegalArgumentException("get: " + index.length + " indices for a tensor of rank " + shape.length);
        int at = offset;
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d])
                throw new IndexOutOfBoundsException("get: index " + index[d] + " is out of range for dimension " + d
                        + " of size " + shape[d]);
            at += index[d] * strides[d];
        }
        return device().backend().read(buffer(), at);
    }

    /** The element at {@code i} of a 1-D tensor: {@link #get(int...)} without the index array. */
    public float get(int i) {
        if (shape.length != 1)
            throw new IllegalArgumentException("get: 1 index for a tensor of rank " + shape.length);
        if (i < 0 || i >= shape[0])
            throw new IndexOutOfBoundsException("get: index " + i + " is out of range for dimension 0 of size " + shape[0]);
        return device().backend().read(buffer(), offset + i * strides[0]);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Shapes.str(shape)).append(" on ").append(device());
        if (gradFn != null) sb.append(", gradFn=").append(gradFn.op());
        else if (requiresGrad) sb.append(", requiresGrad");
        if (numel() <= 16 && !storage.released()) sb.append(' ').append(Arrays.toString(toArray()));
        return sb.toString();
    }

    // ================================================================== device, memory

    /** This tensor on {@code target} (itself when already there); differentiable. */
    public Tensor to(Device target) {
        if (target == device()) return this;
        float[] host = toArray();
        Tensor out = of(target, host, shape);
        Device from = device();
        return out.recorded("to", g -> new Tensor[] {g.to(from)}, this);
    }

    /**
     * Releases this tensor's reference to its memory; the memory returns to the backend when the
     * last tensor sharing it (views included) is closed. Using a closed tensor throws.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        MemoryScope.forgetView(this);
        storage.release();
    }

    /** A tensor sharing this one's memory, cut off from the graph. */
    public Tensor detach() {
        return view(this, shape, strides, offset);
    }

    /** Copies {@code src} (broadcast to this shape) into this tensor's memory, in place. */
    public Tensor copyFrom(Tensor src) {
        if (requiresGrad && GradMode.isEnabled())
            throw new IllegalStateException("copyFrom: in-place write to a tensor that requires grad; "
                    + "do it inside GradMode.disable()");
        ElementwiseOps.sameDevice("copyFrom", this, src);
        Shapes.broadcast("copyFrom", src.shape, shape);
        device().backend().copyStrided(src.broadcastView(shape), view(), shape);
        return this;
    }

    Buffer buffer() {
        if (closed || storage.released())
            throw new IllegalStateException("tensor " + Shapes.str(shape) + " was closed; its memory is gone");
        return storage.buffer;
    }

    Backend backend() {
        return storage.device.backend();
    }

    /** This tensor as a strided view of its buffer. */
    StridedView view() {
        return new StridedView(buffer(), offset, strides);
    }

    /** A view of this tensor's buffer broadcast to {@code target} (zero strides where repeated). */
    StridedView broadcastView(int[] target) {
        int[] s = new int[target.length];
        int lead = target.length - shape.length;
        for (int d = 0; d < shape.length; d++) s[lead + d] = shape[d] == 1 ? 0 : strides[d];
        return new StridedView(buffer(), offset, s);
    }

    /** This tensor contiguous from element 0 of its own buffer (a copy unless it already is). */
    Tensor dense() {
        return isContiguous() && offset == 0 ? this : contiguous();
    }

    // ================================================================== autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as one whose gradient {@link #backward()} should compute. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value)
            throw new IllegalArgumentException("requiresGrad: " + this + " is the output of an op; use detach()");
        requiresGrad = value;
        return this;
    }

    /** The accumulated gradient, or null before any backward. */
    public Tensor grad() {
        return grad;
    }

    /** Forgets the accumulated gradient and returns its memory. */
    public void zeroGrad() {
        if (grad != null) grad.close();
        grad = null;
    }

    /** The node that made this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /** Backpropagates from this one-element tensor (usually a loss) with gradient 1. */
    public void backward() {
        if (numel() != 1)
            throw new IllegalArgumentException("backward: needs a one-element tensor (a loss), got shape "
                    + Shapes.str(shape) + "; pass a gradient of the same shape instead");
        backward(fullLike(1f));
    }

    /** Backpropagates {@code gradient} (same shape as this tensor) through the recorded graph. */
    public void backward(Tensor gradient) {
        Backprop.run(this, gradient);
    }

    void setGrad(Tensor g) {
        grad = g;
    }

    /**
     * Calls {@code hook} with this leaf each time a backward pass has finished accumulating its
     * gradient (PyTorch's {@code register_post_accumulate_grad_hook}): the gradient is final for
     * that pass while the rest of the graph is still being walked, which is when data-parallel
     * training starts reducing it. The hook runs on the backward pass's thread, with recording
     * off; closing the returned handle removes it.
     */
    public AutoCloseable onGradientReady(java.util.function.Consumer<Tensor> hook) {
        if (hook == null) throw new IllegalArgumentException("onGradientReady: the hook is null");
        if (gradFn != null) throw new IllegalArgumentException("onGradientReady: " + this + " is the output of an op, not a leaf");
        synchronized (this) {
            if (gradientHooks == null) gradientHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
            gradientHooks.add(hook);
        }
        return () -> gradientHooks.remove(hook);
    }

    void gradientReady() {
        if (gradientHooks != null) for (var hook : gradientHooks) hook.accept(this);
    }

    /**
     * An op defined outside the engine (PyTorch's {@code autograd.Function}): {@code output} was
     * just computed from {@code inputs} without recording (under {@link GradMode#disable()}, or by
     * work the engine does not see, such as a collective), and {@code rule} maps the gradient of
     * {@code output} to the gradients of {@code inputs}, in order. Records the op when recording is
     * on and an input requires a gradient; returns {@code output}.
     */
    public static Tensor custom(String op, Tensor output, Node.Rule rule, Tensor... inputs) {
        if (op == null || rule == null || output == null) throw new IllegalArgumentException("custom: op, output and rule must not be null");
        if (output.gradFn != null || output.requiresGrad)
            throw new IllegalArgumentException("custom " + op + ": the output " + output + " was recorded already; compute it without recording");
        return output.recorded(op, rule, inputs);
    }

    /**
     * Gives this leaf the gradient {@code g} (PyTorch's {@code p.grad = g}), closing the one it had:
     * for code that makes gradients itself, such as data-parallel training giving a rank without
     * examples zeros to contribute. {@code g} must have this tensor's shape and device; like a
     * gradient that {@link #backward()} accumulated, it outlives the current {@link MemoryScope}.
     */
    public void setGradient(Tensor g) {
        if (g == null) throw new IllegalArgumentException("setGradient: the gradient is null; use zeroGrad() to clear it");
        if (gradFn != null) throw new IllegalArgumentException("setGradient: " + this + " is the output of an op, not a leaf");
        if (!requiresGrad) throw new IllegalArgumentException("setGradient: " + this + " does not require a gradient");
        if (!java.util.Arrays.equals(shape, g.shape))
            throw new IllegalArgumentException("setGradient: gradient of shape " + Shapes.str(g.shape) + " for a tensor of shape " + Shapes.str(shape));
        if (!g.device().equals(device()))
            throw new IllegalArgumentException("setGradient: gradient on " + g.device() + " for a tensor on " + device());
        if (grad != null && grad != g) grad.close();
        grad = MemoryScope.keep(g);
    }

    void releaseNode() {
        if (gradFn != null) gradFn.release();
    }

    /**
     * Records {@code rule} as the way back from this (freshly made) output to {@code inputs}, if
     * recording is on and an input requires a gradient. Returns this tensor.
     */
    Tensor recorded(String op, Node.Rule rule, Tensor... inputs) {
        if (!GradMode.isEnabled()) return this;
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                requiresGrad = true;
                gradFn = new Node(op, rule, inputs);
                return this;
            }
        }
        return this;
    }

    // ================================================================== views

    /** The same elements in a new shape (one entry may be -1); a view when possible. */
    public Tensor reshape(int... newShape) {
        return ViewOps.reshape(this, newShape, false);
    }

    /** Like {@link #reshape} but never copies: throws if this tensor is not contiguous. */
    public Tensor view(int... newShape) {
        return ViewOps.reshape(this, newShape, true);
    }

    /** All dimensions flattened into one. */
    public Tensor flatten() {
        return reshape(-1);
    }

    /** Dimensions from {@code startDim} on flattened into one: {@code (N, C, H, W) -> (N, C*H*W)} for 1. */
    public Tensor flatten(int startDim) {
        int s = Shapes.dim("flatten", startDim, shape.length);
        int[] ns = Arrays.copyOf(shape, s + 1);
        ns[s] = -1;
        return reshape(ns);
    }

    /** The dimensions reordered: output dimension i is input dimension {@code dims[i]}. */
    public Tensor permute(int... dims) {
        return ViewOps.permute(this, dims);
    }

    /** Dimensions {@code a} and {@code b} swapped. */
    public Tensor transpose(int a, int b) {
        int[] dims = new int[shape.length];
        for (int i = 0; i < dims.length; i++) dims[i] = i;
        int da = Shapes.dim("transpose", a, shape.length), db = Shapes.dim("transpose", b, shape.length);
        dims[da] = db;
        dims[db] = da;
        return permute(dims);
    }

    /** The transpose of a matrix. */
    public Tensor t() {
        if (shape.length != 2)
            throw new IllegalArgumentException("t: needs a 2-D tensor, got shape " + Shapes.str(shape));
        return transpose(0, 1);
    }

    /** Elements {@code start, start+step, ...} (before {@code end}) of dimension {@code dim}; negative bounds count from the end. */
    public Tensor slice(int dim, int start, int end, int step) {
        return ViewOps.slice(this, dim, start, end, step);
    }

    public Tensor slice(int dim, int start, int end) {
        return slice(dim, start, end, 1);
    }

    /** Index {@code index} of dimension {@code dim}, which disappears. */
    public Tensor select(int dim, int index) {
        int d = Shapes.dim("select", dim, shape.length);
        int i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d])
            throw new IndexOutOfBoundsException("select: index " + index + " is out of range for dimension " + dim
                    + " of size " + shape[d]);
        return slice(d, i, i + 1).squeeze(d);
    }

    /** This tensor repeated along size-1 (or new leading) dimensions; a view (-1 keeps a size). */
    public Tensor expand(int... newShape) {
        return ViewOps.expand(this, newShape);
    }

    /** A size-1 dimension inserted at {@code dim}. */
    public Tensor unsqueeze(int dim) {
        int d = Shapes.dim("unsqueeze", dim, shape.length + 1);
        int[] ns = new int[shape.length + 1];
        for (int i = 0, j = 0; i < ns.length; i++) ns[i] = i == d ? 1 : shape[j++];
        return reshape(ns);
    }

    /** Size-1 dimension {@code dim} removed. */
    public Tensor squeeze(int dim) {
        int d = Shapes.dim("squeeze", dim, shape.length);
        if (shape[d] != 1)
            throw new IllegalArgumentException("squeeze: dimension " + dim + " of " + Shapes.str(shape) + " is not 1");
        int[] ns = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) ns[j++] = shape[i];
        return reshape(ns);
    }

    /** A row-major copy, or this tensor if it already is row-major. */
    public Tensor contiguous() {
        if (isContiguous() && offset == 0) return this;
        Tensor out = empty("contiguous", device(), shape);
        backend().copyStrided(view(), out.view(), shape);
        return out.recorded("contiguous", g -> new Tensor[] {g}, this);
    }

    // ================================================================== elementwise

    public Tensor add(Tensor other) { return ElementwiseOps.binary(BinaryOp.ADD, this, other); }

    public Tensor sub(Tensor other) { return ElementwiseOps.binary(BinaryOp.SUB, this, other); }

    public Tensor mul(Tensor other) { return ElementwiseOps.binary(BinaryOp.MUL, this, other); }

    public Tensor div(Tensor other) { return ElementwiseOps.binary(BinaryOp.DIV, this, other); }

    /**
     * Elementwise {@code this ^ exponent}. Gradients as PyTorch 1.13 at base 0: {@code d/dthis = 0}
     * where the exponent is 0, {@code d/dexponent = 0} where this is 0 and the exponent >= 0.
     */
    public Tensor pow(Tensor exponent) { return ElementwiseOps.binary(BinaryOp.POW, this, exponent); }

    /** Elementwise maximum, NaN if either is (gradient: half to each side at a tie, all to both at a NaN, as PyTorch). */
    public Tensor maximum(Tensor other) { return ElementwiseOps.binary(BinaryOp.MAX, this, other); }

    /** Elementwise minimum, NaN if either is (gradient: half to each side at a tie, all to both at a NaN, as PyTorch). */
    public Tensor minimum(Tensor other) { return ElementwiseOps.binary(BinaryOp.MIN, this, other); }

    public Tensor add(float s) { return add(fullLikeScalar(s)); }

    public Tensor sub(float s) { return sub(fullLikeScalar(s)); }

    public Tensor mul(float s) { return mul(fullLikeScalar(s)); }

    public Tensor div(float s) { return div(fullLikeScalar(s)); }

    /** 1.0 where equal, else 0.0 (no gradient). */
    public Tensor eq(Tensor other) { return ElementwiseOps.binary(BinaryOp.EQ, this, other); }

    public Tensor ne(Tensor other) { return ElementwiseOps.binary(BinaryOp.NE, this, other); }

    public Tensor lt(Tensor other) { return ElementwiseOps.binary(BinaryOp.LT, this, other); }

    public Tensor le(Tensor other) { return ElementwiseOps.binary(BinaryOp.LE, this, other); }

    public Tensor gt(Tensor other) { return ElementwiseOps.binary(BinaryOp.GT, this, other); }

    public Tensor ge(Tensor other) { return ElementwiseOps.binary(BinaryOp.GE, this, other); }

    public Tensor gt(float s) { return gt(fullLikeScalar(s)); }

    public Tensor lt(float s) { return lt(fullLikeScalar(s)); }

    /** {@code cond != 0 ? a : b}, elementwise with broadcasting of all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return ElementwiseOps.where(cond, a, b);
    }

    public Tensor neg() { return ElementwiseOps.unary(UnaryOp.NEG, this, 0, 0); }

    public Tensor exp() { return ElementwiseOps.unary(UnaryOp.EXP, this, 0, 0); }

    public Tensor log() { return ElementwiseOps.unary(UnaryOp.LOG, this, 0, 0); }

    public Tensor sqrt() { return ElementwiseOps.unary(UnaryOp.SQRT, this, 0, 0); }

    public Tensor abs() { return ElementwiseOps.unary(UnaryOp.ABS, this, 0, 0); }

    public Tensor relu() { return ElementwiseOps.unary(UnaryOp.RELU, this, 0, 0); }

    public Tensor sigmoid() { return ElementwiseOps.unary(UnaryOp.SIGMOID, this, 0, 0); }

    public Tensor tanh() { return ElementwiseOps.unary(UnaryOp.TANH, this, 0, 0); }

    /**
     * Elementwise {@code this ^ exponent}, as PyTorch's {@code pow(Tensor, Scalar)}: exponents 0.5
     * and -0.5 are sqrt and rsqrt, and {@code pow(0)} has gradient 0 everywhere (also at 0).
     */
    public Tensor pow(float exponent) { return ElementwiseOps.unary(UnaryOp.POW, this, exponent, 0); }

    /** Elementwise {@code min(max(this, min), max)}. */
    public Tensor clamp(float min, float max) {
        if (!(min <= max)) throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
        return ElementwiseOps.unary(UnaryOp.CLAMP, this, min, max);
    }

    private Tensor fullLikeScalar(float s) {
        return full(device(), s);
    }

    // ================================================================== reductions

    /** Sum of all elements, a rank-0 tensor. */
    public Tensor sum() { return ReductionOps.reduce(ReduceOp.SUM, this, null, false); }

    /** Sum over {@code dims}; {@code keepdim} keeps them as size 1. */
    public Tensor sum(int[] dims, boolean keepdim) { return ReductionOps.reduce(ReduceOp.SUM, this, dims, keepdim); }

    public Tensor sum(int dim, boolean keepdim) { return sum(new int[] {dim}, keepdim); }

    public Tensor mean() { return ReductionOps.reduce(ReduceOp.MEAN, this, null, false); }

    public Tensor mean(int[] dims, boolean keepdim) { return ReductionOps.reduce(ReduceOp.MEAN, this, dims, keepdim); }

    public Tensor mean(int dim, boolean keepdim) { return mean(new int[] {dim}, keepdim); }

    /**
     * Largest element, a rank-0 tensor; as in PyTorch, its gradient is spread evenly over every
     * maximum (every NaN when the maximum is NaN).
     */
    public Tensor max() { return ReductionOps.maxAll(this); }

    /** Largest element along {@code dim} (gradient goes to the first maximum). */
    public Tensor max(int dim, boolean keepdim) { return ReductionOps.max(this, dim, keepdim); }

    /** Index of the first largest element along {@code dim}, as a float tensor. */
    public Tensor argmax(int dim, boolean keepdim) { return ReductionOps.argmax(this, dim, keepdim); }

    /** Variance over {@code dims}: {@code sum((x - mean)^2) / (count - correction)}. */
    public Tensor var(int[] dims, boolean keepdim, int correction) {
        return ReductionOps.variance(this, dims, keepdim, correction);
    }

    /** Unbiased variance of all elements. */
    public Tensor var() { return ReductionOps.variance(this, null, false, 1); }

    // ================================================================== linear algebra, nn

    /**
     * Matrix product with NumPy semantics: {@code (m, k) @ (k, n) -> (m, n)}; leading batch
     * dimensions broadcast, {@code (..., m, k) @ (..., k, n) -> (..., m, n)}; a 1-D operand is a
     * vector.
     */
    public Tensor matmul(Tensor other) { return LinalgOps.matmul(this, other); }

    /**
     * 2-D convolution of this {@code (N, C, H, W)} with {@code weight (O, C, kh, kw)} plus
     * {@code bias (O)} (may be null) -> {@code (N, O, outH, outW)}.
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(weight, bias, stride, stride, padding, padding);
    }

    public Tensor conv2d(Tensor weight, Tensor bias, int strideH, int strideW, int padH, int padW) {
        return LinalgOps.conv2d(this, weight, bias, strideH, strideW, padH, padW);
    }

    /**
     * Convolution in 1, 2 or 3 spatial dims, as PyTorch's {@code F.conv1d/2d/3d}: this
     * {@code (N, C, L)}, {@code (N, C, H, W)} or {@code (N, C, D, H, W)} with {@code weight
     * (O, C/groups, k...)} of the same rank, plus {@code bias (O)} (may be null), with the stride,
     * padding (begin and end may differ), dilation and groups of {@code options}
     * ({@link ConvOptions#defaults()} for none). Depthwise is {@code groups = C}. Output size per
     * dim {@code (in + padBegin + padEnd - dilation (k - 1) - 1) / stride + 1}.
     */
    public Tensor conv(Tensor weight, Tensor bias, ConvOptions options) {
        return ConvOps.conv(this, weight, bias, options);
    }

    /**
     * Transposed convolution in 1, 2 or 3 spatial dims, as PyTorch's {@code F.conv_transpose1d/2d/3d}
     * (the gradient of {@link #conv} with respect to its input): this {@code (N, C, in...)} with
     * {@code weight (C, O/groups, k...)} (PyTorch's layout) plus {@code bias (O)} (may be null); output
     * size per dim {@code (in - 1) stride - padBegin - padEnd + dilation (k - 1) + outputPadding + 1}.
     * {@code outputPadding} must be smaller than the stride.
     */
    public Tensor convTranspose(Tensor weight, Tensor bias, ConvOptions options) {
        return ConvOps.convTranspose(this, weight, bias, options);
    }

    /** Max-pooling of {@code (N, C, H, W)} with a square window; padding counts as minus infinity. */
    public Tensor maxPool2d(int kernel, int stride, int padding) {
        return NnOps.maxPool2d(this, kernel, kernel, stride, stride, padding, padding);
    }

    /** Average-pooling of {@code (N, C, H, W)}; padding counts as zeros in the average. */
    public Tensor avgPool2d(int kernel, int stride, int padding) {
        return NnOps.avgPool2d(this, kernel, kernel, stride, stride, padding, padding);
    }

    /** Softmax along {@code dim}. */
    public Tensor softmax(int dim) { return NnOps.softmax(this, dim, false); }

    /** Log-softmax along {@code dim}. */
    public Tensor logSoftmax(int dim) { return NnOps.softmax(this, dim, true); }

    /**
     * Mean cross-entropy of these logits {@code (N, C)} against class indices {@code labels (N)},
     * computed with log-sum-exp so large logits stay finite; a rank-0 tensor.
     */
    public Tensor crossEntropy(Tensor labels) { return NnOps.crossEntropy(this, labels); }

    /**
     * Batch norm of {@code (N, C, ...)} (any rank >= 2: {@code (N, C)}, {@code (N, C, L)},
     * {@code (N, C, H, W)}, {@code (N, C, D, H, W)}) per channel with affine
     * {@code gamma, beta (C)}. Training uses the batch's statistics and updates
     * {@code runningMean}/{@code runningVar (C)} in place with {@code momentum}; evaluation uses the
     * running statistics.
     */
    public Tensor batchNorm(Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                            boolean training, float momentum, float eps) {
        return NnOps.batchNorm(this, gamma, beta, runningMean, runningVar, training, momentum, eps);
    }

    /**
     * Inverted dropout: in training, each element is zeroed with probability {@code p} and the rest
     * scaled by {@code 1/(1-p)}; in evaluation the identity.
     */
    public Tensor dropout(float p, boolean training, Generator gen) {
        return NnOps.dropout(this, p, training, gen);
    }

    // ================================================================== losses with PyTorch's options (issue 14)

    /**
     * Cross-entropy of these logits {@code (N, C)} against class indices {@code labels (N)} with
     * PyTorch 1.13's {@code weight}, {@code ignore_index}, {@code label_smoothing} and
     * {@code reduction} (see {@link CrossEntropyOptions}). With weights {@code w} (ones when
     * absent), smoothing {@code s}, {@code p = logSoftmax(logits)} and a kept row {@code i}
     * (label {@code y_i != ignore_index}): {@code loss_i = -(1 - s) w[y_i] p[i, y_i] - (s / C)
     * sum_c w[c] p[i, c]}; an ignored row gives 0. Mean is {@code sum_i loss_i / sum w[y_i]} over
     * the kept rows (NaN when every row is ignored, as PyTorch), sum is {@code sum_i loss_i}, none
     * is {@code (N)}. Without options in effect this is {@link #crossEntropy(Tensor)}'s fused
     * kernel; otherwise a composition of log-softmax, multiply and sum (see {@code LossOps}).
     *
     * @throws IllegalArgumentException if the shapes disagree, a kept label is not an integer in
     *                                  {@code [0, C)}, or the weight is not {@code (C)}
     */
    public Tensor crossEntropy(Tensor labels, CrossEntropyOptions options) {
        return LossOps.crossEntropy(this, labels, options);
    }

    /**
     * Negative log-likelihood of these log-probabilities {@code (N, C)} against class indices
     * {@code labels (N)}, as PyTorch 1.13's {@code nll_loss}: {@code loss_i = -w[y_i] this[i, y_i]}
     * for a kept row, 0 for an ignored one; mean divides by the sum of the kept rows' weights.
     * Label smoothing is rejected (NLL has none).
     */
    public Tensor nllLoss(Tensor labels, CrossEntropyOptions options) {
        return LossOps.nllLoss(this, labels, options);
    }

    // ================================================================== layer norm, group norm (issue 14)

    /**
     * Layer norm over the last dimensions, which must equal {@code normalizedShape}:
     * {@code (x - mean) / sqrt(var + eps) * weight + bias} with the mean and biased variance over
     * those dimensions, as PyTorch's {@code layer_norm}; {@code weight} and {@code bias} have
     * {@code normalizedShape} and may be null. A composition of existing ops (see {@code NormOps}).
     */
    public Tensor layerNorm(int[] normalizedShape, Tensor weight, Tensor bias, float eps) {
        return NormOps.layerNorm(this, normalizedShape, weight, bias, eps);
    }

    /**
     * Group norm of {@code (N, C, ...)}: the channels in {@code groups} groups, each (sample, group)
     * normalized over its channels and positions, then {@code weight}, {@code bias (C)} per channel
     * (may be null), as PyTorch's {@code group_norm}. A composition of existing ops.
     */
    public Tensor groupNorm(int groups, Tensor weight, Tensor bias, float eps) {
        return NormOps.groupNorm(this, groups, weight, bias, eps);
    }

    // ---------------------------------------------------------------- pooling in 1 to 3 dims (issue 14)

    /**
     * Max-pooling of {@code (N, C, *spatial)} or {@code (C, *spatial)} over the last
     * {@code kernel.length} (1 to 3) dims, as PyTorch's {@code max_pool1d/2d/3d}: {@code stride}
     * null means the kernel; {@code stride}, {@code padding} and {@code dilation} have one entry per
     * spatial dim or one for all; padding is minus infinity, at most half the window. With
     * {@code ceilMode} the output rounds up, as long as the last window starts inside the input or
     * its left padding. Gradients go to each window's first maximum (a NaN beats every number).
     */
    public Tensor maxPool(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return PoolOps.maxPool(this, kernel, stride, padding, dilation, ceilMode);
    }

    /**
     * Average-pooling over the last {@code kernel.length} dims, as PyTorch's {@code avg_pool1d/2d/3d}
     * (arguments as in {@link #maxPool}); each window's sum is divided by {@code divisorOverride}
     * when positive, otherwise by the window's size clipped to the padded input
     * ({@code countIncludePad}) or by its taps inside the input (without).
     */
    public Tensor avgPool(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                          int divisorOverride) {
        return PoolOps.avgPool(this, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    /**
     * Adaptive average-pooling of the last {@code outputSize.length} (1 to 3) dims to
     * {@code outputSize}: output {@code j} of a dim of size {@code i} averages
     * {@code [floor(j i / o), ceil((j + 1) i / o))} (PyTorch's {@code adaptive_avg_pool1d/2d/3d};
     * an output size of 1 everywhere is global average pooling).
     */
    public Tensor adaptiveAvgPool(int... outputSize) {
        return PoolOps.adaptiveAvgPool(this, outputSize);
    }

    /** Adaptive max-pooling over the windows of {@link #adaptiveAvgPool}; gradients as in {@link #maxPool}. */
    public Tensor adaptiveMaxPool(int... outputSize) {
        return PoolOps.adaptiveMaxPool(this, outputSize);
    }

    // ================================================================== activations, indexing and joining (issue 14)

    /** GELU, {@code x Phi(x)} with the exact normal CDF (PyTorch's default {@code approximate='none'}). */
    public Tensor gelu() { return ElementwiseOps.unary(UnaryOp.GELU, this, 0, 0); }

    /** GELU, exact ({@code tanhApproximation} false) or PyTorch's {@code approximate='tanh'} form. */
    public Tensor gelu(boolean tanhApproximation) { return ElementwiseOps.unary(UnaryOp.GELU, this, tanhApproximation ? 1 : 0, 0); }

    /** SiLU (swish), {@code x sigmoid(x)}. */
    public Tensor silu() { return ElementwiseOps.unary(UnaryOp.SILU, this, 0, 0); }

    /** The error function, elementwise ({@code torch.erf}); its derivative is {@code 2/sqrt(pi) exp(-x^2)}. */
    public Tensor erf() { return ElementwiseOps.unary(UnaryOp.ERF, this, 0, 0); }

    /** ELU with {@code alpha = 1}. */
    public Tensor elu() { return elu(1f); }

    /** ELU, {@code x > 0 ? x : alpha (exp(x) - 1)}. */
    public Tensor elu(float alpha) { return ElementwiseOps.unary(UnaryOp.ELU, this, alpha, 0); }

    /** Leaky ReLU with PyTorch's default slope 0.01. */
    public Tensor leakyRelu() { return leakyRelu(0.01f); }

    /** Leaky ReLU, {@code x > 0 ? x : negativeSlope x}. */
    public Tensor leakyRelu(float negativeSlope) { return ElementwiseOps.unary(UnaryOp.LEAKY_RELU, this, negativeSlope, 0); }

    /** Softplus with PyTorch's defaults {@code beta = 1}, {@code threshold = 20}. */
    public Tensor softplus() { return softplus(1f, 20f); }

    /** Softplus, {@code log(1 + exp(beta x)) / beta}, and {@code x} itself where {@code beta x > threshold}. */
    public Tensor softplus(float beta, float threshold) {
        if (!(beta != 0) || !Float.isFinite(beta)) throw new IllegalArgumentException("softplus: beta must be finite and non-zero, got " + beta);
        return ElementwiseOps.unary(UnaryOp.SOFTPLUS, this, beta, threshold);
    }

    /** PReLU, {@code x > 0 ? x : weight x}, with {@code weight} of shape {@code (1)} or {@code (channels)} (dimension 1). */
    public Tensor prelu(Tensor weight) { return IndexOps.prelu(this, weight); }

    /** The entries {@code index} (1-D, integers as floats) along {@code dim}, PyTorch's {@code index_select}. */
    public Tensor indexSelect(int dim, Tensor index) { return IndexOps.indexSelect(this, dim, index); }

    /** PyTorch's {@code torch.gather(this, dim, index)}: the output has the index's shape. */
    public Tensor gather(int dim, Tensor index) { return IndexOps.gather(this, dim, index); }

    /** PyTorch's {@code scatter_add} (not in place): this plus {@code src} added at {@code index} along {@code dim}. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return IndexOps.scatterAdd(this, dim, index, src); }

    /** Zero padding: {@code pads} holds (before, after) pairs from the last dimension backwards, as {@code F.pad}. */
    public Tensor pad(int... pads) { return IndexOps.pad(this, pads, PadMode.CONSTANT, 0f); }

    /** Padding in one of PyTorch's modes; {@code value} is used by {@link PadMode#CONSTANT} only. */
    public Tensor pad(int[] pads, PadMode mode, float value) { return IndexOps.pad(this, pads, mode, value); }

    /** Concatenation along {@code dim}; every other dimension must match. */
    public static Tensor cat(java.util.List<Tensor> tensors, int dim) { return IndexOps.cat(tensors, dim); }

    /** Concatenation along {@code dim}. */
    public static Tensor cat(int dim, Tensor... tensors) { return IndexOps.cat(java.util.Arrays.asList(tensors), dim); }

    /** Tensors of one shape stacked along a new dimension {@code dim}. */
    public static Tensor stack(java.util.List<Tensor> tensors, int dim) { return IndexOps.stack(tensors, dim); }

    /** Tensors of one shape stacked along a new dimension {@code dim}. */
    public static Tensor stack(int dim, Tensor... tensors) { return IndexOps.stack(java.util.Arrays.asList(tensors), dim); }

    /** Views of {@code size} elements along {@code dim} (the last one smaller), PyTorch's {@code split(int)}. */
    public java.util.List<Tensor> split(int size, int dim) { return IndexOps.split(this, size, dim); }

    /** Views of the given sizes along {@code dim}, which must sum to its size. */
    public java.util.List<Tensor> split(int[] sizes, int dim) { return IndexOps.split(this, sizes, dim); }

    /** At most {@code chunks} views of {@code ceil(size / chunks)} along {@code dim}, PyTorch's {@code chunk}. */
    public java.util.List<Tensor> chunk(int chunks, int dim) { return IndexOps.chunk(this, chunks, dim); }
}
