package dev.jgrad.engine.cpu.looped;

import dev.jgrad.engine.OptimizerStep;

/** The fused optimizer step, one parameter tensor after another, the formulas written out. */
final class Optim {
    private Optim() {}

    static void step(OptimizerStep s, float[][] params, float[][] grads, float[][] state1, float[][] state2, int[] sizes) {
        double c1 = 1 - Math.pow(s.beta1(), s.step()), c2 = 1 - Math.pow(s.beta2(), s.step());
        for (int t = 0; t < params.length; t++) {
            float[] p = params[t], grad = grads[t];
            for (int i = 0; i < sizes[t]; i++) {
                float g = s.gradScale() * grad[i];
                if (s.kind() != OptimizerStep.Kind.ADAMW) g += s.weightDecay() * p[i];
                switch (s.kind()) {
                    case SGD -> {
                        if (s.beta1() != 0f) {
                            state1[t][i] = s.beta1() * state1[t][i] + g;
                            g = state1[t][i];
                        }
                        p[i] -= s.lr() * g;
                    }
                    case ADAGRAD -> {
                        state1[t][i] += g * g;
                        p[i] -= s.lr() * g / ((float) Math.sqrt(state1[t][i]) + s.eps());
                    }
                    case RMSPROP -> {
                        state1[t][i] = s.beta2() * state1[t][i] + (1 - s.beta2()) * g * g;
                        p[i] -= s.lr() * g / ((float) Math.sqrt(state1[t][i]) + s.eps());
                    }
                    case ADAM, ADAMW -> {
                        if (s.kind() == OptimizerStep.Kind.ADAMW) p[i] -= s.lr() * s.weightDecay() * p[i];
                        state1[t][i] = s.beta1() * state1[t][i] + (1 - s.beta1()) * g;
                        state2[t][i] = s.beta2() * state2[t][i] + (1 - s.beta2()) * g * g;
                        float mHat = (float) (state1[t][i] / c1), vHat = (float) (state2[t][i] / c2);
                        p[i] -= s.lr() * mHat / ((float) Math.sqrt(vHat) + s.eps());
                    }
                }
            }
        }
    }
}
