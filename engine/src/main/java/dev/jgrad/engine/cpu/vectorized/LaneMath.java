package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The vector arithmetic whose result the platform would otherwise choose, written out so that a
 * kernel gives the same bits interpreted, in C1 code and in C2 code. The Vector API leaves the
 * order of {@code reduceLanes(ADD)} unspecified (the fallback sums lanes left to right, the
 * intrinsic in a tree), and its {@code EXP} is {@code Math.exp} per lane until C2 swaps in a
 * vector math library that rounds some inputs the other way. Everything here is built from lane-wise
 * add, multiply, fused multiply-add, compare, blend and shift, which IEEE 754 fixes bit for bit.
 */
final class LaneMath {
    private LaneMath() {}

    /**
     * The sum of the lanes of {@code v} in one fixed tree: the upper half of the lanes is added to
     * the lower half, lane by lane, until one lane is left ({@code L = 8}:
     * {@code ((v0+v4) + (v2+v6)) + ((v1+v5) + (v3+v7))}). Depends on the lane count only.
     */
    static float sumLanes(FloatVector v) {
        float[] a = v.toArray();
        for (int half = a.length >> 1; half > 0; half >>= 1)
            for (int i = 0; i < half; i++) a[i] += a[i + half];
        return a[0];
    }

    private static final float LOG2E = 1.44269504f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23 + 127: adding it rounds to an integer n and leaves n + 127 in the low bits. */
    private static final float ROUND_BIAS = 12583039f;
    /** Above this, {@code exp} overflows float (ln of the largest float). */
    private static final float OVERFLOW = 88.72283935546875f;

    /**
     * {@code exp(t)} for {@code t <= 0} (or NaN), to about 1 ulp: {@code t = n ln2 + f} with
     * {@code |f| <= ln2 / 2}, {@code exp(f)} by its Taylor series to degree 7 (truncation error
     * below 6e-9), and {@code 2^n} built from its exponent bits. {@code t} is clamped at -88,
     * where {@code n + 127} reaches 0 and the result is 0 (the true value is below 6e-39, so
     * subnormal results flush to 0).
     */
    static FloatVector expNonPositive(FloatVector t) {
        t = t.max(-88f);
        FloatVector k = t.fma(LOG2E, ROUND_BIAS), n = k.sub(ROUND_BIAS);
        FloatVector p = expReduced(t, n);
        return p.mul(k.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /**
     * {@code exp(t)} for every {@code t}, to about 1 ulp: as {@link #expNonPositive}, with
     * {@code t} clamped to {@code [-88, OVERFLOW]} and {@code 2^n} applied as {@code 2^min(n, 127)}
     * times 1 or 2 so that {@code n = 128} stays finite; above {@code OVERFLOW} it is +Inf, NaN
     * stays NaN.
     */
    static FloatVector exp(FloatVector t) {
        FloatVector c = t.max(-88f).min(OVERFLOW);
        FloatVector k = c.fma(LOG2E, ROUND_BIAS), n = k.sub(ROUND_BIAS);
        FloatVector p = expReduced(c, n);
        FloatVector capped = n.min(127f), extra = n.sub(capped).add(1f);
        FloatVector scale = capped.add(127f).convert(VectorOperators.F2I, 0).reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector r = p.mul(scale).mul(extra);
        return r.blend(Float.POSITIVE_INFINITY, t.compare(VectorOperators.GT, OVERFLOW));
    }

    /** {@code exp(t - n ln2)} for the integer {@code n} nearest {@code t / ln2}, by Horner's rule. */
    private static FloatVector expReduced(FloatVector t, FloatVector n) {
        FloatVector f = n.fma(FloatVector.broadcast(S, -LN2_HI), t);
        f = n.fma(FloatVector.broadcast(S, -LN2_LO), f);
        FloatVector p = f.fma(FloatVector.broadcast(S, 1f / 5040), FloatVector.broadcast(S, 1f / 720));
        p = p.fma(f, FloatVector.broadcast(S, 1f / 120));
        p = p.fma(f, FloatVector.broadcast(S, 1f / 24));
        p = p.fma(f, FloatVector.broadcast(S, 1f / 6));
        p = p.fma(f, FloatVector.broadcast(S, 0.5f));
        p = p.fma(f, FloatVector.broadcast(S, 1f));
        return p.fma(f, FloatVector.broadcast(S, 1f));
    }
}
