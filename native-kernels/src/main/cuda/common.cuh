// Shared definitions for jgrad's CUDA kernels.
//
// The op codes below are the ordinals of the Java enums dev.jgrad.engine.UnaryOp, BinaryOp and
// ReduceOp; CudaBackend passes `op.ordinal()`. Keep the orders identical.
#pragma once
#include <stdint.h>

enum UnaryOp { U_NEG, U_EXP, U_LOG, U_SQRT, U_ABS, U_RELU, U_SIGMOID, U_TANH, U_POW, U_CLAMP,
               U_GELU, U_SILU, U_ELU, U_LEAKY_RELU, U_SOFTPLUS, U_ERF };
enum BinaryOp { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE };
enum ReduceOp { R_SUM, R_MEAN, R_MAX, R_ARGMAX };

#define JG_MAX_RANK 8

// An iteration shape and the strides (in elements) of up to three operands over it, passed to
// kernels by value. Java packs it as 1 + 4 * JG_MAX_RANK ints in this order.
struct Strided {
    int rank;
    int shape[JG_MAX_RANK];
    int s0[JG_MAX_RANK];
    int s1[JG_MAX_RANK];
    int s2[JG_MAX_RANK];
};

// Offsets of element `linear` (row-major over st.shape) in operands 0, 1 and 2.
__device__ __forceinline__ void strided_offsets(const Strided& st, long long linear, long long* o0, long long* o1,
                                                long long* o2) {
    long long a = 0, b = 0, c = 0;
    for (int d = st.rank - 1; d >= 0; d--) {
        int size = st.shape[d];
        int idx = (int)(linear % size);
        linear /= size;
        a += (long long)idx * st.s0[d];
        b += (long long)idx * st.s1[d];
        c += (long long)idx * st.s2[d];
    }
    *o0 = a;
    *o1 = b;
    *o2 = c;
}

// Philox4x32-10, first output word for counter (index, 0, 0, 0) and key (seed lo, seed hi):
// the same function as dev.jgrad.engine.Philox, so a seed gives the same dropout mask everywhere.
__device__ __forceinline__ uint32_t philox_bits(unsigned long long seed, unsigned long long index) {
    uint32_t c0 = (uint32_t)index, c1 = (uint32_t)(index >> 32), c2 = 0, c3 = 0;
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        uint32_t hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
        uint32_t hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c0;
}

__device__ __forceinline__ float philox_uniform(unsigned long long seed, unsigned long long index) {
    return (float)(philox_bits(seed, index) >> 8) * 0x1.0p-24f;
}

// Grid-stride loop over [0, n).
#define JG_FOR(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
                          i += (long long)gridDim.x * blockDim.x)

// Warp-level reductions (full warp).
__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Block-wide sum; every thread gets the result. `scratch` holds 32 floats of shared memory. The
// warp steps shuffle over full warps, so blockDim.x must be a multiple of 32 (the host launches
// whole warps; the emulation reports a partial one as a mask naming lanes that do not exist).
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = threadIdx.x < warps ? scratch[threadIdx.x] : 0.f;
    if (warp == 0) v = warp_sum(v);
    if (threadIdx.x == 0) scratch[0] = v;
    __syncthreads();
    return scratch[0];
}

__device__ __forceinline__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = threadIdx.x < warps ? scratch[threadIdx.x] : -INFINITY;
    if (warp == 0) v = warp_max(v);
    if (threadIdx.x == 0) scratch[0] = v;
    __syncthreads();
    return scratch[0];
}

// The channel of a flattened index t over a (outer, c, hw) tensor, followed along a loop whose
// index grows by a fixed `step`, with 32-bit adds and compares instead of `(t / hw) % c` (a 64-bit
// divide and modulo) per element. The divides happen once, at construction.
struct ChannelWalk {
    int s, ch;           // position in the hw plane, channel
    int ds, dch, hw, c;  // the step split into plane offset and channels (dch < c)
    __device__ __forceinline__ ChannelWalk(long long t, long long step, int c_, int hw_) : hw(hw_), c(c_) {
        long long plane = t / hw;
        s = (int)(t - plane * hw);
        ch = (int)(plane % c);
        long long q = step / hw;
        ds = (int)(step - q * hw);
        dch = (int)(q % c);
    }
    __device__ __forceinline__ void advance() {
        s += ds;
        ch += dch;
        if (s >= hw) {
            s -= hw;
            ch++;
        }
        if (ch >= c) ch -= c;
    }
};

// Walks one channel's values of a (n, c, hw) tensor in (image, plane offset) order: k = image * hw + s, in steps of
// `step`, with `off` the element's offset in the tensor. One divide at the start, then adds and a compare.
struct PlaneCursor {
    long long off, dOff, wrap;
    int s, ds, hw;
    __device__ __forceinline__ PlaneCursor(long long k, int step, int c, int ch, int hw_) : hw(hw_) {
        long long chw = (long long)c * hw, img = k / hw;
        s = (int)(k - img * hw);
        off = img * chw + (long long)ch * hw + s;
        int q = step / hw;
        ds = step - q * hw;
        dOff = q * chw + ds;
        wrap = chw - hw;
    }
    __device__ __forceinline__ void advance() {
        off += dOff;
        s += ds;
        if (s >= hw) {
            s -= hw;
            off += wrap;
        }
    }
};
