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
//   sgemm_v4  warptiled: BK = 16, float4 global loads, a kernel per transposition, double-buffered
//             shared memory, an aligned fast path and a predicated edge path (see its comment).
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

// sgemm_v4: the warptiled version. H200, 2026-12-04: 4096^3 in 4.57 ms, 30.1 TFLOP/s, 61% of cuBLAS
// (v3: 27.3 TFLOP/s).
// Over v3 it changes:
//   - BK = 16 (v3: 8): half as many barriers and tile loads per FMA;
//   - 128-bit global loads: each thread moves float4s from global memory (v3: scalar loads);
//   - one kernel per transpose combination (sgemm_v4_nn, _nt, _tn, _tt: a template instantiated 4
//     times), so the tile loads have no run-time transA/transB branch;
//   - warp tiles: the 8 warps of a block each own a 64x32 piece of the 128x128 block tile, and a
//     thread owns 2x2 sub-tiles of 4x4 in it (8x8 outputs), so a warp's shared-memory reads are
//     128 + 64 contiguous bytes (broadcasts, no bank conflicts);
//   - the tile of an operand stored along k (A untransposed, B transposed) is written transposed
//     into shared memory with rows padded to 132 floats; a warp loads 16 rows x 2 float4s, which
//     puts each of its 4 rounds of scalar stores in 32 different banks (float4 reads stay 16-byte
//     aligned);
//   - double buffering: two shared-memory stages, the next tile prefetched into registers while
//     the current one is multiplied, one barrier per k tile (v3: two);
//   - a fast path for blocks inside the matrix when the launch is aligned (K % 16 == 0, M and N
//     multiples of 4, 16-byte aligned pointers and batch strides): float4 loads and stores without
//     predicates. Every other block takes the predicated edge path (scalar loads, zero fill, scalar
//     stores). The choice is uniform over a block and made before the k loop.
// Exactly 256 threads (8 warps as 2 x 4 warp tiles); 2 stages x 2 operands x 16 x 132 floats =
// 33,792 bytes of static shared memory.
#define V4_BM 128
#define V4_BN 128
#define V4_BK 16
#define V4_LD 132  // padded row of a shared tile; 132 % 32 = 4 banks between rows

// One thread's share of a 128 x 16 tile of op(X): two float4 "slots" of 4 consecutive elements
// along the stored matrix's contiguous dimension. `rows` is M (A) or N (B), r0 the tile's first row.
//   ALONG_K (A (m, k), B^T (n, k)): slot s holds row r0 + warp * 16 + lane % 16 and
//     k = k0 + 4 * (lane / 16 + 2 s) .. + 3; a warp reads 16 rows x 32 contiguous bytes.
//   otherwise (A^T (k, m), B (k, n)): slot s holds k = k0 + tid / 32 + 8 s and rows
//     r0 + 4 * (tid % 32) .. + 3; a warp reads 512 contiguous bytes.
template <bool ALONG_K, bool EDGE>
__device__ __forceinline__ void v4_load(const float* X, int rows, int K, int r0, int k0, int tid, float4 (&v)[2]) {
    int warp = tid / 32, lane = tid % 32;
#pragma unroll
    for (int s = 0; s < 2; s++) {
        int r = ALONG_K ? r0 + warp * 16 + lane % 16 : r0 + 4 * lane;
        int k = ALONG_K ? k0 + 4 * (lane / 16 + 2 * s) : k0 + warp + 8 * s;
        if (!EDGE) {
            const float* p = ALONG_K ? X + (long long)r * K + k : X + (long long)k * rows + r;
            v[s] = *reinterpret_cast<const float4*>(p);
        } else {
            float e[4];
#pragma unroll
            for (int c = 0; c < 4; c++) {
                int rc = ALONG_K ? r : r + c, kc = ALONG_K ? k + c : k;
                e[c] = (rc < rows && kc < K) ? (ALONG_K ? X[(long long)rc * K + kc] : X[(long long)kc * rows + rc]) : 0.f;
            }
            v[s] = make_float4(e[0], e[1], e[2], e[3]);
        }
    }
}

// Writes the slots of v4_load into a shared tile S[k][row] (rows padded to V4_LD).
template <bool ALONG_K>
__device__ __forceinline__ void v4_store(float (*S)[V4_LD], int tid, const float4 (&v)[2]) {
    int warp = tid / 32, lane = tid % 32;
#pragma unroll
    for (int s = 0; s < 2; s++) {
        if (ALONG_K) {
            // Transposed store: bank (k * 132 + r) % 32 = (16 * (lane / 16) + 4 c + lane % 16 + const) % 32,
            // 32 different banks for each c.
            int r = warp * 16 + lane % 16, k = 4 * (lane / 16 + 2 * s);
            S[k][r] = v[s].x;
            S[k + 1][r] = v[s].y;
            S[k + 2][r] = v[s].z;
            S[k + 3][r] = v[s].w;
        } else {
            *reinterpret_cast<float4*>(&S[warp + 8 * s][4 * lane]) = v[s];
        }
    }
}

