// Self-test of the CUDA emulator, through the C ABI only (dlopen, as the JVM uses it).
//
//   jgemu-selftest LIB            all tests LIB supports: the selftest/ kernels when LIB has them
//                                 (target/emu/test/libjgemu-test*.so), the real jgrad kernels always
//   jgemu-selftest LIB --bench    timings
//   (internal) --oob-child / --dyn-oob-child LIB: run an out-of-bounds kernel (must die under ASan)
//
// Exit status 0 when every check passed.
#include <dlfcn.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

extern char** environ;

namespace {

long (*k_count)();
const char* (*k_name)(long);
long (*k_find)(const char*, const char*);
int (*k_launch)(long, int, int, int, int, int, int, long, void**, char*, long);
void* (*k_malloc)(long);
int (*k_free)(void*);
int (*k_sanitized)();
int (*k_maxsmem)();
int (*k_static)(long);
int (*k_sms)();
int (*k_nparams)(long);

int failures = 0, checks = 0;
std::string lastErr;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        checks++;                                                               \
        if (!(cond)) {                                                          \
            failures++;                                                         \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);     \
            fprintf(stderr, __VA_ARGS__);                                       \
            fprintf(stderr, "\n");                                              \
        }                                                                       \
    } while (0)

void load(const char* lib) {
    void* h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "selftest: dlopen %s: %s\n", lib, dlerror()); exit(2); }
#define SYM(v, n) v = (decltype(v))dlsym(h, n); if (!v) { fprintf(stderr, "selftest: no %s in %s\n", n, lib); exit(2); }
    SYM(k_count, "jgemu_kernel_count") SYM(k_name, "jgemu_kernel_name") SYM(k_find, "jgemu_find")
    SYM(k_launch, "jgemu_launch") SYM(k_malloc, "jgemu_malloc") SYM(k_free, "jgemu_free")
    SYM(k_sanitized, "jgemu_sanitized") SYM(k_maxsmem, "jgemu_max_shared_bytes") SYM(k_static, "jgemu_static_smem")
    SYM(k_sms, "jgemu_multiprocessors") SYM(k_nparams, "jgemu_kernel_param_count")
#undef SYM
}

long find(const char* full) {
    std::string s(full);
    size_t slash = s.find('/');
    return k_find(s.substr(0, slash).c_str(), s.substr(slash + 1).c_str());
}

struct Dim { int x, y, z; };

// The sgemm kernels gained a trailing `int batch` (grid-stride over blockIdx.z); pass it when the
// library's kernel has it.
int g_batch = 1;

template <class... A> int launch(const char* kernel, Dim g, Dim b, long dyn, A... args) {
    long h = find(kernel);
    if (h < 0) { fprintf(stderr, "selftest: kernel %s not found\n", kernel); exit(2); }
    void* params[sizeof...(A) + 2] = {(void*)&args...};
    int np = k_nparams(h);
    if (np == (int)sizeof...(A) + 1 && !strncmp(kernel, "matmul/sgemm", 12)) params[sizeof...(A)] = &g_batch;
    else if (np != (int)sizeof...(A)) {
        fprintf(stderr, "selftest: %s takes %d parameters, the test passes %d\n", kernel, np, (int)sizeof...(A));
        exit(2);
    }
    char err[4096];
    int rc = k_launch(h, g.x, g.y, g.z, b.x, b.y, b.z, dyn, params, err, sizeof err);
    lastErr = err;
    return rc;
}

template <class T> T* dev(size_t n) { return (T*)k_malloc((long)(n * sizeof(T))); }

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

std::vector<float> randv(size_t n, unsigned seed, float lo = -1.f, float hi = 1.f) {
    std::mt19937 r(seed);
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(r);
    return v;
}

// ---- emulator features, on the selftest/ kernels ---------------------------------------------------
void test_ids() {
    Dim g{3, 2, 2}, b{5, 3, 2};
    int nthr = 30, nblk = 12;
    int* out = dev<int>(nthr * nblk * 4);
    CHECK(launch("selftest/t_ids", g, b, 0, out) == 0, "%s", lastErr.c_str());
    bool ok = true;
    for (int bz = 0; bz < 2; bz++) for (int by = 0; by < 2; by++) for (int bx = 0; bx < 3; bx++)
        for (int z = 0; z < 2; z++) for (int y = 0; y < 3; y++) for (int x = 0; x < 5; x++) {
            int blk = bx + 3 * (by + 2 * bz), lin = x + 5 * (y + 3 * z);
            int* o = out + ((long)blk * nthr + lin) * 4;
            ok &= o[0] == (x | y << 10 | z << 20) && o[1] == bx && o[2] == (by | bz << 16) && o[3] == nthr;
        }
    CHECK(ok, "threadIdx/blockIdx/blockDim/gridDim wrong");
    k_free(out);
}

