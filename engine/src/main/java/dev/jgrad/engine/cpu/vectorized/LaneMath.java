package dev.jgrad.engine.cpu.vectorized;

import static dev.jgrad.engine.cpu.vectorized.MapOps.L;
import static dev.jgrad.engine.cpu.vectorized.MapOps.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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
        float[] a = new float[L];
        v.intoArray(a, 0);
        for (int half = L >> 1; half > 0; half >>= 1)
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

    /** Above this, {@code exp} is computed as {@code e exp(t - 1)}, which keeps {@code n <= 127}. */
    private static final float BIG = 88f;
    private static final float E = 2.71828183f;

    /**
     * {@code exp(t)} for every {@code t}, to about 1 ulp (2 in {@code (88, OVERFLOW]}): as
     * {@link #expNonPositive}, with {@code t} clamped to {@code [-88, OVERFLOW]} and, above 88,
     * computed as {@code e exp(t - 1)} so that {@code 2^n} stays a normal float; above
     * {@code OVERFLOW} it is +Inf, NaN stays NaN.
     */
    static FloatVector exp(FloatVector t) {
        FloatVector c = t.max(-88f).min(OVERFLOW);
        VectorMask<Float> big = c.compare(VectorOperators.GT, BIG);
        c = c.blend(c.sub(1f), big);
        FloatVector k = c.fma(LOG2E, ROUND_BIAS), n = k.sub(ROUND_BIAS);
        FloatVector r = expReduced(c, n).mul(k.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        r = r.blend(r.mul(E), big);
        return r.blend(Float.POSITIVE_INFINITY, t.compare(VectorOperators.GT, OVERFLOW));
    }

    /** Below this {@code |x|}, tanh is its Taylor series; above, it comes from exp. */
    private static final float TANH_SERIES = 0.25f;

    /**
     * {@code tanh(x)} to a few ulp: for {@code |x| < 0.25} the Taylor series to {@code x^13}
     * (the first dropped term is below {@code 2e-12}); otherwise
     * {@code sign(x) (1 - 2 / (exp(2|x|) + 1))} with {@link #exp}, which loses at most two bits to
     * cancellation there, and is exactly +-1 once {@code exp} overflows. NaN stays NaN, -0 stays -0.
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(FloatVector.broadcast(S, 21844f / 6081075f), FloatVector.broadcast(S, -1382f / 155925f));
        p = p.fma(x2, FloatVector.broadcast(S, 62f / 2835f));
        p = p.fma(x2, FloatVector.broadcast(S, -17f / 315f));
        p = p.fma(x2, FloatVector.broadcast(S, 2f / 15f));
        p = p.fma(x2, FloatVector.broadcast(S, -1f / 3f));
        FloatVector series = p.mul(x2).fma(x, x);
        FloatVector a = x.abs(), one = FloatVector.broadcast(S, 1f);
        FloatVector large = one.sub(FloatVector.broadcast(S, 2f).div(exp(a.add(a)).add(one)));
        large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0f));
        // the series rounds -0 to +0; tanh(-0) is -0
        return large.blend(series, a.compare(VectorOperators.LT, TANH_SERIES)).blend(x, a.compare(VectorOperators.EQ, 0f));
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