// One 128x128 tile of C at (bm, bn). TA/TB: the transpositions; EDGE: predicated loads and stores.
template <bool TA, bool TB, bool EDGE>
__device__ __forceinline__ void v4_tile(const float* A, const float* B, float* C, int M, int N, int K, int bm, int bn,
                                        float (*As)[V4_BK][V4_LD], float (*Bs)[V4_BK][V4_LD]) {
    int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    // Warp (wm, wn) owns rows wm*64 .. +63 and columns wn*32 .. +31 of the block tile; within it a
    // thread owns rows wm*64 + i*32 + (lane/4)*4 .. +3 and columns wn*32 + j*16 + (lane%4)*4 .. +3,
    // i, j in {0, 1}.
    int rowBase = (warp / 4) * 64 + (lane / 4) * 4, colBase = (warp % 4) * 32 + (lane % 4) * 4;
    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = 0.f;

    float4 ra[2], rb[2];
    v4_load<!TA, EDGE>(A, M, K, bm, 0, tid, ra);
    v4_load<TB, EDGE>(B, N, K, bn, 0, tid, rb);
    v4_store<!TA>(As[0], tid, ra);
    v4_store<TB>(Bs[0], tid, rb);
    __syncthreads();
    int tiles = (K + V4_BK - 1) / V4_BK;
    for (int t = 0; t < tiles; t++) {
        int cur = t & 1;
        bool more = t + 1 < tiles;  // uniform over the block
        if (more) {
            v4_load<!TA, EDGE>(A, M, K, bm, (t + 1) * V4_BK, tid, ra);
            v4_load<TB, EDGE>(B, N, K, bn, (t + 1) * V4_BK, tid, rb);
        }
#pragma unroll
        for (int kk = 0; kk < V4_BK; kk++) {
            float4 a0 = *reinterpret_cast<const float4*>(&As[cur][kk][rowBase]);
            float4 a1 = *reinterpret_cast<const float4*>(&As[cur][kk][rowBase + 32]);
            float4 b0 = *reinterpret_cast<const float4*>(&Bs[cur][kk][colBase]);
            float4 b1 = *reinterpret_cast<const float4*>(&Bs[cur][kk][colBase + 16]);
            float a[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            float b[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int i = 0; i < 8; i++)
#pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        if (more) {
            // The other stage was last read in iteration t - 1, before the barrier that ended it.
            v4_store<!TA>(As[cur ^ 1], tid, ra);
            v4_store<TB>(Bs[cur ^ 1], tid, rb);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 8; i++) {
        int gm = bm + rowBase + (i / 4) * 32 + i % 4;
#pragma unroll
        for (int h = 0; h < 2; h++) {
            int gn = bn + colBase + h * 16;
            if (!EDGE) {
                *reinterpret_cast<float4*>(C + (long long)gm * N + gn) =
                    make_float4(acc[i][4 * h], acc[i][4 * h + 1], acc[i][4 * h + 2], acc[i][4 * h + 3]);
            } else if (gm < M) {
#pragma unroll
                for (int j = 0; j < 4; j++)
                    if (gn + j < N) C[(long long)gm * N + gn + j] = acc[i][4 * h + j];
            }
        }
    }
}

template <bool TA, bool TB>
__device__ __forceinline__ void sgemm_v4(const float* A0, const float* B0, float* C0, int M, int N, int K,
                                         long long strideA, long long strideB, int batch) {
    __shared__ __align__(16) float As[2][V4_BK][V4_LD];
    __shared__ __align__(16) float Bs[2][V4_BK][V4_LD];
    bool aligned = K % V4_BK == 0 && M % 4 == 0 && N % 4 == 0 && strideA % 4 == 0 && strideB % 4 == 0 &&
                   ((reinterpret_cast<unsigned long long>(A0) | reinterpret_cast<unsigned long long>(B0) |
                     reinterpret_cast<unsigned long long>(C0)) & 15) == 0;
    int tilesM = (M + V4_BM - 1) / V4_BM;
    int bn = blockIdx.x * V4_BN;
    for (int bz = blockIdx.z; bz < batch; bz += gridDim.z)
        for (int by = blockIdx.y; by < tilesM; by += gridDim.y) {
            const float* A = A0 + bz * strideA;
            const float* B = B0 + bz * strideB;
            float* C = C0 + (long long)bz * M * N;
            int bm = by * V4_BM;
            if (aligned && bm + V4_BM <= M && bn + V4_BN <= N)
                v4_tile<TA, TB, false>(A, B, C, M, N, K, bm, bn, As, Bs);
            else
                v4_tile<TA, TB, true>(A, B, C, M, N, K, bm, bn, As, Bs);
        }
}

// The Java side launches these by name: <<<(ceil(N / 128), min(ceil(M / 128), 65535), min(batch, 65535)), 256>>>.
#define V4_ENTRY(name, ta, tb)                                                                                    \
    extern "C" __global__ void __launch_bounds__(256) name(const float* A, const float* B, float* C, int M, int N, \
                                                           int K, long long strideA, long long strideB, int batch) { \
        sgemm_v4<ta, tb>(A, B, C, M, N, K, strideA, strideB, batch);                                              \
    }
V4_ENTRY(sgemm_v4_nn, false, false)
V4_ENTRY(sgemm_v4_nt, false, true)
V4_ENTRY(sgemm_v4_tn, true, false)
V4_ENTRY(sgemm_v4_tt, true, true)
