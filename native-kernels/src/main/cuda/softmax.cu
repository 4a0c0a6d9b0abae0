// Softmax, log-softmax and the fused softmax-cross-entropy: a warp per short row, a block per long
// row. H200, 2026-12-04: (65536, 1024) in 132 us, 4,068 GB/s, 98% of copy (1.02x PyTorch 2.11).
//
// Rows along the last dimension (inner == 1) come in two kinds, chosen by the host from r:
//
//   r <= 1024: a warp per row, several rows per block (blockDim.x / 32 warps = rows; the host
//   launches 4 or 8 warps). The row lives in registers: K elements per lane, K a compile-time size
//   class in {1, 2, 4, 8, 16, 32} with r <= 32 K, one kernel per class (suffix _wK). The row is read
//   from global memory once and written once: load, max over the registers and a shuffle max, sum
//   of exp and a shuffle sum, write. No shared memory, no __syncthreads. Where K >= 4, r % 4 == 0
//   and every pointer is 16-byte aligned the loads and stores are float4 (lane l holds elements
//   4 (32 q + l) .. + 3 for q < K / 4), otherwise scalar (lane l holds elements 32 i + l).
//     softmax_rows_wK       y = exp(x - m) / s, or (x - m) - log s for log-softmax
//     softmax_bwd_rows_wK   gx = y (gy - sum(gy y)), or gy - exp(y) sum(gy) for log; y and gy in registers
//     xent_fwd_wK           lse[row] = m + log s and loss_rows[row] = (m - logit[label]) + log s (lane 0)
//
//   r > 1024: a block per row (whole warps, up to 256 threads), three passes over the row: max,
//   sum of exp, write (two for the backward: the dot product, then the write). Rows up to a few
//   thousand stay in L1/L2 between passes, so DRAM traffic is close to one read and one write.
//     softmax_rows, softmax_bwd_rows, xent_fwd
//
//   softmax_cols      inner > 1: one thread per (o, i), three passes over r
//   softmax_bwd_cols  as softmax_bwd_rows, one thread per (o, i)
//   mean_rows         one block: loss = mean(loss_rows), a deterministic order
//   xent_bwd_rows     c <= 1024: a warp per row (8 rows per block), (exp(x - m) / s - onehot) * gLoss / n,
//                     three passes over the row (max, sum, write), float4 where aligned
//   xent_bwd          c > 1024: a block per row, the same three passes
//
// The cross-entropy backward recomputes each row's max m and sum s instead of reading the forward's
// float32 lse = m + log s: at logits near 1e4, lse carries a rounding of up to half an ulp of 1e4
// (5e-4), which exp(x - lse) turns into a relative error of 5e-4 in the gradient; x - m is exact
// there, so exp(x - m) / s is accurate to float32 rounding. The lse argument is not read.
//
// Every variant has the same NaN rules: m is fmaxf over the row (which skips NaN), s sums
// exp(x - m) over the real elements only (padding never enters the sum), so a NaN logit makes s
// NaN, a +Inf logit makes x - m = Inf - Inf = NaN, and a row of -Inf has m = -Inf and NaN again;
// the whole row is then NaN, for log-softmax too. A bad cross-entropy label sets error[0] = row + 1,
// error[1] = the label's bits and error[2] = c (the first bad row to get there wins) and gives
// loss_rows[row] = 0; the host reads the flag at its next synchronization and throws.
#include "common.cuh"

// ---------------------------------------------------------------- a block per row (r > 1024), and inner > 1

extern "C" __global__ void softmax_rows(const float* x, float* y, int rows, int r, int logMode) {
    __shared__ float scratch[32];
    int row = blockIdx.x;
    if (row >= rows) return;
    const float* xr = x + (long long)row * r;
    float* yr = y + (long long)row * r;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < r; j += blockDim.x) m = fmaxf(m, xr[j]);
    m = block_max(m, scratch);
    float s = 0.f;
    for (int j = threadIdx.x; j < r; j += blockDim.x) s += expf(xr[j] - m);
    s = block_sum(s, scratch);
    float logS = logf(s), inv = 1.f / s;
    for (int j = threadIdx.x; j < r; j += blockDim.x) {
        float z = xr[j] - m;
        yr[j] = logMode ? z - logS : expf(z) * inv;
    }
}

extern "C" __global__ void softmax_cols(const float* x, float* y, int outer, int r, int inner, int logMode) {
    JG_FOR(t, (long long)outer * inner) {
        long long o = t / inner, i = t % inner;
        const float* xb = x + o * r * inner + i;
        float* yb = y + o * r * inner + i;
        float m = -INFINITY;
        for (int j = 0; j < r; j++) m = fmaxf(m, xb[(long long)j * inner]);
        float s = 0.f;
        for (int j = 0; j < r; j++) s += expf(xb[(long long)j * inner] - m);
        float logS = logf(s);
        for (int j = 0; j < r; j++) {
            float z = xb[(long long)j * inner] - m;
            yb[(long long)j * inner] = logMode ? z - logS : expf(z) / s;
        }
    }
}

