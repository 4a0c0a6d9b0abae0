// Gather and scatter-add along the middle axis of (outer, r, inner): index_select, gather, embedding
// lookups and padding (an index outside [0, r) writes `fill`), and their adjoints.
//
//   gather_mid       one thread per output element: out[o, j, i] = x[o, index[o, j, i], i]
//   scatter_add_mid  one thread per (o, i) column: zeroes out[o, :, i], then adds src[o, j, i] at
//                    index[o, j, i] for j = 0, 1, ... in order. No atomics: the same summation order
//                    as the CPU backends, the same bits on every run. A column's work is serial, so
//                    this is slow when outer * inner is small (an embedding's gradient has inner =
//                    the embedding width): correct first, measured later.
//
// The index is a strided view (offset io, strides s0, s1, s2 over (outer, rOut, inner)) of integers
// stored as floats; anything outside [0, r), NaN included, counts as "no element".
#include "common.cuh"

__device__ __forceinline__ int index_at(float v, int r) {
    return v >= 0.f && v < (float)r ? (int)v : -1;
}

extern "C" __global__ void gather_mid(const float* x, const float* index, long long io, int s0, int s1, int s2,
                                      float* out, int outer, int r, int inner, int rOut, float fill) {
    JG_FOR(t, (long long)outer * rOut * inner) {
        long long i = t % inner, j = (t / inner) % rOut, o = t / ((long long)inner * rOut);
        int src = index_at(index[io + o * s0 + j * s1 + i * s2], r);
        out[t] = src < 0 ? fill : x[(o * r + src) * inner + i];
    }
}

extern "C" __global__ void scatter_add_mid(const float* index, long long io, int s0, int s1, int s2, const float* src,
                                           float* out, int outer, int r, int inner, int rOut) {
    JG_FOR(t, (long long)outer * inner) {
        long long i = t % inner, o = t / inner;
        float* col = out + o * r * inner + i;
        for (int d = 0; d < r; d++) col[(long long)d * inner] = 0.f;
        const float* s = src + o * rOut * inner + i;
        for (int j = 0; j < rOut; j++) {
            int dst = index_at(index[io + o * s0 + (long long)j * s1 + i * s2], r);
            if (dst >= 0) col[(long long)dst * inner] += s[(long long)j * inner];
        }
    }
}
