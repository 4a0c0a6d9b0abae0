package dev.jgrad.engine.cpu.vectorized;

import dev.jgrad.engine.OptimizerStep;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fused optimizer step with SIMD over each parameter tensor and the cores splitting large
 * tensors. Memory-bound: Adam moves 28 bytes per parameter (read p, g, m, v; write p, m, v).
 * The scalar tail computes each update in the vector loop's order of operations, and tensors are
 * split at whole vectors, so an element's bits do not depend on where the split falls.
 */
final class Optim {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int GRAIN = 1 << 15;

    private Optim() {}

    static void step(OptimizerStep s, float[][] params, float[][] grads, float[][] state1, float[][] state2, int[] sizes) {
        float c1 = (float) (1 - Math.pow(s.beta1(), s.step())), c2 = (float) (1 - Math.pow(s.beta2(), s.step()));
        for (int t = 0; t < params.length; t++) {
            float[] p = params[t], g = grads[t];
            float[] s1 = state1 == null ? null : state1[t], s2 = state2 == null ? null : state2[t];
            // split at whole vectors, so every element takes the same path (vector or tail) at any thread count
            int size = sizes[t], blocks = (size + S.length() - 1) / S.length();
            Parallel.parallelFor(blocks, GRAIN / S.length(),
                    (b0, b1) -> range(s, p, g, s1, s2, b0 * S.length(), Math.min(size, b1 * S.length()), c1, c2));
        }
    }

    private static void range(OptimizerStep s, float[] p, float[] grad, float[] s1, float[] s2, int start, int end,
                              float c1, float c2) {
        OptimizerStep.Kind kind = s.kind();
        float lr = s.lr(), b1 = s.beta1(), b2 = s.beta2(), eps = s.eps(), scale = s.gradScale();
        float l2 = kind == OptimizerStep.Kind.ADAMW ? 0f : s.weightDecay();
        float decay = kind == OptimizerStep.Kind.ADAMW ? 1f - lr * s.weightDecay() : 1f;
        boolean momentum = kind == OptimizerStep.Kind.SGD && b1 != 0f;
        int i = start;
        for (int bound = start + S.loopBound(end - start); i < bound; i += S.length()) {
            FloatVector pv = FloatVector.fromArray(S, p, i);
            FloatVector g = FloatVector.fromArray(S, grad, i).mul(scale).add(pv.mul(l2));
            switch (kind) {
                case SGD -> {
                    if (momentum) {
                        g = FloatVector.fromArray(S, s1, i).mul(b1).add(g);
                        g.intoArray(s1, i);
                    }
                    pv = pv.sub(g.mul(lr));
                }
                case ADAGRAD -> {
                    FloatVector acc = g.fma(g, FloatVector.fromArray(S, s1, i));
                    acc.intoArray(s1, i);
                    pv = pv.sub(g.mul(lr).div(acc.lanewise(VectorOperators.SQRT).add(eps)));
                }
                case RMSPROP -> {
                    FloatVector acc = FloatVector.fromArray(S, s1, i).mul(b2).add(g.mul(g).mul(1 - b2));
                    acc.intoArray(s1, i);
                    pv = pv.sub(g.mul(lr).div(acc.lanewise(VectorOperators.SQRT).add(eps)));
                }
                case ADAM, ADAMW -> {
                    pv = pv.mul(decay);
                    FloatVector m = FloatVector.fromArray(S, s1, i).mul(b1).add(g.mul(1 - b1));
                    FloatVector v = FloatVector.fromArray(S, s2, i).mul(b2).add(g.mul(g).mul(1 - b2));
                    m.intoArray(s1, i);
                    v.intoArray(s2, i);
                    FloatVector denom = v.div(c2).lanewise(VectorOperators.SQRT).add(eps);
                    pv = pv.sub(m.div(c1).mul(lr).div(denom));
                }
            }
            pv.intoArray(p, i);
        }
        for (; i < end; i++) {
            float pv = p[i];
            float g = grad[i] * scale + pv * l2;
            switch (kind) {
                case SGD -> {
                    if (momentum) {
                        s1[i] = s1[i] * b1 + g;
                        g = s1[i];
                    }
                    pv -= g * lr;
                }
                case ADAGRAD -> {
                    s1[i] = Math.fma(g, g, s1[i]);
                    pv -= g * lr / ((float) Math.sqrt(s1[i]) + eps);
                }
                case RMSPROP -> {
                    s1[i] = s1[i] * b2 + g * g * (1 - b2);
                    pv -= g * lr / ((float) Math.sqrt(s1[i]) + eps);
                }
                case ADAM, ADAMW -> {
                    pv *= decay;
                    s1[i] = s1[i] * b1 + g * (1 - b1);
                    s2[i] = s2[i] * b2 + g * g * (1 - b2);
                    pv -= s1[i] / c1 * lr / ((float) Math.sqrt(s2[i] / c2) + eps);
                }
            }
            p[i] = pv;
        }
    }
}