struct Mixed { int a; double b; char c; long long d[3]; float e; };

void test_struct() {
    Mixed m{7, 2.5, 'A', {1, 2, 3}, -4.25f};
    float* out = dev<float>(6);
    long long k = 1234567;
    CHECK(launch("selftest/t_struct", {1, 1, 1}, {32, 1, 1}, 0, m, out, k) == 0, "%s", lastErr.c_str());
    CHECK(out[0] == 7 && out[1] == 2.5f && out[2] == 'A' && out[3] == 6 && out[4] == -4.25f && out[5] == 1234567.f,
          "struct by value: %g %g %g %g %g %g", out[0], out[1], out[2], out[3], out[4], out[5]);
    k_free(out);
}

void test_block_reduce() {
    int n = 100000, blocks = 7;
    auto hx = randv(n, 1);
    float* x = dev<float>(n);
    float* out = dev<float>(blocks);
    memcpy(x, hx.data(), n * sizeof(float));
    for (int bs : {32, 256, 1024}) {
        CHECK(launch("selftest/t_block_reduce", {blocks, 1, 1}, {bs, 1, 1}, 0, (const float*)x, out, n) == 0, "%s",
              lastErr.c_str());
        double want = 0, got = 0;
        for (float v : hx) want += v;
        for (int i = 0; i < blocks; i++) got += out[i];
        CHECK(fabs(want - got) < 1e-2, "block reduce with %d threads: %f vs %f", bs, got, want);
    }
    k_free(x);
    k_free(out);
}

void test_barrier_errors() {
    int* out = dev<int>(64);
    int rc = launch("selftest/t_barrier_in_branch", {2, 1, 1}, {32, 1, 1}, 0, out);
    CHECK(rc == 2, "barrier in a branch: rc %d", rc);
    CHECK(has(lastErr, "t_barrier_in_branch <<<(2,1,1),(32,1,1), smem 0>>>") && has(lastErr, "different barriers") &&
              has(lastErr, "selftest_kernels.cu:51") && has(lastErr, "selftest_kernels.cu:53"),
          "message: %s", lastErr.c_str());
    rc = launch("selftest/t_exit_while_waiting", {1, 1, 1}, {32, 1, 1}, 0, out);
    CHECK(rc == 2 && has(lastErr, "t_exit_while_waiting <<<(1,1,1),(32,1,1), smem 0>>>") && has(lastErr, "exited") &&
              has(lastErr, "selftest_kernels.cu:60"),
          "exit while waiting: rc %d: %s", rc, lastErr.c_str());
    // the emulator is still usable afterwards
    int* ids = dev<int>(4 * 64);
    CHECK(launch("selftest/t_ids", {1, 1, 1}, {64, 1, 1}, 0, ids) == 0 && ids[4 * 63] == 63, "launch after errors");
    k_free(out);
    k_free(ids);
}

