// Max-, average- and adaptive pooling over (n, c, d, h, w), forward and backward, with PyTorch's
// options: per-dimension windows, strides, padding, dilation (max), ceil mode (folded into the
// output sizes the host passes), count_include_pad and divisor_override. 1-D and 2-D poolings are
// the same kernels over size-1 leading dimensions.
//
//   maxpool3d_fwd / avgpool3d_fwd / adaptive_*pool3d_fwd   one thread per output element, taps
//                                                          in (kz, ky, kx) order as on the CPU
//   maxpool3d_bwd / avgpool3d_bwd / adaptive_*pool3d_bwd   one thread per INPUT element,
//       gathering from the windows that cover it in output order: no atomics, deterministic,
//       every gx element written once
//
// Max-pooling keeps the first maximum of a window, a NaN beating every number (the first NaN the
// later ones); argmax holds the index (iz * h + iy) * w + ix within the plane, as a float.
#include "common.cuh"

struct Pool3 {
    int n, c, d, h, w;
    int kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw;
    int od, oh, ow;
    int countIncludePad, divisorOverride;
};

struct Adaptive3 {
    int n, c, d, h, w, od, oh, ow;
};

// Taps of window o that the divisor counts in one dimension (Pool3dGeometry.divisor).
__device__ __forceinline__ int pool_span(int o, int size, int k, int s, int p, int includePad) {
    int start = o * s - p, end = min(start + k, size + p);
    if (includePad) return end - start;
    return min(end, size) - max(start, 0);
}

__device__ __forceinline__ int pool_divisor(const Pool3& g, int z, int y, int x) {
    if (g.divisorOverride > 0) return g.divisorOverride;
    return pool_span(z, g.d, g.kd, g.sd, g.pd, g.countIncludePad) * pool_span(y, g.h, g.kh, g.sh, g.ph, g.countIncludePad)
         * pool_span(x, g.w, g.kw, g.sw, g.pw, g.countIncludePad);
}

__device__ __forceinline__ void unravel(long long t, int od, int oh, int ow, long long* plane, int* z, int* y, int* x) {
    *x = (int)(t % ow);
    *y = (int)((t / ow) % oh);
    *z = (int)((t / ((long long)ow * oh)) % od);
    *plane = t / ((long long)ow * oh * od);
}

extern "C" __global__ void maxpool3d_fwd(const float* x, float* out, float* argmax, Pool3 g) {
    JG_FOR(t, (long long)g.n * g.c * g.od * g.oh * g.ow) {
        long long plane;
        int oz, oy, ox;
        unravel(t, g.od, g.oh, g.ow, &plane, &oz, &oy, &ox);
        const float* xp = x + plane * g.d * g.h * g.w;
        float best = -INFINITY;
        int bestIdx = -1;
        for (int kz = 0; kz < g.kd; kz++) {
            int iz = oz * g.sd - g.pd + kz * g.dd;
            if (iz < 0 || iz >= g.d) continue;
            for (int ky = 0; ky < g.kh; ky++) {
                int iy = oy * g.sh - g.ph + ky * g.dh;
                if (iy < 0 || iy >= g.h) continue;
                for (int kx = 0; kx < g.kw; kx++) {
                    int ix = ox * g.sw - g.pw + kx * g.dw;
                    if (ix < 0 || ix >= g.w) continue;
                    int idx = (iz * g.h + iy) * g.w + ix;
                    float v = xp[idx];
                    if (bestIdx < 0 || v > best || (isnan(v) && !isnan(best))) { best = v; bestIdx = idx; }
                }
            }
        }
        out[t] = best;
        argmax[t] = (float)bestIdx;
    }
}

