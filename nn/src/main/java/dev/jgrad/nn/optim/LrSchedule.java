package dev.jgrad.nn.optim;

/**
 * A learning rate as a function of the 0-based step {@code t} (the trainer counts optimizer steps;
 * for per-epoch decay give sizes in steps, e.g. {@code epochs * stepsPerEpoch}).
 */
@FunctionalInterface
public interface LrSchedule {
    float lr(int t);

    static LrSchedule constant(float lr) {
        return t -> lr;
    }

    /** {@code lr * gamma^floor(t / stepSize)}. */
    static LrSchedule step(float lr, int stepSize, float gamma) {
        if (stepSize < 1) throw new IllegalArgumentException("step schedule: step size must be >= 1, got " + stepSize);
        return t -> lr * (float) Math.pow(gamma, t / stepSize);
    }

    /** {@code lr * gamma^t}. */
    static LrSchedule exponential(float lr, float gamma) {
        return t -> lr * (float) Math.pow(gamma, t);
    }

    /** Cosine from {@code lr} at 0 down to {@code minLr} at {@code total}, then {@code minLr}. */
    static LrSchedule cosine(float lr, int total, float minLr) {
        if (total < 1) throw new IllegalArgumentException("cosine schedule: total must be >= 1, got " + total);
        return t -> t >= total ? minLr : minLr + (lr - minLr) * 0.5f * (1 + (float) Math.cos(Math.PI * t / total));
    }

    /**
     * Linear warm-up over {@code warmup} steps from {@code after.lr(0) / warmup} to
     * {@code after.lr(0)}, then {@code after} restarted at 0.
     */
    static LrSchedule warmup(int warmup, LrSchedule after) {
        if (warmup < 0) throw new IllegalArgumentException("warm-up: steps must be >= 0, got " + warmup);
        return t -> t < warmup ? after.lr(0) * (t + 1) / warmup : after.lr(t - warmup);
    }
}