void test_warp() {
    int blocks = 3, bs = 64, n = blocks * bs;
    auto hx = randv(n, 2);
    float* x = dev<float>(n);
    float* out = dev<float>(n * 4);
    unsigned* votes = dev<unsigned>(n * 5);
    memcpy(x, hx.data(), n * sizeof(float));
    CHECK(launch("selftest/t_warp", {blocks, 1, 1}, {bs, 1, 1}, 0, (const float*)x, out, votes) == 0, "%s",
          lastErr.c_str());
    bool ok = true;
    for (int blk = 0; blk < blocks; blk++) {
        int posInBlock = 0;
        for (int i = 0; i < bs; i++) posInBlock += hx[blk * bs + i] > 0;
        for (int w = 0; w < bs / 32; w++) {
            int base = blk * bs + w * 32;
            double sum = 0;
            unsigned bal = 0;
            bool all = true;
            for (int l = 0; l < 32; l++) { sum += hx[base + l]; if (hx[base + l] > 0) bal |= 1u << l; else all = false; }
            double pre = 0;
            for (int l = 0; l < 32; l++) {
                int g = base + l;
                pre += hx[g];
                ok &= fabs(out[g * 4 + 0] - sum) < 1e-4;
                if (l == 0) ok &= fabs(out[g * 4 + 1] - sum) < 1e-4;
                ok &= fabs(out[g * 4 + 2] - pre) < 1e-4;
                ok &= out[g * 4 + 3] == hx[base + (l & 16) + 3];
                ok &= votes[g * 5 + 0] == bal && votes[g * 5 + 1] == 1 && votes[g * 5 + 2] == (unsigned)all &&
                      votes[g * 5 + 3] == (unsigned)posInBlock && votes[g * 5 + 4] == 496;
            }
        }
    }
    CHECK(ok, "shuffle/vote results wrong");
    float* h = dev<float>(32);
    CHECK(launch("selftest/t_half_masks", {1, 1, 1}, {32, 1, 1}, 0, h) == 0, "%s", lastErr.c_str());
    CHECK(h[0] == 120 && h[31] == 376, "half masks: %g %g", h[0], h[31]);
    k_free(x);
    k_free(out);
    k_free(votes);
    k_free(h);
}

void test_warp_errors() {
    float* out = dev<float>(64);
    int rc = launch("selftest/t_partial_warp", {1, 1, 1}, {48, 1, 1}, 0, out);
    CHECK(rc == 2 && has(lastErr, "t_partial_warp <<<(1,1,1),(48,1,1), smem 0>>>") && has(lastErr, "do not exist") &&
              has(lastErr, "__shfl_xor_sync"),
          "partial warp: rc %d: %s", rc, lastErr.c_str());
    rc = launch("selftest/t_mask_disagree", {1, 1, 1}, {32, 1, 1}, 0, out);
    CHECK(rc == 2 && has(lastErr, "disagree"), "mask disagreement: rc %d: %s", rc, lastErr.c_str());
    rc = launch("selftest/t_lane_exited", {1, 1, 1}, {32, 1, 1}, 0, out);
    CHECK(rc == 2 && has(lastErr, "lane 5") && has(lastErr, "exited"), "exited lane: rc %d: %s", rc, lastErr.c_str());
    rc = launch("selftest/t_read_outside_mask", {1, 1, 1}, {32, 1, 1}, 0, out);
    CHECK(rc == 2 && has(lastErr, "not in the mask"), "read outside mask: rc %d: %s", rc, lastErr.c_str());
    int* p = dev<int>(32);
    rc = launch("selftest/t_trap", {1, 1, 1}, {32, 1, 1}, 0, p);
    CHECK(rc == 2 && has(lastErr, "__trap()") && has(lastErr, "thread (3,0,0)"), "trap: rc %d: %s", rc, lastErr.c_str());
    k_free(out);
    k_free(p);
}

void test_dyn_smem() {
    int n = 1000, blocks = 3;
    auto hx = randv(n * blocks, 3);
    float* x = dev<float>(n * blocks);
    float* y = dev<float>(n * blocks);
    memcpy(x, hx.data(), hx.size() * sizeof(float));
    CHECK(launch("selftest/t_dyn_smem", {blocks, 1, 1}, {128, 1, 1}, n * 4, (const float*)x, y, n) == 0, "%s",
          lastErr.c_str());
    bool ok = true;
    for (int b = 0; b < blocks; b++)
        for (int i = 0; i < n; i++) ok &= y[b * n + i] == hx[b * n + n - 1 - i];
    CHECK(ok, "dynamic shared memory reversal wrong");
    unsigned* u = dev<unsigned>(7);
    CHECK(launch("selftest/t_dyn_smem_raw", {2, 1, 1}, {70, 1, 1}, 7 * 4, u, 7) == 0, "%s", lastErr.c_str());
    CHECK(u[0] == 10 && u[6] == 10, "raw dynamic smem: %u %u", u[0], u[6]);
    int rc = launch("selftest/t_dyn_smem", {1, 1, 1}, {128, 1, 1}, 49153, (const float*)x, y, n);
    CHECK(rc == 1 && has(lastErr, "49153 dynamic") && has(lastErr, "> 49152"), "too much smem: %s", lastErr.c_str());
    k_free(x);
    k_free(y);
    k_free(u);
}

