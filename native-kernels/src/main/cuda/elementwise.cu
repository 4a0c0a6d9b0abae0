// Elementwise kernels: fill, strided copy, unary maps and their derivatives, broadcasting binary
// ops, where, and dropout.
//
//   fill                 out[i] = v
//   copy_strided         dst[idx] = src[idx] over a Strided shape (operand 0 = src, 1 = dst)
//   unary_fwd/unary_bwd  one op code per launch; contiguous; memory-bound (8 / 16 bytes per element)
//   binary_contig        both inputs contiguous and of the output's shape: the common case
//   binary_strided       broadcasting through zero strides (operand 0 = a, 1 = b)
//   where_strided        operand 0 = cond, 1 = a, 2 = b
//   dropout_fwd          Philox mask, identical to dev.jgrad.engine.Philox on the CPU
//   empty                does nothing: the benchmarks time a launch from Java with it
#include "common.cuh"

// the argument of tanh in PyTorch's GELU(approximate='tanh'): sqrt(2 / pi) (x + 0.044715 x^3)
__device__ __forceinline__ float gelu_tanh_arg(float x) { return 0.7978845608f * (x + 0.044715f * x * x * x); }

// x^e as PyTorch's pow(Tensor, Scalar): exponents 0.5 and -0.5 are sqrt and rsqrt (so (-0)^0.5 = -0,
// (-0)^-0.5 = -inf, (-inf)^0.5 = NaN, where powf gives +0, +inf, +inf); the same as ScalarMath.pow.
__device__ __forceinline__ float pow_scalar(float x, float e) {
    if (e == 0.5f) return sqrtf(x);
    if (e == -0.5f) return 1.f / sqrtf(x);
    return powf(x, e);
}

__device__ __forceinline__ float unary_apply(int op, float x, float a, float b) {
    switch (op) {
        case U_NEG: return -x;
        case U_EXP: return expf(x);
        case U_LOG: return logf(x);
        case U_SQRT: return sqrtf(x);
        case U_ABS: return fabsf(x);
        case U_RELU: return x > 0.f || isnan(x) ? x : 0.f;  // NaN stays NaN, as PyTorch
        case U_SIGMOID: return 1.f / (1.f + expf(-x));
        case U_TANH: return tanhf(x);
        case U_POW: return pow_scalar(x, a);
        // GELU: exact x Phi(x) through erfc, or PyTorch's tanh form when a != 0, written as
        // x sigmoid(2u) since 0.5 (1 + tanh u) = sigmoid(2u): neither form cancels for negative x
        // (1 + tanhf(u) in float32 loses every digit there: 3% off at x = -4.9)
        case U_GELU: return a != 0.f ? x / (1.f + expf(-2.f * gelu_tanh_arg(x)))
                                     : 0.5f * x * erfcf(-x * 0.70710678f);
        case U_SILU: return x / (1.f + expf(-x));
        case U_ELU: return x > 0.f ? x : a * expm1f(x);
        case U_LEAKY_RELU: return x > 0.f ? x : x * a;
        case U_SOFTPLUS: return x * a > b ? x : log1pf(expf(x * a)) / a;
        case U_ERF: return erff(x);
        case U_CLAMP: return isnan(x) ? x : fminf(fmaxf(x, a), b);  // NaN stays NaN, as on the CPU
        default: return __int_as_float(0x7fc00000);  // an op code this file does not know: NaN, never a silent value
    }
}

