// Kernels of the emulator's self-test (module "selftest"; built only into the test libraries under
// target/emu/test/, never into libjgrad-cuda-emu*.so). Each one exercises one emulated feature or one
// error the emulator must report; selftest.cpp launches them through the C ABI.

struct Mixed {
    int a;
    double b;
    char c;
    long long d[3];
    float e;
};

extern "C" __global__ void t_ids(int* out) {
    int lin = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    int blk = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    int nthr = blockDim.x * blockDim.y * blockDim.z;
    int* o = out + ((long long)blk * nthr + lin) * 4;
    o[0] = threadIdx.x | threadIdx.y << 10 | threadIdx.z << 20;
    o[1] = blockIdx.x;
    o[2] = blockIdx.y | blockIdx.z << 16;
    o[3] = nthr;
}

extern "C" __global__ void t_struct(Mixed m, float* out, long long k) {
    if (threadIdx.x == 0) {
        out[0] = m.a;
        out[1] = (float)m.b;
        out[2] = m.c;
        out[3] = (float)(m.d[0] + m.d[1] + m.d[2]);
        out[4] = m.e;
        out[5] = (float)k;
    }
}

// Shared-memory tree reduction with a barrier per level (blockDim a power of 2, <= 1024).
extern "C" __global__ void t_block_reduce(const float* x, float* out, int n) {
    __shared__ float s[1024];
    float v = 0.f;
    for (int i = threadIdx.x + blockIdx.x * blockDim.x; i < n; i += blockDim.x * gridDim.x) v += x[i];
    s[threadIdx.x] = v;
    __syncthreads();
    for (int k = blockDim.x / 2; k > 0; k >>= 1) {
        if (threadIdx.x < k) s[threadIdx.x] += s[threadIdx.x + k];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = s[0];
}

extern "C" __global__ void t_barrier_in_branch(int* out) {
    if (threadIdx.x < 16) {
        __syncthreads();  // BARRIER_A
    } else {
        __syncthreads();  // BARRIER_B
    }
    out[threadIdx.x] = 1;
}

extern "C" __global__ void t_exit_while_waiting(int* out) {
    if (threadIdx.x >= 16) return;
    __syncthreads();  // BARRIER_C
    out[threadIdx.x] = 1;
}

extern "C" __global__ void t_warp(const float* x, float* out, unsigned* votes) {
    int t = threadIdx.x, lane = t & 31;
    long long g = (long long)blockIdx.x * blockDim.x + t;
    float v = x[g];
    float a = v;
    for (int o = 16; o; o >>= 1) a += __shfl_xor_sync(0xffffffffu, a, o);
    float d = v;
    for (int o = 16; o; o >>= 1) d += __shfl_down_sync(0xffffffffu, d, o);
    float p = v;
    for (int o = 1; o < 32; o <<= 1) {
        float q = __shfl_up_sync(0xffffffffu, p, o);
        if (lane >= o) p += q;
    }
    float b = __shfl_sync(0xffffffffu, v, 3, 16);
    out[g * 4 + 0] = a;
    out[g * 4 + 1] = d;
    out[g * 4 + 2] = p;
    out[g * 4 + 3] = b;
    unsigned bal = __ballot_sync(0xffffffffu, v > 0.f);
    int any = __any_sync(0xffffffffu, lane == 7);
    int all = __all_sync(0xffffffffu, v > 0.f);
    int cnt = __syncthreads_count(v > 0.f);
    int red = __reduce_add_sync(0xffffffffu, (unsigned)lane);
    __syncwarp();
    votes[g * 5 + 0] = bal;
    votes[g * 5 + 1] = any;
    votes[g * 5 + 2] = all;
    votes[g * 5 + 3] = cnt;
    votes[g * 5 + 4] = red;
}

// Legal: two disjoint half-warp groups, each with its own mask.
extern "C" __global__ void t_half_masks(float* out) {
    unsigned m = (threadIdx.x & 31) < 16 ? 0x0000ffffu : 0xffff0000u;
    float v = threadIdx.x;
    for (int o = 8; o; o >>= 1) v += __shfl_xor_sync(m, v, o);
    out[threadIdx.x] = v;
}

// Launched with 48 threads: warp 1 has 16 lanes, so a full mask names absent lanes.
extern "C" __global__ void t_partial_warp(float* out) {
    float v = threadIdx.x;
    v += __shfl_xor_sync(0xffffffffu, v, 1);
    out[threadIdx.x] = v;
}

extern "C" __global__ void t_mask_disagree(float* out) {
    unsigned mask = threadIdx.x < 16 ? 0x0000ffffu : 0xffffffffu;
    out[threadIdx.x] = __shfl_xor_sync(mask, (float)threadIdx.x, 1);
}

extern "C" __global__ void t_lane_exited(float* out) {
    if (threadIdx.x == 5) return;
    out[threadIdx.x] = __shfl_sync(0xffffffffu, (float)threadIdx.x, 0);
}

extern "C" __global__ void t_read_outside_mask(float* out) {
    if (threadIdx.x < 2) out[threadIdx.x] = __shfl_sync(0x3u, (float)threadIdx.x, 5);
}

extern "C" __global__ void t_dyn_smem(const float* x, float* y, int n) {
    extern __shared__ float buf[];
    for (int i = threadIdx.x; i < n; i += blockDim.x) buf[i] = x[(long long)blockIdx.x * n + i];
    __syncthreads();
    for (int i = threadIdx.x; i < n; i += blockDim.x) y[(long long)blockIdx.x * n + i] = buf[n - 1 - i];
}

extern "C" __global__ void t_dyn_smem_raw(unsigned* y, int n) {
    extern __shared__ __align__(16) unsigned char raw[];
    unsigned* u = reinterpret_cast<unsigned*>(raw);
    if (threadIdx.x == 0) for (int i = 0; i < n; i++) u[i] = 0;
    __syncthreads();
    atomicAdd(&u[threadIdx.x % n], 1u);
    __syncthreads();
    if (threadIdx.x < n) y[threadIdx.x] = u[threadIdx.x];
}

// Writes one float past the dynamic shared memory the launch asked for (ASan build: must die).
extern "C" __global__ void t_dyn_smem_oob(float* y, int n) {
    extern __shared__ float buf[];
    buf[n] = 1.f;
    y[0] = buf[0];
}

extern "C" __global__ void t_atomics(int* isum, float* fsum, unsigned* umax, int* imin, unsigned long long* usum,
                                     int* lock, int* locked, float* fmaxv) {
    int gid = blockIdx.x * blockDim.x + threadIdx.x;
    atomicAdd(isum, 1);
    atomicAdd(fsum, 1.0f);
    atomicMax(umax, (unsigned)gid);
    atomicMin(imin, -gid);
    atomicAdd(usum, (unsigned long long)gid);
    atomicMax(fmaxv, (float)gid * 0.5f);
    if (threadIdx.x == 0) {
        while (atomicCAS(lock, 0, 1) != 0) {
        }
        int v = *(volatile int*)locked;
        *(volatile int*)locked = v + 1;
        __threadfence();
        atomicExch(lock, 0);
    }
}

extern "C" __global__ void t_oob_write(float* p, int n) { p[n + threadIdx.x] = 1.f; }

extern "C" __global__ void t_trap(int* p) {
    if (threadIdx.x == 3) __trap();
    p[threadIdx.x] = 1;
}

extern "C" __global__ void __launch_bounds__(128) t_bounds(int* p) { p[threadIdx.x] = 1; }

extern "C" __global__ void t_intrinsics(unsigned* out, float f, int i) {
    if (threadIdx.x != 0) return;
    out[0] = __popc(0xf0f0u);
    out[1] = __clz(1);
    out[2] = __ffs(8);
    out[3] = __float_as_int(f);
    out[4] = __float_as_int(__int_as_float(i));
    out[5] = min(3, 7) + max(2u, 5u);
    out[6] = (unsigned)min(-5ll, (long long)i);
    out[7] = __umulhi(0x80000000u, 6u);
    out[8] = (unsigned)(int)__expf(0.f) + (unsigned)(int)__fdividef(9.f, 3.f);
    float4 v = make_float4(1.f, 2.f, 3.f, 4.f);
    int4 w = make_int4(1, 2, 3, 4);
    out[9] = (unsigned)(v.x + v.y + v.z + v.w) + (unsigned)(w.x + w.w);
    out[10] = warpSize;
    out[11] = __brev(1u);
}

// Thread 0 waits for a flag that the LAST thread sets: progresses only because __nanosleep yields.
extern "C" __global__ void t_spin_wait(int* flag, int* out) {
    if (threadIdx.x == 0) {
        while (atomicAdd(flag, 0) == 0) __nanosleep(100);
        out[0] = 1;
    }
    if (threadIdx.x == blockDim.x - 1) atomicExch(flag, 1);
}