extern "C" __global__ void softmax_bwd_rows(const float* y, const float* gy, float* gx, int rows, int r, int logMode) {
    __shared__ float scratch[32];
    int row = blockIdx.x;
    if (row >= rows) return;
    long long base = (long long)row * r;
    float dot = 0.f;
    for (int j = threadIdx.x; j < r; j += blockDim.x) dot += logMode ? gy[base + j] : gy[base + j] * y[base + j];
    dot = block_sum(dot, scratch);
    for (int j = threadIdx.x; j < r; j += blockDim.x) {
        float yy = y[base + j], g = gy[base + j];
        gx[base + j] = logMode ? g - expf(yy) * dot : yy * (g - dot);
    }
}

extern "C" __global__ void softmax_bwd_cols(const float* y, const float* gy, float* gx, int outer, int r, int inner,
                                            int logMode) {
    JG_FOR(t, (long long)outer * inner) {
        long long o = t / inner, i = t % inner, base = o * r * inner + i;
        float dot = 0.f;
        for (int j = 0; j < r; j++) {
            long long at = base + (long long)j * inner;
            dot += logMode ? gy[at] : gy[at] * y[at];
        }
        for (int j = 0; j < r; j++) {
            long long at = base + (long long)j * inner;
            gx[at] = logMode ? gy[at] - expf(y[at]) * dot : y[at] * (gy[at] - dot);
        }
    }
}

__device__ __forceinline__ int valid_label(float v, int c) {
    int k = (int)v;
    return ((float)k == v && k >= 0 && k < c) ? k : -1;
}

// lse[row], loss_rows[row] and, for a bad label, the error flag (one thread per row).
// The loss is (m - x[label]) + log s, not lse - x[label]: m - x[label] is exact where the logits are close.
__device__ __forceinline__ void xent_row_result(const float* xr, const float* labels, float* lossRows, float* lse,
                                                int row, int c, int* error, float m, float logS) {
    lse[row] = m + logS;
    int k = valid_label(labels[row], c);
    if (k < 0) {
        if (atomicCAS(error, 0, row + 1) == 0) {
            error[1] = __float_as_int(labels[row]);
            error[2] = c;
        }
        lossRows[row] = 0.f;
    } else {
        lossRows[row] = (m - xr[k]) + logS;
    }
}

extern "C" __global__ void xent_fwd(const float* logits, const float* labels, float* lossRows, float* lse,
                                    int n, int c, int* error) {
    __shared__ float scratch[32];
    int row = blockIdx.x;
    if (row >= n) return;
    const float* xr = logits + (long long)row * c;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < c; j += blockDim.x) m = fmaxf(m, xr[j]);
    m = block_max(m, scratch);
    float s = 0.f;
    for (int j = threadIdx.x; j < c; j += blockDim.x) s += expf(xr[j] - m);
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) xent_row_result(xr, labels, lossRows, lse, row, c, error, m, logf(s));
}

// ---------------------------------------------------------------- a warp per row (r <= 1024)

// Register slot i of a lane: its element index in the row (the one place that defines the layout).
template <int K, bool VEC>
__device__ __forceinline__ int slot_index(int i, int lane) {
    return VEC ? (((i >> 2) * 32 + lane) << 2) + (i & 3) : i * 32 + lane;
}

// v[i] = p[slot_index(i)], or pad past the end of the row.
template <int K, bool VEC>
__device__ __forceinline__ void load_row(const float* p, int r, int lane, float (&v)[K], float pad) {
    if constexpr (VEC) {
#pragma unroll
        for (int q = 0; q < K / 4; q++) {
            int j = slot_index<K, true>(4 * q, lane);
            float4 t = j < r ? *reinterpret_cast<const float4*>(p + j) : make_float4(pad, pad, pad, pad);
            v[4 * q] = t.x;
            v[4 * q + 1] = t.y;
            v[4 * q + 2] = t.z;
            v[4 * q + 3] = t.w;
        }
    } else {
#pragma unroll
        for (int i = 0; i < K; i++) {
            int j = slot_index<K, false>(i, lane);
            v[i] = j < r ? p[j] : pad;
        }
    }
}

template <int K, bool VEC>
__device__ __forceinline__ void store_row(float* p, int r, int lane, const float (&v)[K]) {
    if constexpr (VEC) {
#pragma unroll
        for (int q = 0; q < K / 4; q++) {
            int j = slot_index<K, true>(4 * q, lane);
            if (j < r) *reinterpret_cast<float4*>(p + j) = make_float4(v[4 * q], v[4 * q + 1], v[4 * q + 2], v[4 * q + 3]);
        }
    } else {
#pragma unroll
        for (int i = 0; i < K; i++) {
            int j = slot_index<K, false>(i, lane);
            if (j < r) p[j] = v[i];
        }
    }
}

