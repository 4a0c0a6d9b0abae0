// Max- and average-pooling over (n, c, h, w), forward and backward.
//
//   maxpool_fwd / avgpool_fwd   one thread per output element
//   maxpool_bwd / avgpool_bwd   one thread per INPUT element, gathering from the windows that
//                               cover it: no atomics, deterministic, every gx element written once
//
// Padding counts as minus infinity for max and as zeros in the average (divisor kh * kw).
#include "common.cuh"

struct Pool {
    int n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow;
};

extern "C" __global__ void maxpool_fwd(const float* x, float* out, float* argmax, Pool g) {
    JG_FOR(t, (long long)g.n * g.c * g.oh * g.ow) {
        int ox = (int)(t % g.ow), oy = (int)((t / g.ow) % g.oh);
        long long plane = t / ((long long)g.oh * g.ow);
        const float* xp = x + plane * g.h * g.w;
        float best = -INFINITY;
        int bestIdx = -1;
        for (int ky = 0; ky < g.kh; ky++) {
            int iy = oy * g.sh - g.ph + ky;
            if (iy < 0 || iy >= g.h) continue;
            for (int kx = 0; kx < g.kw; kx++) {
                int ix = ox * g.sw - g.pw + kx;
                if (ix < 0 || ix >= g.w) continue;
                float v = xp[iy * g.w + ix];
                if (bestIdx < 0 || v > best || (isnan(v) && !isnan(best))) { best = v; bestIdx = iy * g.w + ix; }
            }
        }
        out[t] = best;
        argmax[t] = (float)bestIdx;
    }
}

// Output rows [lo, hi] whose windows contain input row i: o*s - p <= i <= o*s - p + k - 1.
__device__ __forceinline__ void covering(int i, int k, int s, int p, int outSize, int* lo, int* hi) {
    int a = i + p - k + 1;
    *lo = a <= 0 ? 0 : (a + s - 1) / s;
    *hi = min((i + p) / s, outSize - 1);
}

extern "C" __global__ void maxpool_bwd(const float* gy, const float* argmax, float* gx, Pool g) {
    JG_FOR(t, (long long)g.n * g.c * g.h * g.w) {
        int ix = (int)(t % g.w), iy = (int)((t / g.w) % g.h);
        long long plane = t / ((long long)g.h * g.w);
        int y0, y1, x0, x1;
        covering(iy, g.kh, g.sh, g.ph, g.oh, &y0, &y1);
        covering(ix, g.kw, g.sw, g.pw, g.ow, &x0, &x1);
        float sum = 0.f;
        int self = iy * g.w + ix;
        for (int oy = y0; oy <= y1; oy++)
            for (int ox = x0; ox <= x1; ox++) {
                long long o = (plane * g.oh + oy) * g.ow + ox;
                if ((int)argmax[o] == self) sum += gy[o];
            }
        gx[t] = sum;
    }
}

extern "C" __global__ void avgpool_fwd(const float* x, float* out, Pool g) {
    float scale = 1.f / (g.kh * g.kw);
    JG_FOR(t, (long long)g.n * g.c * g.oh * g.ow) {
        int ox = (int)(t % g.ow), oy = (int)((t / g.ow) % g.oh);
        long long plane = t / ((long long)g.oh * g.ow);
        const float* xp = x + plane * g.h * g.w;
        float sum = 0.f;
        for (int ky = 0; ky < g.kh; ky++) {
            int iy = oy * g.sh - g.ph + ky;
            if (iy < 0 || iy >= g.h) continue;
            for (int kx = 0; kx < g.kw; kx++) {
                int ix = ox * g.sw - g.pw + kx;
                if (ix >= 0 && ix < g.w) sum += xp[iy * g.w + ix];
            }
        }
        out[t] = sum * scale;
    }
}

extern "C" __global__ void avgpool_bwd(const float* gy, float* gx, Pool g) {
    float scale = 1.f / (g.kh * g.kw);
    JG_FOR(t, (long long)g.n * g.c * g.h * g.w) {
        int ix = (int)(t % g.w), iy = (int)((t / g.w) % g.h);
        long long plane = t / ((long long)g.h * g.w);
        int y0, y1, x0, x1;
        covering(iy, g.kh, g.sh, g.ph, g.oh, &y0, &y1);
        covering(ix, g.kw, g.sw, g.pw, g.ow, &x0, &x1);
        float sum = 0.f;
        for (int oy = y0; oy <= y1; oy++)
            for (int ox = x0; ox <= x1; ox++) sum += gy[(plane * g.oh + oy) * g.ow + ox];
        gx[t] = sum * scale;
    }
}
