package dev.jgrad.engine;

/** Elementwise ops with NumPy broadcasting, and their backward rules. */
final class ElementwiseOps {
    private ElementwiseOps() {}

    /** Throws unless every tensor is on the same device as the first, naming the op and both devices. */
    static void sameDevice(String op, Tensor... tensors) {
        Device first = null;
        for (Tensor t : tensors) {
            if (t == null) continue;
            if (first == null) first = t.device();
            else if (t.device() != first)
                throw new IllegalArgumentException(op + ": tensors are on different devices: " + first + " and "
                        + t.device() + "; move one with to(device)");
        }
    }

    /** A new row-major tensor with the same elements (never aliases {@code x}). */
    static Tensor copyOf(Tensor x) {
        Tensor out = Tensor.empty(x.device(), x.shape);
        x.backend().copyStrided(x.view(), out.view(), x.shape);
        return out;
    }

    static Tensor unary(UnaryOp op, Tensor x, float a, float b) {
        Tensor in = x.dense();
        Tensor out = Tensor.empty(op.name().toLowerCase(), x.device(), x.shape);
        int n = out.numel();
        x.backend().unary(op, in.buffer(), out.buffer(), n, a, b);
        return out.recorded(op.name().toLowerCase(), g -> {
            Tensor gIn = g.dense();
            Tensor gx = Tensor.empty(g.device(), in.shape);
            g.backend().unaryBackward(op, in.buffer(), out.buffer(), gIn.buffer(), gx.buffer(), n, a, b);
            return new Tensor[] {gx};
        }, in);
    }

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase();
        sameDevice(name, a, b);
        int[] shape = Shapes.broadcast(name, a.shape, b.shape);
        Tensor out = Tensor.empty(name, a.device(), shape);
        a.backend().binary(op, a.broadcastView(shape), b.broadcastView(shape), out.buffer(), shape);
        return switch (op) {
            case ADD -> out.recorded(name, g -> new Tensor[] {ViewOps.sumTo(g, a.shape), ViewOps.sumTo(g, b.shape)}, a, b);
            case SUB -> out.recorded(name, g -> new Tensor[] {ViewOps.sumTo(g, a.shape), ViewOps.sumTo(g.neg(), b.shape)}, a, b);
            case MUL -> out.recorded(name, g -> new Tensor[] {
                    a.requiresGrad() ? ViewOps.sumTo(g.mul(b), a.shape) : null,
                    b.requiresGrad() ? ViewOps.sumTo(g.mul(a), b.shape) : null}, a, b);
            case DIV -> out.recorded(name, g -> new Tensor[] {
                    a.requiresGrad() ? ViewOps.sumTo(g.div(b), a.shape) : null,
                    b.requiresGrad() ? ViewOps.sumTo(g.mul(out).div(b).neg(), b.shape) : null}, a, b);
            case POW -> out.recorded(name, g -> {
                // d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a, with PyTorch 1.13's zeros where the
                // formulas give 0 * inf or ln 0: d/da = 0 where b == 0, d/db = 0 where a == 0 and b >= 0.
                Tensor zero = Tensor.zeros(g.device());
                Tensor gA = null, gB = null;
                if (a.requiresGrad())
                    gA = ViewOps.sumTo(where(b.eq(zero), zero, g.mul(b).mul(a.pow(b.sub(1f)))), a.shape);
                if (b.requiresGrad())
                    gB = ViewOps.sumTo(where(a.eq(zero).mul(b.ge(zero)), zero, g.mul(out).mul(a.log())), b.shape);
                return new Tensor[] {gA, gB};
            }, a, b);
            case MAX, MIN -> out.recorded(name, g -> {
                // As PyTorch 1.13: the gradient goes to the winner, half to each side at a tie, and
                // all of it to both where either is NaN (every comparison with NaN is false).
                Tensor bWins = op == BinaryOp.MAX ? a.lt(b) : a.gt(b);
                Tensor aWins = op == BinaryOp.MAX ? a.gt(b) : a.lt(b);
                Tensor halfAtTie = a.eq(b).mul(0.5f);
                return new Tensor[] {
                        ViewOps.sumTo(g.mul(bWins.neg().add(1f).sub(halfAtTie)), a.shape),
                        ViewOps.sumTo(g.mul(aWins.neg().add(1f).sub(halfAtTie)), b.shape)};
            }, a, b);
            case EQ, NE, LT, LE, GT, GE -> out;   // piecewise constant: no gradient
        };
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        sameDevice("where", cond, a, b);
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape, a.shape), b.shape);
        Tensor out = Tensor.empty("where", a.device(), shape);
        a.backend().where(cond.broadcastView(shape), a.broadcastView(shape), b.broadcastView(shape), out.buffer(), shape);
        return out.recorded("where", g -> {
            Tensor zero = Tensor.zeros(g.device());
            return new Tensor[] {null,
                    a.requiresGrad() ? ViewOps.sumTo(where(cond, g, zero), a.shape) : null,
                    b.requiresGrad() ? ViewOps.sumTo(where(cond, zero, g), b.shape) : null};
        }, cond, a, b);
    }
}
