// Fused multi-tensor optimizer steps: ONE launch updates every parameter tensor of a model.
//
// The host passes device arrays of pointers (params, grads, state1, state2) and the prefix sums
// `starts` (count + 1 entries) of the tensors' sizes; a thread finds its tensor by binary search
// over `starts`, so the work is spread evenly however the sizes vary. Memory traffic per
// parameter: Adam reads p, g, m, v and writes p, m, v = 28 bytes; SGD with momentum 20.
// Formulas: dev.jgrad.engine.OptimizerStep (kind codes are OptimizerStep.Kind ordinals).
#include "common.cuh"

enum OptKind { K_SGD, K_ADAGRAD, K_RMSPROP, K_ADAM, K_ADAMW };

__device__ __forceinline__ int find_tensor(const long long* starts, int count, long long i) {
    int lo = 0, hi = count - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= i) lo = mid; else hi = mid - 1;
    }
    return lo;
}

extern "C" __global__ void optimizer_step(int kind, float* const* params, const float* const* grads,
                                          float* const* state1, float* const* state2, const long long* starts,
                                          int count, float lr, float beta1, float beta2, float eps,
                                          float weightDecay, float gradScale, float biasCorr1, float biasCorr2) {
    long long total = starts[count];
    JG_FOR(i, total) {
        int t = find_tensor(starts, count, i);
        long long k = i - starts[t];
        float* p = params[t];
        float pv = p[k];
        float g = gradScale * grads[t][k];
        if (kind != K_ADAMW) g += weightDecay * pv;
        switch (kind) {
            case K_SGD:
                if (beta1 != 0.f) {
                    float v = beta1 * state1[t][k] + g;
                    state1[t][k] = v;
                    g = v;
                }
                pv -= lr * g;
                break;
            case K_ADAGRAD: {
                float s = state1[t][k] + g * g;
                state1[t][k] = s;
                pv -= lr * g / (sqrtf(s) + eps);
                break;
            }
            case K_RMSPROP: {
                float s = beta2 * state1[t][k] + (1.f - beta2) * g * g;
                state1[t][k] = s;
                pv -= lr * g / (sqrtf(s) + eps);
                break;
            }
            default: {  // K_ADAM, K_ADAMW
                if (kind == K_ADAMW) pv -= lr * weightDecay * pv;
                float m = beta1 * state1[t][k] + (1.f - beta1) * g;
                float v = beta2 * state2[t][k] + (1.f - beta2) * g * g;
                state1[t][k] = m;
                state2[t][k] = v;
                pv -= lr * (m / biasCorr1) / (sqrtf(v / biasCorr2) + eps);
            }
        }
        p[k] = pv;
    }
}
