// SGEMM: C[b] (m, n) = op(A[b]) (m, k) @ op(B[b]) (k, n), row-major, any m, n, k.
// op(A) is A stored (m, k), or (k, m) when transA; likewise B. Batch entry b of A starts at
// b * strideA (0 broadcasts one matrix); C is contiguous (batch, m, n).
// The hardware caps gridDim.y and gridDim.z at 65535, so the host launches at most that many and
// every kernel loops: blockIdx.z over the batch (stride gridDim.z) and blockIdx.y over the row
// tiles (stride gridDim.y). Both loops are uniform over a block, so the barriers inside are safe.
//
// Versions, simplest first (all kept: the benchmarks compare them):
//   sgemm_v1  one thread per output element, a dot product straight from global memory. The
//             readable reference; every A and B element is read from DRAM/L2 many times.
//   sgemm_v2  32x32 shared-memory tiles: each input element is read from global memory once per
//             tile instead of once per output, a 32x cut in global traffic.
//   sgemm_v3  128x128 block tile, BK = 8, 256 threads each accumulating an 8x8 register tile:
//             64 FMAs per 16 shared-memory loads (128-bit float4 reads, laid out so a warp's reads
//             are bank-conflict free). Tiles are loaded with the transposition folded into the
//             index so that global reads stay coalesced for every trans combination.
// Measured numbers live in bench/results/ (GPU runs).
#include "common.cuh"

__device__ __forceinline__ float load_a(const float* A, int transA, int M, int K, int i, int p) {
    return transA ? A[(long long)p * M + i] : A[(long long)i * K + p];
}

__device__ __forceinline__ float load_b(const float* B, int transB, int K, int N, int p, int j) {
    return transB ? B[(long long)j * K + p] : B[(long long)p * N + j];
}

extern "C" __global__ void sgemm_v1(const float* A, const float* B, float* C, int M, int N, int K, int transA,
                                    int transB, long long strideA, long long strideB, int batch) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= N) return;
    for (int bz = blockIdx.z; bz < batch; bz += gridDim.z) {
        const float* a = A + bz * strideA;
        const float* b = B + bz * strideB;
        float* c = C + (long long)bz * M * N;
        for (long long i = (long long)blockIdx.y * blockDim.y + threadIdx.y; i < M; i += (long long)gridDim.y * blockDim.y) {
            float sum = 0.f;
            for (int p = 0; p < K; p++) sum += load_a(a, transA, M, K, (int)i, p) * load_b(b, transB, K, N, p, j);
            c[i * N + j] = sum;
        }
    }
}

#define T2 32

extern "C" __global__ void sgemm_v2(const float* A0, const float* B0, float* C0, int M, int N, int K, int transA,
                                    int transB, long long strideA, long long strideB, int batch) {
    __shared__ float As[T2][T2 + 1];
    __shared__ float Bs[T2][T2 + 1];
    int tilesM = (M + T2 - 1) / T2;
    for (int bz = blockIdx.z; bz < batch; bz += gridDim.z)
        for (int by = blockIdx.y; by < tilesM; by += gridDim.y) {
        const float* A = A0 + bz * strideA;
        const float* B = B0 + bz * strideB;
        float* C = C0 + (long long)bz * M * N;
        int ty = threadIdx.y, tx = threadIdx.x;
        int i = by * T2 + ty, j = blockIdx.x * T2 + tx;
        float sum = 0.f;
        for (int k0 = 0; k0 < K; k0 += T2) {
            // For a transposed operand let threadIdx.x walk the stored rows' contiguous dimension.
            int ai = transA ? by * T2 + tx : i, ap = transA ? k0 + ty : k0 + tx;
            float av = (ai < M && ap < K) ? load_a(A, transA, M, K, ai, ap) : 0.f;
            if (transA) As[tx][ty] = av; else As[ty][tx] = av;
            int bp = transB ? k0 + tx : k0 + ty, bj = transB ? blockIdx.x * T2 + ty : j;
            float bv = (bp < K && bj < N) ? load_b(B, transB, K, N, bp, bj) : 0.f;
            if (transB) Bs[tx][ty] = bv; else Bs[ty][tx] = bv;
            __syncthreads();
            for (int p = 0; p < T2; p++) sum += As[ty][p] * Bs[p][tx];
            __syncthreads();
        }
        if (i < M && j < N) C[(long long)i * N + j] = sum;
    }
}

#define BM 128
#define BN 128
#define BK 8

// Exactly 256 threads: the tile loads step by 256 and (tid / 16, tid % 16) must cover 16x16.
extern "C" __global__ void __launch_bounds__(256) sgemm_v3(const float* A0, const float* B0, float* C0, int M, int N,
                                                           int K, int transA, int transB, long long strideA,
                                                           long long strideB, int batch) {
    __shared__ __align__(16) float As[BK][BM];
    __shared__ __align__(16) float Bs[BK][BN];
    int tilesM = (M + BM - 1) / BM;
    for (int bz = blockIdx.z; bz < batch; bz += gridDim.z)
        for (int by = blockIdx.y; by < tilesM; by += gridDim.y) {
        const float* A = A0 + bz * strideA;
        const float* B = B0 + bz * strideB;
        float* C = C0 + (long long)bz * M * N;
        int tid = threadIdx.x, tr = tid / 16, tc = tid % 16;
        int bm = by * BM, bn = blockIdx.x * BN;
        float acc[8][8];
#pragma unroll
        for (int i = 0; i < 8; i++)
#pragma unroll
            for (int j = 0; j < 8; j++) acc[i][j] = 0.f;

        for (int k0 = 0; k0 < K; k0 += BK) {
#pragma unroll
            for (int e = tid; e < BM * BK; e += 256) {
                int m = transA ? e % BM : e / BK, kk = transA ? e / BM : e % BK;
                int gm = bm + m, gk = k0 + kk;
                As[kk][m] = (gm < M && gk < K) ? load_a(A, transA, M, K, gm, gk) : 0.f;
            }
#pragma unroll
            for (int e = tid; e < BK * BN; e += 256) {
                int n = transB ? e / BK : e % BN, kk = transB ? e % BK : e / BN;
                int gn = bn + n, gk = k0 + kk;
                Bs[kk][n] = (gn < N && gk < K) ? load_b(B, transB, K, N, gk, gn) : 0.f;
            }
            __syncthreads();
#pragma unroll
            for (int kk = 0; kk < BK; kk++) {
                // Rows tr*4..+3 and 64+tr*4..+3, columns tc*4..+3 and 64+tc*4..+3: consecutive
                // threads read consecutive float4s, so no shared-memory bank conflicts.
                float4 a0 = *reinterpret_cast<const float4*>(&As[kk][tr * 4]);
                float4 a1 = *reinterpret_cast<const float4*>(&As[kk][64 + tr * 4]);
                float4 b0 = *reinterpret_cast<const float4*>(&Bs[kk][tc * 4]);
                float4 b1 = *reinterpret_cast<const float4*>(&Bs[kk][64 + tc * 4]);
                float a[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
                float b[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
                for (int i = 0; i < 8; i++)
#pragma unroll
                    for (int j = 0; j < 8; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
            }
            __syncthreads();
        }
#pragma unroll
        for (int i = 0; i < 8; i++) {
            int gm = bm + (i < 4 ? tr * 4 + i : 64 + tr * 4 + i - 4);
            if (gm >= M) continue;
#pragma unroll
            for (int j = 0; j < 8; j++) {
                int gn = bn + (j < 4 ? tc * 4 + j : 64 + tc * 4 + j - 4);
                if (gn < N) C[(long long)gm * N + gn] = acc[i][j];
            }
        }
    }
}
