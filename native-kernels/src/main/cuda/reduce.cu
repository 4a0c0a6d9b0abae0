// Reductions over the middle axis of a contiguous (outer, r, inner) view, the form every jgrad
// reduction is planned into.
//
//   reduce_rows     inner == 1: one block per row, block-wide tree reduction (coalesced reads)
//   reduce_cols     inner > 1: one thread per (o, i), looping over r; neighbouring threads read
//                   neighbouring addresses, so each step of the loop is coalesced
//   variance_rows / variance_cols   the same two shapes, two passes (mean, then squared deviations)
//   scatter_mid     the adjoint of a gather along r: writes every element of gx exactly once
//
// Ties in MAX/ARGMAX resolve to the first index, as on the CPU; a NaN wins over numbers.
#include "common.cuh"

__device__ __forceinline__ bool better(float v, float best) {
    return v > best || (isnan(v) && !isnan(best));
}

// Any block size up to 256 (a multiple of 32 or not): the tree starts at the power of two below
// blockDim.x and skips partners past the end. The shared arrays hold 256, so the launch bound makes
// a larger block a launch error instead of an overflow.
extern "C" __global__ void __launch_bounds__(256) reduce_rows(int op, const float* x, float* out, int rows, int r) {
    __shared__ float sv[256];
    __shared__ int si[256];
    int row = blockIdx.x;
    if (row >= rows) return;
    const float* xr = x + (long long)row * r;
    float acc = (op == R_SUM || op == R_MEAN) ? 0.f : -INFINITY;
    int idx = 0x7fffffff;
    for (int j = threadIdx.x; j < r; j += blockDim.x) {
        float v = xr[j];
        if (op == R_SUM || op == R_MEAN) acc += v;
        else if (idx == 0x7fffffff || better(v, acc)) { acc = v; idx = j; }
    }
    sv[threadIdx.x] = acc;
    si[threadIdx.x] = idx;
    __syncthreads();
    int top = 1;
    while (top < (int)blockDim.x) top <<= 1;
    for (int s = top / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s && threadIdx.x + s < blockDim.x) {
            float a = sv[threadIdx.x], b = sv[threadIdx.x + s];
            int ia = si[threadIdx.x], ib = si[threadIdx.x + s];
            // Equal values, or two NaNs, tie: the lower index wins (the first maximum, the first NaN).
            bool tie = b == a || (isnan(a) && isnan(b));
            if (op == R_SUM || op == R_MEAN) sv[threadIdx.x] = a + b;
            else if (ib != 0x7fffffff && (ia == 0x7fffffff || better(b, a) || (tie && ib < ia))) {
                sv[threadIdx.x] = b;
                si[threadIdx.x] = ib;
            }
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        switch (op) {
            case R_SUM: case R_MAX: out[row] = sv[0]; break;
            case R_MEAN: out[row] = sv[0] / r; break;
            default: out[row] = (float)si[0]; break;
        }
    }
}

extern "C" __global__ void reduce_cols(int op, const float* x, float* out, int outer, int r, int inner) {
    JG_FOR(t, (long long)outer * inner) {
        long long o = t / inner, i = t % inner;
        const float* base = x + o * r * inner + i;
        float acc = (op == R_SUM || op == R_MEAN) ? 0.f : base[0];
        int best = 0;
        for (int j = 0; j < r; j++) {
            float v = base[(long long)j * inner];
            if (op == R_SUM || op == R_MEAN) acc += v;
            else if (better(v, acc)) { acc = v; best = j; }
        }
        out[t] = op == R_MEAN ? acc / r : (op == R_ARGMAX ? (float)best : acc);
    }
}

extern "C" __global__ void variance_rows(const float* x, float* out, int rows, int r, int correction) {
    __shared__ float scratch[32];
    int row = blockIdx.x;
    if (row >= rows) return;
    const float* xr = x + (long long)row * r;
    float s = 0.f;
    for (int j = threadIdx.x; j < r; j += blockDim.x) s += xr[j];
    float mean = block_sum(s, scratch) / r;
    float ss = 0.f;
    for (int j = threadIdx.x; j < r; j += blockDim.x) { float d = xr[j] - mean; ss += d * d; }
    ss = block_sum(ss, scratch);
    if (threadIdx.x == 0) out[row] = ss / (r - correction);
}

extern "C" __global__ void variance_cols(const float* x, float* out, int outer, int r, int inner, int correction) {
    JG_FOR(t, (long long)outer * inner) {
        long long o = t / inner, i = t % inner;
        const float* base = x + o * r * inner + i;
        float mean = 0.f;
        for (int j = 0; j < r; j++) mean += base[(long long)j * inner];
        mean /= r;
        float ss = 0.f;
        for (int j = 0; j < r; j++) { float d = base[(long long)j * inner] - mean; ss += d * d; }
        out[t] = ss / (r - correction);
    }
}

extern "C" __global__ void scatter_mid(const float* index, const float* g, float* gx, int outer, int r, int inner) {
    JG_FOR(t, (long long)outer * r * inner) {
        long long i = t % inner, j = (t / inner) % r, o = t / ((long long)inner * r);
        long long at = o * inner + i;
        gx[t] = ((int)index[at] == j) ? g[at] : 0.f;
    }
}
