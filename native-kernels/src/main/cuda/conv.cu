// The pieces of convolution by im2col + GEMM (the GEMMs themselves are matmul.cu's):
//
//   im2col              x (n, cIn, h, w) -> col (n, cIn*kh*kw, outH*outW); one thread per col
//                       element, consecutive threads walk consecutive output positions (coalesced)
//   col2im              the adjoint: one thread per INPUT pixel gathers every col entry that read
//                       it (no atomics, deterministic)
//   bias_add            out (n, cOut, spatial) += bias[cOut]
//   bias_grad_partial   grid (cOut, splits): block (co, k) sums the k-th contiguous slice of
//                       channel co's n*spatial values of gy into partial[co * splits + k]
//   bias_grad_finalize  one thread per channel adds its splits' partials in order: gBias
//
// Changed (issue 12): im2col and col2im index in 32 bits (`wide` = 0, which the host passes when
// every index and index + grid stride fits in an int); a 64-bit instantiation of the same code
// remains for wide = 1. bias_add follows a ChannelWalk (common.cuh) instead of a 64-bit divide and
// modulo per element. bias_grad was one block per output channel (6 to 64 blocks on a 132-SM GPU);
// it is now split over blocks per channel as batch norm's statistics are (the host picks splits
// from the SM count) with a fixed-order second pass, so no float atomics and the same bits on
// every run; with one split the partial pass writes gBias directly.
// Not yet measured on a GPU.
#include "common.cuh"

struct Conv {
    int n, cIn, h, w, cOut, kh, kw, sh, sw, ph, pw, oh, ow;
};

template <typename I>
__device__ __forceinline__ void im2col_body(const float* x, float* col, const Conv& g) {
    I spatial = (I)g.oh * g.ow, patch = (I)g.cIn * g.kh * g.kw, total = (I)g.n * patch * spatial;
    I step = (I)gridDim.x * blockDim.x;
    for (I t = (I)blockIdx.x * blockDim.x + threadIdx.x; t < total; t += step) {
        I q = t / spatial, img = q / patch;
        int s = (int)(t - q * spatial), row = (int)(q - img * patch);
        int r = row / g.kw, kx = row - r * g.kw, ci = r / g.kh, ky = r - ci * g.kh;
        int oy = s / g.ow, ox = s - oy * g.ow;
        int iy = oy * g.sh - g.ph + ky, ix = ox * g.sw - g.pw + kx;
        bool inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
        col[t] = inside ? x[((img * g.cIn + ci) * g.h + iy) * g.w + ix] : 0.f;
    }
}

template <typename I>
__device__ __forceinline__ void col2im_body(const float* col, float* gx, const Conv& g) {
    I spatial = (I)g.oh * g.ow, patch = (I)g.cIn * g.kh * g.kw, total = (I)g.n * g.cIn * g.h * g.w;
    I step = (I)gridDim.x * blockDim.x;
    for (I t = (I)blockIdx.x * blockDim.x + threadIdx.x; t < total; t += step) {
        I rowsOf = t / g.w, plane = rowsOf / g.h, img = plane / g.cIn;
        int ix = (int)(t - rowsOf * g.w), iy = (int)(rowsOf - plane * g.h), ci = (int)(plane - img * g.cIn);
        const float* base = col + img * patch * spatial;
        float sum = 0.f;
        for (int ky = 0; ky < g.kh; ky++) {
            int oyS = iy + g.ph - ky;
            if (oyS < 0 || oyS % g.sh != 0) continue;
            int oy = oyS / g.sh;
            if (oy >= g.oh) continue;
            for (int kx = 0; kx < g.kw; kx++) {
                int oxS = ix + g.pw - kx;
                if (oxS < 0 || oxS % g.sw != 0) continue;
                int ox = oxS / g.sw;
                if (ox >= g.ow) continue;
                I row = ((I)ci * g.kh + ky) * g.kw + kx;
                sum += base[row * spatial + (I)oy * g.ow + ox];
            }
        }
        gx[t] = sum;
    }
}

extern "C" __global__ void im2col(const float* x, float* col, Conv g, int wide) {
    if (wide) im2col_body<long long>(x, col, g);
    else im2col_body<int>(x, col, g);
}

extern "C" __global__ void col2im(const float* col, float* gx, Conv g, int wide) {
    if (wide) col2im_body<long long>(col, gx, g);
    else col2im_body<int>(col, gx, g);
}

extern "C" __global__ void bias_add(float* out, const float* bias, long long total, int cOut, int spatial) {
    long long first = (long long)blockIdx.x * blockDim.x + threadIdx.x, step = (long long)gridDim.x * blockDim.x;
    ChannelWalk w(first, step, cOut, spatial);
    for (long long t = first; t < total; t += step, w.advance()) out[t] += bias[w.ch];
}

extern "C" __global__ void bias_grad_partial(const float* gy, float* partial, int n, int cOut, int spatial, int splits) {
    __shared__ float scratch[32];
    int co = blockIdx.x, split = blockIdx.y;
    long long m = (long long)n * spatial;
    long long per = (m + splits - 1) / splits, begin = split * per;
    int len = (int)max(0LL, min(m, begin + per) - begin);  // < 2^31: a block's share of one channel
    float s = 0.f;
    PlaneCursor at(begin + threadIdx.x, blockDim.x, cOut, co, spatial);
    for (int k = threadIdx.x; k < len; k += blockDim.x, at.advance()) s += gy[at.off];
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) partial[(long long)co * splits + split] = s;
}

extern "C" __global__ void bias_grad_finalize(const float* partial, float* gBias, int cOut, int splits) {
    int co = blockIdx.x * blockDim.x + threadIdx.x;
    if (co >= cOut) return;
    const float* p = partial + (long long)co * splits;
    float s = 0.f;
    for (int k = 0; k < splits; k++) s += p[k];
    gBias[co] = s;
}
