package dev.jgrad.engine.dist;

import dev.jgrad.engine.Tensor;
import dev.jgrad.engine.autograd.GradMode;

import java.util.List;

/** Collectives as differentiable tensor ops, for layers whose forward pass spans the ranks (SyncBatchNorm). */
public final class DistOps {
    private DistOps() {}

    /**
     * The sum of {@code x} over the ranks, as a new tensor. Its gradient is the sum over the ranks
     * of the gradients of the output: every rank's loss depends on every rank's {@code x}, so
     * {@code d(sum of the ranks' losses)/dx = allReduceSum(gradient)}. Every rank must call it, in
     * the same order, forward and backward.
     */
    public static Tensor allReduceSum(Tensor x, Collective c) {
        Tensor out;
        try (var off = GradMode.disable()) {
            out = x.mul(1f);   // a fresh dense copy to reduce in place
        }
        c.allReduceSum(List.of(out));
        return Tensor.custom("allReduceSum", out, gy -> {
            Tensor g;
            try (var off = GradMode.disable()) {
                g = gy.mul(1f);
            }
            c.allReduceSum(List.of(g));
            return new Tensor[] {g};
        }, x);
    }
}