// The row's max (over the whole warp) and sum of exp(x - max) over its r real elements; v holds the
// row padded with -INFINITY. With exps, v[i] becomes exp(v[i] - max) (padding included).
template <int K, bool VEC>
__device__ __forceinline__ void warp_max_sumexp(float (&v)[K], int r, int lane, bool exps, float* mOut, float* sOut) {
    float m = -INFINITY;
#pragma unroll
    for (int i = 0; i < K; i++) m = fmaxf(m, v[i]);
    m = warp_max(m);
    float s = 0.f;
#pragma unroll
    for (int i = 0; i < K; i++) {
        float e = expf(v[i] - m);
        if (slot_index<K, VEC>(i, lane) < r) s += e;
        if (exps) v[i] = e;
    }
    *mOut = m;
    *sOut = warp_sum(s);
}

template <int K, bool VEC>
__device__ __forceinline__ void softmax_warp_row(const float* xr, float* yr, int r, int logMode, int lane) {
    float v[K];
    load_row<K, VEC>(xr, r, lane, v, -INFINITY);
    float m, s;
    warp_max_sumexp<K, VEC>(v, r, lane, !logMode, &m, &s);
    if (logMode) {
        float logS = logf(s);
#pragma unroll
        for (int i = 0; i < K; i++) v[i] = (v[i] - m) - logS;
    } else {
        float inv = 1.f / s;
#pragma unroll
        for (int i = 0; i < K; i++) v[i] *= inv;
    }
    store_row<K, VEC>(yr, r, lane, v);
}

template <int K, bool VEC>
__device__ __forceinline__ void softmax_bwd_warp_row(const float* yr, const float* gyr, float* gxr, int r, int logMode,
                                                     int lane) {
    float yv[K], g[K];
    load_row<K, VEC>(yr, r, lane, yv, 0.f);
    load_row<K, VEC>(gyr, r, lane, g, 0.f);
    float dot = 0.f;  // the padding is 0 in both, so it adds nothing
#pragma unroll
    for (int i = 0; i < K; i++) dot += logMode ? g[i] : g[i] * yv[i];
    dot = warp_sum(dot);
#pragma unroll
    for (int i = 0; i < K; i++) g[i] = logMode ? g[i] - expf(yv[i]) * dot : yv[i] * (g[i] - dot);
    store_row<K, VEC>(gxr, r, lane, g);
}

// The warp's row: blockDim.x / 32 rows per block (64-bit, so the last block cannot overflow).
__device__ __forceinline__ long long warp_row() {
    return (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
}

__device__ __forceinline__ bool aligned16(const void* p) {
    return ((unsigned long long)p & 15) == 0;
}

#define JG_SOFTMAX_WARP(K)                                                                                      \
    extern "C" __global__ void __launch_bounds__(256) softmax_rows_w##K(const float* x, float* y, int rows, int r,   \
                                                                       int logMode) {                           \
        long long row = warp_row();                                                                             \
        if (row >= rows) return;                                                                                \
        int lane = threadIdx.x & 31;                                                                            \
        const float* xr = x + row * r;                                                                          \
        float* yr = y + row * r;                                                                                \
        if (K >= 4 && (r & 3) == 0 && aligned16(x) && aligned16(y))                                             \
            softmax_warp_row<K, (K >= 4)>(xr, yr, r, logMode, lane);                                            \
        else                                                                                                    \
            softmax_warp_row<K, false>(xr, yr, r, logMode, lane);                                               \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(256) softmax_bwd_rows_w##K(const float* y, const float* gy, float* gx, \
                                                                           int rows, int r, int logMode) {      \
        long long row = warp_row();                                                                             \
        if (row >= rows) return;                                                                                \
        int lane = threadIdx.x & 31;                                                                            \
        long long base = row * r;                                                                               \
        if (K >= 4 && (r & 3) == 0 && aligned16(y) && aligned16(gy) && aligned16(gx))                           \
            softmax_bwd_warp_row<K, (K >= 4)>(y + base, gy + base, gx + base, r, logMode, lane);                \
        else                                                                                                    \
            softmax_bwd_warp_row<K, false>(y + base, gy + base, gx + base, r, logMode, lane);                   \
    }                                                                                                           \
    extern "C" __global__ void __launch_bounds__(256) xent_fwd_w##K(const float* logits, const float* labels,     \
                                                                   float* lossRows, float* lse, int n, int c,   \
                                                                   int* error) {                                \
        long long row = warp_row();                                                                             \
        if (row >= n) return;                                                                                   \
        int lane = threadIdx.x & 31;                                                                            \
        const float* xr = logits + row * c;                                                                     \
        float m, s;                                                                                             \
        if (K >= 4 && (c & 3) == 0 && aligned16(logits)) {                                                      \
            float v[K];                                                                                         \
            load_row<K, (K >= 4)>(xr, c, lane, v, -INFINITY);                                                   \
            warp_max_sumexp<K, (K >= 4)>(v, c, lane, false, &m, &s);                                            \
        } else {                                                                                                \
            float v[K];                                                                                         \
            load_row<K, false>(xr, c, lane, v, -INFINITY);                                                      \
            warp_max_sumexp<K, false>(v, c, lane, false, &m, &s);                                               \
        }                                                                                                       \
        if (lane == 0) xent_row_result(xr, labels, lossRows, lse, (int)row, c, error, m, logf(s));             \
    }

