// The pieces of convolution by im2col + GEMM (the GEMMs themselves are matmul.cu's):
//
//   im2col      x (n, cIn, h, w) -> col (n, cIn*kh*kw, outH*outW); one thread per col element,
//               consecutive threads walk consecutive output positions (coalesced writes)
//   col2im      the adjoint: one thread per INPUT pixel gathers every col entry that read it
//               (no atomics, deterministic)
//   bias_add    out (n, cOut, spatial) += bias[cOut]
//   bias_grad   gBias[co] = sum over n and spatial of gy; one block per channel
#include "common.cuh"

struct Conv {
    int n, cIn, h, w, cOut, kh, kw, sh, sw, ph, pw, oh, ow;
};

extern "C" __global__ void im2col(const float* x, float* col, Conv g) {
    long long spatial = (long long)g.oh * g.ow, patch = (long long)g.cIn * g.kh * g.kw;
    JG_FOR(t, g.n * patch * spatial) {
        long long s = t % spatial, row = (t / spatial) % patch, img = t / (spatial * patch);
        int kx = (int)(row % g.kw), ky = (int)((row / g.kw) % g.kh), ci = (int)(row / ((long long)g.kw * g.kh));
        int ox = (int)(s % g.ow), oy = (int)(s / g.ow);
        int iy = oy * g.sh - g.ph + ky, ix = ox * g.sw - g.pw + kx;
        bool inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
        col[t] = inside ? x[((img * g.cIn + ci) * g.h + iy) * g.w + ix] : 0.f;
    }
}

extern "C" __global__ void col2im(const float* col, float* gx, Conv g) {
    long long spatial = (long long)g.oh * g.ow, patch = (long long)g.cIn * g.kh * g.kw;
    JG_FOR(t, (long long)g.n * g.cIn * g.h * g.w) {
        int ix = (int)(t % g.w), iy = (int)((t / g.w) % g.h);
        long long ci = (t / ((long long)g.w * g.h)) % g.cIn, img = t / ((long long)g.w * g.h * g.cIn);
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
                long long row = (ci * g.kh + ky) * g.kw + kx;
                sum += col[(img * patch + row) * spatial + (long long)oy * g.ow + ox];
            }
        }
        gx[t] = sum;
    }
}

extern "C" __global__ void bias_add(float* out, const float* bias, long long total, int cOut, int spatial) {
    JG_FOR(t, total) out[t] += bias[(t / spatial) % cOut];
}

extern "C" __global__ void bias_grad(const float* gy, float* gBias, int n, int cOut, int spatial) {
    __shared__ float scratch[32];
    int co = blockIdx.x;
    float s = 0.f;
    for (long long k = threadIdx.x; k < (long long)n * spatial; k += blockDim.x) {
        long long img = k / spatial, p = k % spatial;
        s += gy[(img * cOut + co) * spatial + p];
    }
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) gBias[co] = s;
}
