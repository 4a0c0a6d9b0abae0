// Softmax, log-softmax and the fused softmax-cross-entropy.
//
//   softmax_rows      inner == 1: one block per row; pass 1 max, pass 2 sum of exp, pass 3 write.
//                     Rows up to a few thousand stay in L1/L2 between passes, so DRAM traffic is
//                     close to one read and one write per element.
//   softmax_cols      inner > 1: one thread per (o, i), three passes over r
//   softmax_bwd_rows / softmax_bwd_cols   gx = y (gy - sum(gy y)), or gy - exp(y) sum(gy) for log
//   xent_fwd          one block per row: lse[row] and loss_rows[row] = lse - logit[label];
//                     a bad label sets error[0] = row + 1, error[1] = the label's bits and
//                     error[2] = c (the first bad row to get there wins); the host reads them at its next
//                     synchronization and throws
//   mean_rows         one block: loss = mean(loss_rows), a deterministic order
//   xent_bwd          one thread per element: (exp(x - lse) - onehot) * gLoss / n
#include "common.cuh"

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
    if (threadIdx.x == 0) {
        float l = m + logf(s);
        lse[row] = l;
        int k = valid_label(labels[row], c);
        if (k < 0) {
            if (atomicCAS(error, 0, row + 1) == 0) {
                error[1] = __float_as_int(labels[row]);
                error[2] = c;
            }
            lossRows[row] = 0.f;
        } else {
            lossRows[row] = l - xr[k];
        }
    }
}

extern "C" __global__ void mean_rows(const float* v, float* out, int n) {
    __shared__ float scratch[32];
    float s = 0.f;
    for (int j = threadIdx.x; j < n; j += blockDim.x) s += v[j];
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) out[0] = s / n;
}

extern "C" __global__ void xent_bwd(const float* logits, const float* labels, const float* lse, const float* gLoss,
                                    float* gx, int n, int c) {
    float scale = gLoss[0] / n;
    JG_FOR(t, (long long)n * c) {
        int row = (int)(t / c), j = (int)(t % c);
        float p = expf(logits[t] - lse[row]);
        gx[t] = (p - (valid_label(labels[row], c) == j ? 1.f : 0.f)) * scale;
    }
}