JG_SOFTMAX_WARP(1)
JG_SOFTMAX_WARP(2)
JG_SOFTMAX_WARP(4)
JG_SOFTMAX_WARP(8)
JG_SOFTMAX_WARP(16)
JG_SOFTMAX_WARP(32)

// ---------------------------------------------------------------- the rest

extern "C" __global__ void mean_rows(const float* v, float* out, int n) {
    __shared__ float scratch[32];
    float s = 0.f;
    for (int j = threadIdx.x; j < n; j += blockDim.x) s += v[j];
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) out[0] = s / n;
}

extern "C" __global__ void xent_bwd(const float* logits, const float* labels, const float* lse, const float* gLoss,
                                    float* gx, int n, int c) {
    __shared__ float scratch[32];
    int row = blockIdx.x;
    if (row >= n) return;
    const float* xr = logits + (long long)row * c;
    float* gr = gx + (long long)row * c;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < c; j += blockDim.x) m = fmaxf(m, xr[j]);
    m = block_max(m, scratch);
    float s = 0.f;
    for (int j = threadIdx.x; j < c; j += blockDim.x) s += expf(xr[j] - m);
    s = block_sum(s, scratch);
    float scale = gLoss[0] / n, inv = 1.f / s;
    int k = valid_label(labels[row], c);
    for (int j = threadIdx.x; j < c; j += blockDim.x) gr[j] = (expf(xr[j] - m) * inv - (k == j ? 1.f : 0.f)) * scale;
}

// Cross-entropy backward for c <= 1024: a warp per row streams the row three times (max, sum of
// exp, write; float4 where c % 4 == 0 and the pointers are 16-byte aligned) and reads its label
// once; no 64-bit division per element.
extern "C" __global__ void __launch_bounds__(256) xent_bwd_rows(const float* logits, const float* labels, const float* lse,
                                                                const float* gLoss, float* gx, int n, int c) {
    long long row = warp_row();
    if (row >= n) return;
    int lane = threadIdx.x & 31;
    int k = valid_label(labels[row], c);
    const float* xr = logits + row * c;
    float* gr = gx + row * c;
    float m = -INFINITY, s = 0.f;
    bool vec = (c & 3) == 0 && aligned16(logits) && aligned16(gx);
    if (vec) {
        for (int j = lane * 4; j < c; j += 128) {
            float4 v = *reinterpret_cast<const float4*>(xr + j);
            m = fmaxf(m, fmaxf(fmaxf(v.x, v.y), fmaxf(v.z, v.w)));
        }
        m = warp_max(m);
        for (int j = lane * 4; j < c; j += 128) {
            float4 v = *reinterpret_cast<const float4*>(xr + j);
            s += expf(v.x - m) + expf(v.y - m) + expf(v.z - m) + expf(v.w - m);
        }
    } else {
        for (int j = lane; j < c; j += 32) m = fmaxf(m, xr[j]);
        m = warp_max(m);
        for (int j = lane; j < c; j += 32) s += expf(xr[j] - m);
    }
    s = warp_sum(s);
    float scale = gLoss[0] / n, inv = 1.f / s;
    if (vec) {
        for (int j = lane * 4; j < c; j += 128) {
            float4 v = *reinterpret_cast<const float4*>(xr + j);
            v.x = (expf(v.x - m) * inv - (k == j ? 1.f : 0.f)) * scale;
            v.y = (expf(v.y - m) * inv - (k == j + 1 ? 1.f : 0.f)) * scale;
            v.z = (expf(v.z - m) * inv - (k == j + 2 ? 1.f : 0.f)) * scale;
            v.w = (expf(v.w - m) * inv - (k == j + 3 ? 1.f : 0.f)) * scale;
            *reinterpret_cast<float4*>(gr + j) = v;
        }
    } else {
        for (int j = lane; j < c; j += 32) gr[j] = (expf(xr[j] - m) * inv - (k == j ? 1.f : 0.f)) * scale;
    }
}