extern "C" __global__ void avgpool3d_fwd(const float* x, float* out, Pool3 g) {
    JG_FOR(t, (long long)g.n * g.c * g.od * g.oh * g.ow) {
        long long plane;
        int oz, oy, ox;
        unravel(t, g.od, g.oh, g.ow, &plane, &oz, &oy, &ox);
        const float* xp = x + plane * g.d * g.h * g.w;
        float sum = 0.f;
        for (int kz = 0; kz < g.kd; kz++) {
            int iz = oz * g.sd - g.pd + kz;
            if (iz < 0 || iz >= g.d) continue;
            for (int ky = 0; ky < g.kh; ky++) {
                int iy = oy * g.sh - g.ph + ky;
                if (iy < 0 || iy >= g.h) continue;
                for (int kx = 0; kx < g.kw; kx++) {
                    int ix = ox * g.sw - g.pw + kx;
                    if (ix >= 0 && ix < g.w) sum += xp[(iz * g.h + iy) * g.w + ix];
                }
            }
        }
        out[t] = sum / (float)pool_divisor(g, oz, oy, ox);
    }
}

// The backward passes visit, per dimension, the taps t = k-1 .. 0 of the windows o = (i + p - t dil) / s
// that hold input i: o grows as t falls, so the outputs come in the order the CPU scatters them.
#define POOL_COVER_BEGIN(I, K, S, P, DIL, OUT, O)                                        \
    for (int t##O = (K) - 1; t##O >= 0; t##O--) {                                       \
        int num##O = (I) + (P) - t##O * (DIL);                                          \
        if (num##O < 0 || num##O % (S) != 0) continue;                                   \
        int O = num##O / (S);                                                           \
        if (O >= (OUT)) break;
#define POOL_COVER_END }

extern "C" __global__ void maxpool3d_bwd(const float* gy, const float* argmax, float* gx, Pool3 g) {
    JG_FOR(t, (long long)g.n * g.c * g.d * g.h * g.w) {
        long long plane;
        int iz, iy, ix;
        unravel(t, g.d, g.h, g.w, &plane, &iz, &iy, &ix);
        int self = (iz * g.h + iy) * g.w + ix;
        const float* gp = gy + plane * g.od * g.oh * g.ow;
        const float* ap = argmax + plane * g.od * g.oh * g.ow;
        float sum = 0.f;
        POOL_COVER_BEGIN(iz, g.kd, g.sd, g.pd, g.dd, g.od, oz)
            POOL_COVER_BEGIN(iy, g.kh, g.sh, g.ph, g.dh, g.oh, oy)
                POOL_COVER_BEGIN(ix, g.kw, g.sw, g.pw, g.dw, g.ow, ox)
                    long long o = ((long long)oz * g.oh + oy) * g.ow + ox;
                    if ((int)ap[o] == self) sum += gp[o];
                POOL_COVER_END
            POOL_COVER_END
        POOL_COVER_END
        gx[t] = sum;
    }
}

extern "C" __global__ void avgpool3d_bwd(const float* gy, float* gx, Pool3 g) {
    JG_FOR(t, (long long)g.n * g.c * g.d * g.h * g.w) {
        long long plane;
        int iz, iy, ix;
        unravel(t, g.d, g.h, g.w, &plane, &iz, &iy, &ix);
        const float* gp = gy + plane * g.od * g.oh * g.ow;
        float sum = 0.f;
        POOL_COVER_BEGIN(iz, g.kd, g.sd, g.pd, 1, g.od, oz)
            POOL_COVER_BEGIN(iy, g.kh, g.sh, g.ph, 1, g.oh, oy)
                POOL_COVER_BEGIN(ix, g.kw, g.sw, g.pw, 1, g.ow, ox)
                    sum += gp[((long long)oz * g.oh + oy) * g.ow + ox] / (float)pool_divisor(g, oz, oy, ox);
                POOL_COVER_END
            POOL_COVER_END
        POOL_COVER_END
        gx[t] = sum;
    }
}

// Adaptive windows: output j of a dimension pools [floor(j in / out), ceil((j + 1) in / out)).
__device__ __forceinline__ int adaptive_start(int j, int in, int out) { return (int)((long long)j * in / out); }

__device__ __forceinline__ int adaptive_end(int j, int in, int out) {
    return (int)(((long long)(j + 1) * in + out - 1) / out);
}

// The outputs whose windows hold input i: floor(i out / in) .. ceil((i + 1) out / in) - 1.
__device__ __forceinline__ void adaptive_cover(int i, int in, int out, int* lo, int* hi) {
    *lo = (int)((long long)i * out / in);
    *hi = min(out - 1, (int)(((long long)(i + 1) * out + in - 1) / in) - 1);
}

// mode 0: average; mode 1: max with argmax.
extern "C" __global__ void adaptive_pool3d_fwd(const float* x, float* out, float* argmax, Adaptive3 g, int mode) {
    JG_FOR(t, (long long)g.n * g.c * g.od * g.oh * g.ow) {
        long long plane;
        int oz, oy, ox;
        unravel(t, g.od, g.oh, g.ow, &plane, &oz, &oy, &ox);
        const float* xp = x + plane * g.d * g.h * g.w;
        int z0 = adaptive_start(oz, g.d, g.od), z1 = adaptive_end(oz, g.d, g.od);
        int y0 = adaptive_start(oy, g.h, g.oh), y1 = adaptive_end(oy, g.h, g.oh);
        int x0 = adaptive_start(ox, g.w, g.ow), x1 = adaptive_end(ox, g.w, g.ow);
        if (mode == 0) {
            float sum = 0.f;
            for (int iz = z0; iz < z1; iz++)
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) sum += xp[(iz * g.h + iy) * g.w + ix];
            out[t] = sum / (float)((z1 - z0) * (y1 - y0) * (x1 - x0));
        } else {
            float best = -INFINITY;
            int bestIdx = -1;
            for (int iz = z0; iz < z1; iz++)
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) {
                        int idx = (iz * g.h + iy) * g.w + ix;
                        float v = xp[idx];
                        if (bestIdx < 0 || v > best || (isnan(v) && !isnan(best))) { best = v; bestIdx = idx; }
                    }
            out[t] = best;
            argmax[t] = (float)bestIdx;
        }
    }
}

