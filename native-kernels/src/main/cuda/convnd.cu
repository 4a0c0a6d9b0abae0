// Grouped, dilated, asymmetric-padded convolution over (n, c, d, h, w): 1-D and 2-D are the same
// kernels over size-1 leading dims. Direct loops, one fixed-order float sum per element written, no
// atomics: every result is the same bits on every run. (The plain 2-D case with one group runs on
// conv.cu's im2col + GEMM path instead; this family serves what that one cannot express.)
//
//   convnd_fwd          one thread per output element: taps in (c, kz, ky, kx) order, as on the CPU
//   convnd_bwd_input    one thread per INPUT element, gathering from the outputs whose taps read it:
//                       output o = (i + padBegin - k * dil) / stride where that division is exact
//   convnd_bwd_weight   one block per weight element: the block's threads stride over (image,
//                       output position) and a fixed tree reduction (block_sum) adds their sums
//
// Output position o with tap k reads input position o * stride - padBegin + k * dilation. The end
// padding shows only in the output sizes the host passes. The bias gradient is conv.cu's
// bias_grad_partial (one block per channel).
#include "common.cuh"

struct ConvNdArgs {
    int n, cIn, d, h, w, cOut, kd, kh, kw;
    int sd, sh, sw, pd, ph, pw, dd, dh, dw;   // strides, begin paddings, dilations
    int od, oh, ow, groups;
};

extern "C" __global__ void convnd_fwd(const float* x, const float* wt, const float* bias, int hasBias, float* out, ConvNdArgs g) {
    int cinG = g.cIn / g.groups, coutG = g.cOut / g.groups;
    long long outPlane = (long long)g.od * g.oh * g.ow, inPlane = (long long)g.d * g.h * g.w;
    int taps = g.kd * g.kh * g.kw;
    JG_FOR(t, (long long)g.n * g.cOut * outPlane) {
        int ox = (int)(t % g.ow), oy = (int)((t / g.ow) % g.oh), oz = (int)((t / ((long long)g.ow * g.oh)) % g.od);
        long long nc = t / outPlane;
        int co = (int)(nc % g.cOut);
        long long img = nc / g.cOut;
        int ci0 = co / coutG * cinG;
        float sum = 0.f;
        for (int c = 0; c < cinG; c++) {
            const float* xp = x + (img * g.cIn + ci0 + c) * inPlane;
            const float* wp = wt + ((long long)co * cinG + c) * taps;
            for (int kz = 0; kz < g.kd; kz++) {
                int iz = oz * g.sd - g.pd + kz * g.dd;
                if (iz < 0 || iz >= g.d) continue;
                for (int ky = 0; ky < g.kh; ky++) {
                    int iy = oy * g.sh - g.ph + ky * g.dh;
                    if (iy < 0 || iy >= g.h) continue;
                    for (int kx = 0; kx < g.kw; kx++) {
                        int ix = ox * g.sw - g.pw + kx * g.dw;
                        if (ix < 0 || ix >= g.w) continue;
                        sum += xp[((long long)iz * g.h + iy) * g.w + ix] * wp[(kz * g.kh + ky) * g.kw + kx];
                    }
                }
            }
        }
        out[t] = hasBias ? sum + bias[co] : sum;
    }
}

// The output position whose tap k reads input position i in one dimension, or -1 when none does.
__device__ __forceinline__ int convnd_cover(int i, int pad, int k, int dil, int stride, int outSize) {
    int num = i + pad - k * dil;
    if (num < 0 || num % stride != 0) return -1;
    int o = num / stride;
    return o < outSize ? o : -1;
}

extern "C" __global__ void convnd_bwd_input(const float* gy, const float* wt, float* gx, ConvNdArgs g) {
    int cinG = g.cIn / g.groups, coutG = g.cOut / g.groups;
    long long outPlane = (long long)g.od * g.oh * g.ow, inPlane = (long long)g.d * g.h * g.w;
    int taps = g.kd * g.kh * g.kw;
    JG_FOR(t, (long long)g.n * g.cIn * inPlane) {
        int ix = (int)(t % g.w), iy = (int)((t / g.w) % g.h), iz = (int)((t / ((long long)g.w * g.h)) % g.d);
        long long nc = t / inPlane;
        int ci = (int)(nc % g.cIn);
        long long img = nc / g.cIn;
        int grp = ci / cinG, c = ci % cinG;
        float sum = 0.f;
        for (int co = grp * coutG; co < (grp + 1) * coutG; co++) {
            const float* gp = gy + (img * g.cOut + co) * outPlane;
            const float* wp = wt + ((long long)co * cinG + c) * taps;
            for (int kz = 0; kz < g.kd; kz++) {
                int oz = convnd_cover(iz, g.pd, kz, g.dd, g.sd, g.od);
                if (oz < 0) continue;
                for (int ky = 0; ky < g.kh; ky++) {
                    int oy = convnd_cover(iy, g.ph, ky, g.dh, g.sh, g.oh);
                    if (oy < 0) continue;
                    for (int kx = 0; kx < g.kw; kx++) {
                        int ox = convnd_cover(ix, g.pw, kx, g.dw, g.sw, g.ow);
                        if (ox < 0) continue;
                        sum += gp[((long long)oz * g.oh + oy) * g.ow + ox] * wp[(kz * g.kh + ky) * g.kw + kx];
                    }
                }
            }
        }
        gx[t] = sum;
    }
}

// Block b holds weight element b = ((co * cinG + c) * kd + kz) * kh + ky) * kw + kx.
extern "C" __global__ void convnd_bwd_weight(const float* x, const float* gy, float* gw, ConvNdArgs g) {
    __shared__ float scratch[32];
    int cinG = g.cIn / g.groups, coutG = g.cOut / g.groups;
    long long outPlane = (long long)g.od * g.oh * g.ow, inPlane = (long long)g.d * g.h * g.w;
    long long e = blockIdx.x;
    int kx = (int)(e % g.kw), ky = (int)((e / g.kw) % g.kh), kz = (int)((e / ((long long)g.kw * g.kh)) % g.kd);
    long long cc = e / ((long long)g.kd * g.kh * g.kw);
    int c = (int)(cc % cinG), co = (int)(cc / cinG);
    int ci = co / coutG * cinG + c;
    float sum = 0.f;
    for (long long t = threadIdx.x; t < (long long)g.n * outPlane; t += blockDim.x) {
        int ox = (int)(t % g.ow), oy = (int)((t / g.ow) % g.oh), oz = (int)((t / ((long long)g.ow * g.oh)) % g.od);
        long long img = t / outPlane;
        int iz = oz * g.sd - g.pd + kz * g.dd, iy = oy * g.sh - g.ph + ky * g.dh, ix = ox * g.sw - g.pw + kx * g.dw;
        if (iz < 0 || iz >= g.d || iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
        sum += gy[(img * g.cOut + co) * outPlane + ((long long)oz * g.oh + oy) * g.ow + ox]
             * x[(img * g.cIn + ci) * inPlane + ((long long)iz * g.h + iy) * g.w + ix];
    }
    sum = block_sum(sum, scratch);
    if (threadIdx.x == 0) gw[e] = sum;
}