void test_atomics() {
    int* isum = dev<int>(1);
    float* fsum = dev<float>(1);
    unsigned* umax = dev<unsigned>(1);
    int* imin = dev<int>(1);
    unsigned long long* usum = dev<unsigned long long>(1);
    int* lock = dev<int>(1);
    int* locked = dev<int>(1);
    float* fmx = dev<float>(1);
    *isum = 0; *fsum = 0; *umax = 0; *imin = 0; *usum = 0; *lock = 0; *locked = 0; *fmx = -1;
    int blocks = 300, bs = 128, n = blocks * bs;
    CHECK(launch("selftest/t_atomics", {blocks, 1, 1}, {bs, 1, 1}, 0, isum, fsum, umax, imin, usum, lock, locked, fmx) ==
              0, "%s", lastErr.c_str());
    CHECK(*isum == n && *fsum == (float)n && *umax == (unsigned)n - 1 && *imin == -(n - 1) &&
              *usum == (unsigned long long)n * (n - 1) / 2 && *locked == blocks && *fmx == (n - 1) * 0.5f,
          "atomics: %d %g %u %d %llu %d %g", *isum, *fsum, *umax, *imin, *usum, *locked, *fmx);
    for (void* p : {(void*)isum, (void*)fsum, (void*)umax, (void*)imin, (void*)usum, (void*)lock, (void*)locked, (void*)fmx})
        k_free(p);
}

void test_intrinsics() {
    unsigned* o = dev<unsigned>(12);
    CHECK(launch("selftest/t_intrinsics", {1, 1, 1}, {32, 1, 1}, 0, o, 1.0f, 42) == 0, "%s", lastErr.c_str());
    CHECK(o[0] == 8 && o[1] == 31 && o[2] == 4 && o[3] == 0x3f800000u && o[4] == 42 && o[5] == 8 &&
              o[6] == (unsigned)-5 && o[7] == 3 && o[8] == 4 && o[9] == 15 && o[10] == 32 && o[11] == 0x80000000u,
          "intrinsics %u %u %u %x %u %u %u %u %u %u %u %x", o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9],
          o[10], o[11]);
    k_free(o);
}

void test_spin_wait() {
    int* flag = dev<int>(1);
    int* out = dev<int>(1);
    *flag = 0;
    *out = 0;
    CHECK(launch("selftest/t_spin_wait", {1, 1, 1}, {64, 1, 1}, 0, flag, out) == 0 && *out == 1, "spin wait: %s",
          lastErr.c_str());
    k_free(flag);
    k_free(out);
}

void test_canary() {
    if (k_sanitized()) return;  // the ASan build catches it at the write (see the child tests)
    float* p = dev<float>(100);
    int rc = launch("selftest/t_oob_write", {1, 1, 1}, {4, 1, 1}, 0, p, 100);
    CHECK(rc == 2 && has(lastErr, "t_oob_write <<<(1,1,1),(4,1,1), smem 0>>>") && has(lastErr, "out-of-bounds write") &&
              has(lastErr, "400-byte allocation"),
          "canary: rc %d: %s", rc, lastErr.c_str());
    rc = launch("selftest/t_oob_write", {1, 1, 1}, {4, 1, 1}, 0, p, 96);  // in bounds, canaries repaired
    CHECK(rc == 0, "after repair: %d %s", rc, lastErr.c_str());
    CHECK(k_free(p) == 0 && k_free(p) == 1, "double free not reported");
    void* z1 = k_malloc(0);
    void* z2 = k_malloc(0);
    CHECK(z1 && z2 && z1 != z2 && ((uintptr_t)z1 & 255) == 0, "zero-byte allocations");
    k_free(z1);
    k_free(z2);
}