// mode 0: average (argmax unused, may be null); mode 1: max through argmax.
extern "C" __global__ void adaptive_pool3d_bwd(const float* gy, const float* argmax, float* gx, Adaptive3 g, int mode) {
    JG_FOR(t, (long long)g.n * g.c * g.d * g.h * g.w) {
        long long plane;
        int iz, iy, ix;
        unravel(t, g.d, g.h, g.w, &plane, &iz, &iy, &ix);
        int self = (iz * g.h + iy) * g.w + ix;
        long long base = plane * g.od * g.oh * g.ow;
        int zl, zh, yl, yh, xl, xh;
        adaptive_cover(iz, g.d, g.od, &zl, &zh);
        adaptive_cover(iy, g.h, g.oh, &yl, &yh);
        adaptive_cover(ix, g.w, g.ow, &xl, &xh);
        float sum = 0.f;
        for (int oz = zl; oz <= zh; oz++)
            for (int oy = yl; oy <= yh; oy++)
                for (int ox = xl; ox <= xh; ox++) {
                    long long o = base + ((long long)oz * g.oh + oy) * g.ow + ox;
                    if (mode == 0) {
                        int count = (adaptive_end(oz, g.d, g.od) - adaptive_start(oz, g.d, g.od))
                                  * (adaptive_end(oy, g.h, g.oh) - adaptive_start(oy, g.h, g.oh))
                                  * (adaptive_end(ox, g.w, g.ow) - adaptive_start(ox, g.w, g.ow));
                        sum += gy[o] / (float)count;
                    } else if ((int)argmax[o] == self) {
                        sum += gy[o];
                    }
                }
        gx[t] = sum;
    }
}
