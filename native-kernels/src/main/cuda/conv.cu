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
// H200, 2026-12-04 (JMH, a synchronize per call): LeNet's two forward layers at batch 64 in 74 and
// 58 us, launch-bound at that size.
//
//   conv2d_implicit     stride-1 forward convolution as an implicit GEMM (issue 12): per image,
//                       out (cOut, outH*outW) = W (cOut, K) @ col (K, outH*outW), K = cIn*kh*kw, but
//                       the col tile is gathered straight from x into shared memory (k -> (ci, ky,
//                       kx), output index -> (oy, ox), zero outside the image) instead of being
//                       materialised by im2col. Against im2col + GEMM it saves writing and then
//                       reading the n*K*outH*outW-float column buffer (and its allocation). Not yet
//                       measured on a GPU. See its comment for the tiling.
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

// conv2d_implicit: out[img, co, oy, ox] = sum over (ci, ky, kx) of W[co, ci, ky, kx] *
// x[img, ci, oy - ph + ky, ox - pw + kx] (zero outside), stride 1 only (g.sh, g.sw ignored; the
// host launches it only for stride 1). No bias (bias_add runs after it).
// A tiled GEMM with M = cOut, N = oh*ow, K = cIn*kh*kw per image: a block of exactly 256 threads
// computes a 64 x 64 output tile (blockIdx.x: the spatial tile; blockIdx.y: the channel tile,
// looping with stride gridDim.y; blockIdx.z: the image, looping with stride gridDim.z; both loops
// are uniform over the block, so every barrier is reached by all threads), BK = 8, each thread a
// 4x4 register tile (rows tr*4..+3, columns tc*4..+3). Per k tile a thread loads 2 elements of the
// W tile (row-contiguous reads, stored transposed into As with rows padded to 68 floats so the
// stores of a warp hit 32 different banks) and 2 elements of the implicit column tile (a fixed
// output position per thread, so (oy, ox) is computed once per block tile; consecutive threads
// read consecutive output positions). Index math is 32-bit within an image (the host checks that
// cIn*h*w, cOut*oh*ow and cOut*K fit in an int); the per-image base offsets are 64-bit.
#define IC_BM 64
#define IC_BN 64
#define IC_BK 8
#define IC_LDA 68

extern "C" __global__ void __launch_bounds__(256) conv2d_implicit(const float* x, const float* W, float* out, Conv g) {
    __shared__ __align__(16) float As[IC_BK][IC_LDA];
    __shared__ __align__(16) float Bs[IC_BK][IC_BN];
    const int tid = threadIdx.x, tr = tid / 16, tc = tid % 16;
    const int khw = g.kh * g.kw, K = g.cIn * khw, N = g.oh * g.ow, M = g.cOut, hw = g.h * g.w;
    const int tilesM = (M + IC_BM - 1) / IC_BM;
    const int bn = blockIdx.x * IC_BN;
    // this thread's column of the implicit tile: output position bn + tid % 64, k rows tid / 64 + 4 j
    const int ln = tid % IC_BN, lk = tid / IC_BN;
    const int gn = bn + ln;
    const bool nIn = gn < N;
    const int oy = nIn ? gn / g.ow : 0, ox = nIn ? gn - (gn / g.ow) * g.ow : 0;
    const int iy0 = oy - g.ph, ix0 = ox - g.pw;
    // this thread's element of the W tile: k column tid % 8, rows tid / 8 + 32 j
    const int wk = tid % IC_BK, wm = tid / IC_BK;
    for (int img = blockIdx.z; img < g.n; img += gridDim.z) {
        const float* xi = x + (long long)img * g.cIn * hw;
        float* oi = out + (long long)img * M * N;
        for (int by = blockIdx.y; by < tilesM; by += gridDim.y) {
            const int bm = by * IC_BM;
            float acc[4][4];
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] = 0.f;
            for (int k0 = 0; k0 < K; k0 += IC_BK) {
                {
                    const int gk = k0 + wk;
#pragma unroll
                    for (int j = 0; j < 2; j++) {
                        const int gm = bm + wm + 32 * j;
                        As[wk][wm + 32 * j] = (gm < M && gk < K) ? W[gm * K + gk] : 0.f;
                    }
                }
#pragma unroll
                for (int j = 0; j < 2; j++) {
                    const int kk = lk + 4 * j, gk = k0 + kk;
                    float v = 0.f;
                    if (nIn && gk < K) {
                        const int ci = gk / khw, r = gk - ci * khw, ky = r / g.kw, kx = r - ky * g.kw;
                        const int iy = iy0 + ky, ix = ix0 + kx;
                        if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) v = xi[ci * hw + iy * g.w + ix];
                    }
                    Bs[kk][ln] = v;
                }
                __syncthreads();
#pragma unroll
                for (int kk = 0; kk < IC_BK; kk++) {
                    const float4 a = *reinterpret_cast<const float4*>(&As[kk][tr * 4]);
                    const float4 b = *reinterpret_cast<const float4*>(&Bs[kk][tc * 4]);
                    const float av[4] = {a.x, a.y, a.z, a.w}, bv[4] = {b.x, b.y, b.z, b.w};
#pragma unroll
                    for (int i = 0; i < 4; i++)
#pragma unroll
                        for (int j = 0; j < 4; j++) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
                }
                __syncthreads();
            }
#pragma unroll
            for (int i = 0; i < 4; i++) {
                const int gm = bm + tr * 4 + i;
                if (gm >= M) continue;
#pragma unroll
                for (int j = 0; j < 4; j++) {
                    const int gc = bn + tc * 4 + j;
                    if (gc < N) oi[gm * N + gc] = acc[i][j];
                }
            }
        }
    }
}