// ---- launch limits ------------------------------------------------------------------------------------
void test_limits() {
    float* a = dev<float>(16);
    int M = 1, N = 1, K = 1, t0 = 0;
    long long s0 = 0;
    auto L = [&](Dim g, Dim b, long dyn) {
        return launch("matmul/sgemm_v3", g, b, dyn, (const float*)a, (const float*)a, a, M, N, K, t0, t0, s0, s0);
    };
    struct Case { Dim g, b; long dyn; const char* msg; } cases[] = {
        {{1, 1, 70000}, {256, 1, 1}, 0, "sgemm_v3 <<<(1,1,70000),(256,1,1), smem 0>>>: gridDim.z 70000 > 65535"},
        {{1, 70000, 1}, {256, 1, 1}, 0, "gridDim.y 70000 > 65535"},
        {{0, 1, 1}, {256, 1, 1}, 0, "gridDim.x 0 < 1"},
        {{1, 1, 1}, {0, 1, 1}, 0, "blockDim.x 0 < 1"},
        {{1, 1, 1}, {2048, 1, 1}, 0, "blockDim.x 2048 > 1024"},
        {{1, 1, 1}, {1, 1, 65}, 0, "blockDim.z 65 > 64"},
        {{1, 1, 1}, {512, 1, 1}, 0, "512 threads per block > __launch_bounds__(256)"},
        {{1, 1, 1}, {256, 1, 1}, 41000, "8192 static + 41000 dynamic = 49192 bytes > 49152"},
        {{1, 1, 1}, {256, 1, 1}, -4, "dynamic shared memory -4 < 0"},
    };
    for (auto& c : cases) {
        int rc = L(c.g, c.b, c.dyn);
        CHECK(rc == 1 && has(lastErr, c.msg), "want rc 1 and '%s', got rc %d: '%s'", c.msg, rc, lastErr.c_str());
    }
    long h = find("selftest/t_ids");
    if (h >= 0) {
        int rc = launch("selftest/t_ids", {1, 1, 1}, {32, 32, 2}, 0, (int*)nullptr);
        CHECK(rc == 1 && has(lastErr, "blockDim 32x32x2 = 2048 threads > 1024"), "%s", lastErr.c_str());
        rc = launch("selftest/t_bounds", {1, 1, 1}, {129, 1, 1}, 0, (int*)nullptr);
        CHECK(rc == 1 && has(lastErr, "__launch_bounds__(128)"), "%s", lastErr.c_str());
    }
    char err[256];
    CHECK(k_launch(12345, 1, 1, 1, 1, 1, 1, 0, nullptr, err, sizeof err) == 1 && has(err, "unknown kernel handle"), "%s", err);
    CHECK(k_static(find("matmul/sgemm_v3")) == 8192 && k_static(find("matmul/sgemm_v2")) == 8448 &&
              k_static(find("matmul/sgemm_v1")) == 0,
          "static smem %d %d %d", k_static(find("matmul/sgemm_v3")), k_static(find("matmul/sgemm_v2")),
          k_static(find("matmul/sgemm_v1")));
    CHECK(k_maxsmem() == 49152 && k_sms() >= 1, "limits");
    k_free(a);
}

// ---- real jgrad kernels against double-precision loops ------------------------------------------------
void test_fill() {
    long long n = 1000;
    float* p = dev<float>(n);
    CHECK(launch("elementwise/fill", {4, 1, 1}, {256, 1, 1}, 0, p, n, 3.5f) == 0, "%s", lastErr.c_str());
    bool ok = true;
    for (int i = 0; i < n; i++) ok &= p[i] == 3.5f;
    CHECK(ok, "fill");
    k_free(p);
}

void test_softmax() {
    int rows = 37, r = 53;
    auto hx = randv(rows * r, 4, -5, 5);
    float* x = dev<float>(rows * r);
    float* y = dev<float>(rows * r);
    memcpy(x, hx.data(), hx.size() * 4);
    for (int logMode : {0, 1}) {
        CHECK(launch("softmax/softmax_rows", {rows, 1, 1}, {128, 1, 1}, 0, (const float*)x, y, rows, r, logMode) == 0,
              "%s", lastErr.c_str());
        double maxErr = 0;
        for (int i = 0; i < rows; i++) {
            double m = -INFINITY, s = 0;
            for (int j = 0; j < r; j++) m = std::max(m, (double)hx[i * r + j]);
            for (int j = 0; j < r; j++) s += exp(hx[i * r + j] - m);
            for (int j = 0; j < r; j++) {
                double z = hx[i * r + j] - m, want = logMode ? z - log(s) : exp(z) / s;
                maxErr = std::max(maxErr, fabs(want - y[i * r + j]));
            }
        }
        CHECK(maxErr < 1e-5, "softmax_rows log=%d max error %g", logMode, maxErr);
    }
    k_free(x);
    k_free(y);
}