__device__ __forceinline__ float unary_derivative(int op, float x, float y, float a, float b) {
    switch (op) {
        case U_NEG: return -1.f;
        case U_EXP: return y;
        case U_LOG: return 1.f / x;
        case U_SQRT: return 0.5f / y;
        case U_ABS: return x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f);  // sgn: 0 at 0 and at NaN, as PyTorch
        case U_RELU: return x <= 0.f ? 0.f : 1.f;  // 1 at NaN: PyTorch passes the gradient through
        case U_SIGMOID: return y * (1.f - y);
        case U_TANH: return 1.f - y * y;
        case U_POW: return a == 0.f ? 0.f : a * pow_scalar(x, a - 1.f);  // x.pow(0): gradient 0, as PyTorch
        case U_GELU: {
            if (a != 0.f) {
                // with s = sigmoid(2u) = 0.5 (1 + tanh u): 1 - tanh^2 u = 4 s (1 - s), each factor without cancellation
                float u = gelu_tanh_arg(x);
                float s = 1.f / (1.f + expf(-2.f * u)), s_minus = 1.f / (1.f + expf(2.f * u));
                return s + 2.f * x * s * s_minus * 0.7978845608f * (1.f + 3.f * 0.044715f * x * x);
            }
            return 0.5f * erfcf(-x * 0.70710678f) + x * 0.39894228f * expf(-0.5f * x * x);
        }
        case U_SILU: {
            float s = 1.f / (1.f + expf(-x));
            return s * (1.f + x * (1.f - s));
        }
        case U_ELU: return x <= 0.f ? a * expf(x) : 1.f;      // 1 at NaN, as PyTorch
        case U_LEAKY_RELU: return x > 0.f ? 1.f : a;          // the slope at 0 and at NaN, as PyTorch
        case U_SOFTPLUS: {
            if (x * a > b) return 1.f;
            float z = expf(x * a);
            return z / (z + 1.f);
        }
        case U_CLAMP: return (x >= a && x <= b) ? 1.f : 0.f;
        case U_ERF: return 1.1283791670955126f * expf(-x * x);  // 2 / sqrt(pi) exp(-x^2)
        default: return __int_as_float(0x7fc00000);
    }
}

__device__ __forceinline__ float binary_apply(int op, float x, float y) {
    switch (op) {
        case B_ADD: return x + y;
        case B_SUB: return x - y;
        case B_MUL: return x * y;
        case B_DIV: return x / y;
        case B_POW: return powf(x, y);
        // fmaxf/fminf return the number when one side is NaN; jgrad (like PyTorch) propagates NaN.
        case B_MAX: return isnan(x) || isnan(y) ? x + y : fmaxf(x, y);
        case B_MIN: return isnan(x) || isnan(y) ? x + y : fminf(x, y);
        case B_EQ: return x == y ? 1.f : 0.f;
        case B_NE: return x != y ? 1.f : 0.f;
        case B_LT: return x < y ? 1.f : 0.f;
        case B_LE: return x <= y ? 1.f : 0.f;
        case B_GT: return x > y ? 1.f : 0.f;
        default: return x >= y ? 1.f : 0.f;  // B_GE
    }
}

extern "C" __global__ void fill(float* out, long long n, float v) {
    JG_FOR(i, n) out[i] = v;
}

extern "C" __global__ void copy_strided(const float* src, long long srcOff, float* dst, long long dstOff,
                                        long long n, Strided st) {
    JG_FOR(i, n) {
        long long s, d, unused;
        strided_offsets(st, i, &s, &d, &unused);
        dst[dstOff + d] = src[srcOff + s];
    }
}

extern "C" __global__ void unary_fwd(int op, const float* x, float* out, long long n, float a, float b) {
    JG_FOR(i, n) out[i] = unary_apply(op, x[i], a, b);
}

extern "C" __global__ void unary_bwd(int op, const float* x, const float* y, const float* gy, float* gx,
                                     long long n, float a, float b) {
    JG_FOR(i, n) gx[i] = gy[i] * unary_derivative(op, x[i], y[i], a, b);
}

extern "C" __global__ void binary_contig(int op, const float* a, const float* b, float* out, long long n) {
    JG_FOR(i, n) out[i] = binary_apply(op, a[i], b[i]);
}

extern "C" __global__ void binary_strided(int op, const float* a, long long aOff, const float* b, long long bOff,
                                          float* out, long long n, Strided st) {
    JG_FOR(i, n) {
        long long oa, ob, unused;
        strided_offsets(st, i, &oa, &ob, &unused);
        out[i] = binary_apply(op, a[aOff + oa], b[bOff + ob]);
    }
}

extern "C" __global__ void where_strided(const float* c, long long cOff, const float* a, long long aOff,
                                         const float* b, long long bOff, float* out, long long n, Strided st) {
    JG_FOR(i, n) {
        long long oc, oa, ob;
        strided_offsets(st, i, &oc, &oa, &ob);
        out[i] = c[cOff + oc] != 0.f ? a[aOff + oa] : b[bOff + ob];
    }
}

extern "C" __global__ void dropout_fwd(const float* x, float* y, float* mask, long long n, float p,
                                       unsigned long long seed) {
    float keep = p >= 1.f ? 0.f : 1.f / (1.f - p);
    JG_FOR(i, n) {
        float m = philox_uniform(seed, (unsigned long long)i) >= p ? keep : 0.f;
        mask[i] = m;
        y[i] = x[i] * m;
    }
}

extern "C" __global__ void empty() {}
