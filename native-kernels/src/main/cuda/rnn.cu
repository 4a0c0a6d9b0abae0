// The gate math of one LSTM or GRU step, fused (the matrix products stay cuBLAS-shaped GEMMs
// outside): one thread per (row, hidden unit), each reading its gates and writing its outputs
// once, where the composition of tensor ops made eight to eleven passes over memory. The same
// formulas, in the same order, as engine/cpu/RecurrentCells.java (whose comments derive the
// gradients); sigmoid and tanh are expf/tanhf here, so results match the CPU to float32 rounding.
// Not yet measured on a GPU.
#include "common.cuh"

__device__ __forceinline__ float sigm(float x) { return 1.f / (1.f + expf(-x)); }

// gates (n, 4h): i, f, g, o pre-activations; c (n, h); out (n, 2h) = [h' | c'] per row
extern "C" __global__ void lstm_cell_fwd(const float* gates, const float* c, float* out, long long n, int h) {
    JG_FOR(t, n * h) {
        long long r = t / h;
        int j = (int)(t - r * h);
        const float* g0 = gates + r * 4 * h;
        float i = sigm(g0[j]), f = sigm(g0[h + j]), g = tanhf(g0[2 * h + j]), o = sigm(g0[3 * h + j]);
        float c2 = f * c[t] + i * g;
        out[r * 2 * h + j] = o * tanhf(c2);
        out[r * 2 * h + h + j] = c2;
    }
}

extern "C" __global__ void lstm_cell_bwd(const float* gates, const float* c, const float* gOut, float* gGates, float* gC,
                                         long long n, int h) {
    JG_FOR(t, n * h) {
        long long r = t / h;
        int j = (int)(t - r * h);
        const float* g0 = gates + r * 4 * h;
        float i = sigm(g0[j]), f = sigm(g0[h + j]), g = tanhf(g0[2 * h + j]), o = sigm(g0[3 * h + j]);
        float cPrev = c[t], c2 = f * cPrev + i * g, th = tanhf(c2);
        float gh = gOut[r * 2 * h + j], dc2 = gOut[r * 2 * h + h + j] + gh * o * (1.f - th * th);
        float* gg = gGates + r * 4 * h;
        gg[j] = dc2 * g * i * (1.f - i);
        gg[h + j] = dc2 * cPrev * f * (1.f - f);
        gg[2 * h + j] = dc2 * i * (1.f - g * g);
        gg[3 * h + j] = gh * th * o * (1.f - o);
        gC[t] = dc2 * f;
    }
}

// xg, hg (n, 3h): reset, update, new; hPrev (n, h); out (n, h)
extern "C" __global__ void gru_cell_fwd(const float* xg, const float* hg, const float* hPrev, float* out, long long n, int h) {
    JG_FOR(t, n * h) {
        long long r = t / h;
        int j = (int)(t - r * h);
        long long g0 = r * 3 * h;
        float rr = sigm(xg[g0 + j] + hg[g0 + j]), z = sigm(xg[g0 + h + j] + hg[g0 + h + j]);
        float m = tanhf(xg[g0 + 2 * h + j] + rr * hg[g0 + 2 * h + j]);
        out[t] = m + z * (hPrev[t] - m);
    }
}

extern "C" __global__ void gru_cell_bwd(const float* xg, const float* hg, const float* hPrev, const float* gOut, float* gXg,
                                        float* gHg, float* gH, long long n, int h) {
    JG_FOR(t, n * h) {
        long long r = t / h;
        int j = (int)(t - r * h);
        long long g0 = r * 3 * h;
        float rr = sigm(xg[g0 + j] + hg[g0 + j]), z = sigm(xg[g0 + h + j] + hg[g0 + h + j]);
        float hn = hg[g0 + 2 * h + j], m = tanhf(xg[g0 + 2 * h + j] + rr * hn);
        float g = gOut[t];
        float a = g * (1.f - z) * (1.f - m * m);
        float dr = a * hn * rr * (1.f - rr), dz = g * (hPrev[t] - m) * z * (1.f - z);
        gXg[g0 + j] = dr;
        gHg[g0 + j] = dr;
        gXg[g0 + h + j] = dz;
        gHg[g0 + h + j] = dz;
        gXg[g0 + 2 * h + j] = a;
        gHg[g0 + 2 * h + j] = a * rr;
        gH[t] = g * z;
    }
}