void test_sgemm() {
    int M = 37, N = 53, K = 29, batch = 2;
    auto ha = randv((size_t)batch * M * K, 5), hb = randv((size_t)batch * K * N, 6);
    float* A = dev<float>(ha.size());
    float* B = dev<float>(hb.size());
    float* C = dev<float>((size_t)batch * M * N);
    memcpy(A, ha.data(), ha.size() * 4);
    memcpy(B, hb.data(), hb.size() * 4);
    long long sA = (long long)M * K, sB = (long long)K * N;
    for (const char* k : {"matmul/sgemm_v1", "matmul/sgemm_v2", "matmul/sgemm_v3"})
        for (int tA = 0; tA < 2; tA++)
            for (int tB = 0; tB < 2; tB++) {
                Dim g, b;
                if (!strcmp(k, "matmul/sgemm_v3")) { g = {(N + 127) / 128, (M + 127) / 128, batch}; b = {256, 1, 1}; }
                else if (!strcmp(k, "matmul/sgemm_v2")) { g = {(N + 31) / 32, (M + 31) / 32, batch}; b = {32, 32, 1}; }
                else { g = {(N + 15) / 16, (M + 15) / 16, batch}; b = {16, 16, 1}; }
                // Kernels with the trailing batch parameter loop over blockIdx.y/z: give them fewer blocks.
                if (k_nparams(find(k)) == 11 && (tA ^ tB)) { g.z = 1; g.y = 1; }
                memset(C, 0xff, (size_t)batch * M * N * 4);
                g_batch = batch;
                CHECK(launch(k, g, b, 0, (const float*)A, (const float*)B, C, M, N, K, tA, tB, sA, sB) == 0, "%s",
                      lastErr.c_str());
                g_batch = 1;
                double maxErr = 0;
                for (int z = 0; z < batch; z++)
                    for (int i = 0; i < M; i++)
                        for (int j = 0; j < N; j++) {
                            double s = 0;
                            for (int p = 0; p < K; p++) {
                                double a = tA ? ha[z * sA + (long)p * M + i] : ha[z * sA + (long)i * K + p];
                                double bb = tB ? hb[z * sB + (long)j * K + p] : hb[z * sB + (long)p * N + j];
                                s += a * bb;
                            }
                            maxErr = std::max(maxErr, fabs(s - C[((long)z * M + i) * N + j]));
                        }
                CHECK(maxErr < 1e-4, "%s transA=%d transB=%d max error %g", k, tA, tB, maxErr);
            }
    k_free(A);
    k_free(B);
    k_free(C);
}

void test_reduce_rows() {
    int rows = 5, r = 300;
    auto hx = randv(rows * r, 7);
    float* x = dev<float>(rows * r);
    float* out = dev<float>(rows);
    memcpy(x, hx.data(), hx.size() * 4);
    for (int op = 0; op < 4; op++) {
        CHECK(launch("reduce/reduce_rows", {rows, 1, 1}, {256, 1, 1}, 0, op, (const float*)x, out, rows, r) == 0, "%s",
              lastErr.c_str());
        bool ok = true;
        for (int i = 0; i < rows; i++) {
            double s = 0, m = -INFINITY;
            int am = 0;
            for (int j = 0; j < r; j++) { double v = hx[i * r + j]; s += v; if (v > m) { m = v; am = j; } }
            double want = op == 0 ? s : op == 1 ? s / r : op == 2 ? m : am;
            ok &= fabs(want - out[i]) < 1e-4;
        }
        CHECK(ok, "reduce_rows op %d", op);
    }
    k_free(x);
    k_free(out);
}

// ---- ASan: an out-of-bounds kernel must kill the process with an ASan report -------------------------
int run_child(const char* self, const char* mode, const char* lib, std::string& output) {
    char path[] = "/tmp/jgemu-selftest-XXXXXX";
    int fd = mkstemp(path);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 2);
    posix_spawn_file_actions_adddup2(&fa, fd, 1);
    char* argv[] = {(char*)self, (char*)lib, (char*)mode, nullptr};
    pid_t pid;
    int status = -1;
    if (posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv, environ) == 0) waitpid(pid, &status, 0);
    posix_spawn_file_actions_destroy(&fa);
    FILE* f = fopen(path, "r");
    char buf[4096];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0) output.append(buf, n);
    if (f) fclose(f);
    close(fd);
    unlink(path);
    return status;
}

void test_asan_children(const char* self, const char* lib) {
    if (!k_sanitized()) return;
    for (const char* mode : {"--oob-child", "--dyn-oob-child"}) {
        std::string out;
        int st = run_child(self, mode, lib, out);
        bool died = !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CHECK(died && has(out, "ERROR: AddressSanitizer") && has(out, mode[2] == 'o' ? "t_oob_write" : "t_dyn_smem_oob"),
              "%s: status %d, output:\n%s", mode, st, out.c_str());
    }
}

int child(const char* mode) {
    float* p = dev<float>(100);
    if (!strcmp(mode, "--oob-child")) launch("selftest/t_oob_write", {1, 1, 1}, {4, 1, 1}, 0, p, 100);
    else launch("selftest/t_dyn_smem_oob", {1, 1, 1}, {32, 1, 1}, 64, p, 16);
    fprintf(stderr, "child: the out-of-bounds kernel did NOT die: %s\n", lastErr.c_str());
    return 0;
}

// ---- timings ------------------------------------------------------------------------------------------
template <class F> double median_us(int reps, F f) {
    std::vector<double> t;
    for (int i = 0; i < reps; i++) {
        auto a = std::chrono::steady_clock::now();
        f();
        t.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

void bench() {
    printf("workers (JGEMU_THREADS): %d, sanitized %d\n", k_sms(), k_sanitized());
    double t = median_us(200, [] { launch("elementwise/empty", {1, 1, 1}, {1, 1, 1}, 0); });
    printf("  empty <<<1,1>>>                        %9.1f us\n", t);
    t = median_us(200, [] { launch("elementwise/empty", {1, 1, 1}, {256, 1, 1}, 0); });
    printf("  empty <<<1,256>>>                      %9.1f us\n", t);
    long long n = 4096;
    float* p = dev<float>(n);
    t = median_us(100, [&] { launch("elementwise/fill", {16, 1, 1}, {256, 1, 1}, 0, p, n, 1.f); });
    printf("  fill 4096 <<<16,256>>>                 %9.1f us\n", t);
    int rows = 256, r = 1000;
    float* x = dev<float>(rows * r);
    float* y = dev<float>(rows * r);
    memset(x, 0, rows * r * 4);
    t = median_us(10, [&] { launch("softmax/softmax_rows", {rows, 1, 1}, {256, 1, 1}, 0, (const float*)x, y, rows, r, 0); });
    printf("  softmax_rows 256x1000 <<<256,256>>>    %9.1f us\n", t);
    int M = 128;
    float* A = dev<float>(M * M);
    float* C = dev<float>(M * M);
    memset(A, 0, M * M * 4);
    long long s0 = 0;
    int z = 0;
    t = median_us(10, [&] {
        launch("matmul/sgemm_v3", {1, 1, 1}, {256, 1, 1}, 0, (const float*)A, (const float*)A, C, M, M, M, z, z, s0, s0);
    });
    printf("  sgemm_v3 128^3 <<<1,256>>>             %9.1f us\n", t);
    for (void* q : {(void*)p, (void*)x, (void*)y, (void*)A, (void*)C}) k_free(q);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) { fprintf(stderr, "usage: jgemu-selftest LIB [--bench]\n"); return 2; }
    load(argv[1]);
    if (argc > 2 && strstr(argv[2], "-child")) return child(argv[2]);
    if (argc > 2 && !strcmp(argv[2], "--bench")) { bench(); return 0; }
    bool selftestKernels = find("selftest/t_ids") >= 0;
    if (selftestKernels) {
        test_ids();
        test_struct();
        test_block_reduce();
        test_barrier_errors();
        test_warp();
        test_warp_errors();
        test_dyn_smem();
        test_atomics();
        test_intrinsics();
        test_spin_wait();
        test_canary();
        test_asan_children(argv[0], argv[1]);
    }
    test_limits();
    test_fill();
    test_softmax();
    test_sgemm();
    test_reduce_rows();
    printf("jgemu-selftest %s: %ld kernels, %d checks, %d failed%s\n", argv[1], k_count(), checks, failures,
           selftestKernels ? "" : " (real kernels only)");
    return failures ? 1 : 0;
}
