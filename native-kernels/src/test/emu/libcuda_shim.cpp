// libcuda_shim.cpp: a stand-in for the NVIDIA driver library (libcuda.so.1) over the CUDA
// emulation, so that JCuda itself, and jgrad's JCudaDriver above it, run in CI without a GPU.
//
// JCuda's JNI library (libJCudaDriver) links against libcuda.so.1. With this file built as
// target/emu/jcuda/libcuda.so.1 first on LD_LIBRARY_PATH, the JNI calls land here and become
// emulator calls: memory from jgemu_malloc, copies as memcpy, launches as jgemu_launch. Only the
// ~25 calls jgrad makes are implemented; any other driver entry point JCuda binds (it binds lazily)
// is absent and would fail to resolve if called. The rules a host program can observe are kept:
//   - a context must be current on the calling thread (CUDA_ERROR_INVALID_CONTEXT otherwise);
//   - a launch-configuration error is returned by cuLaunchKernel (CUDA_ERROR_INVALID_VALUE);
//   - an error while a kernel runs is sticky, as a GPU fault is: cuLaunchKernel returns success,
//     and cuStreamSynchronize and every later call return CUDA_ERROR_LAUNCH_FAILED (the emulator's
//     message goes to stderr, since the driver API has no place for it).
// The module image passed to cuModuleLoadData (a fatbin) is not run: a kernel is looked up by name
// among all the emulator's modules (jgrad's kernel names are unique across modules).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

extern "C" {
long jgemu_kernel_count(void);
const char* jgemu_kernel_name(long i);
int jgemu_launch(long h, int gx, int gy, int gz, int bx, int by, int bz, long dyn, void** params, char* err, long errLen);
void* jgemu_malloc(long bytes);
int jgemu_free(void* p);
int jgemu_multiprocessors(void);
int jgemu_max_shared_bytes(void);
}

namespace {
typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
const CUresult OK = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, INVALID_DEVICE = 101,
               INVALID_CONTEXT = 201, NOT_FOUND = 500, LAUNCH_FAILED = 719;

struct Context { int magic = 0x43545821; };
Context primary;
char streamObject, moduleObject;
bool initialized = false;
thread_local Context* current = nullptr;
std::mutex lock;
CUresult sticky = OK;

// Every call that needs the device: initialized, a current context, no earlier kernel fault.
CUresult ready() {
    if (!initialized) return NOT_INITIALIZED;
    if (current != &primary) return INVALID_CONTEXT;
    return sticky;
}
}  // namespace

#define SHIM extern "C" __attribute__((visibility("default")))

SHIM CUresult cuInit(unsigned int) { initialized = true; return OK; }
SHIM CUresult cuDriverGetVersion(int* v) { *v = 13000; return OK; }
SHIM CUresult cuDeviceGetCount(int* n) { if (!initialized) return NOT_INITIALIZED; *n = 1; return OK; }
SHIM CUresult cuDeviceGet(CUdevice* d, int ordinal) {
    if (!initialized) return NOT_INITIALIZED;
    if (ordinal != 0) return INVALID_DEVICE;
    *d = 0;
    return OK;
}
SHIM CUresult cuDeviceGetName(char* name, int len, CUdevice) {
    snprintf(name, len, "CUDA emulation behind a libcuda.so.1 shim");
    return OK;
}
SHIM CUresult cuDeviceGetAttribute(int* v, int attribute, CUdevice) {
    switch (attribute) {
        case 1: *v = 1024; return OK;                           // MAX_THREADS_PER_BLOCK
        case 8: *v = jgemu_max_shared_bytes(); return OK;      // MAX_SHARED_MEMORY_PER_BLOCK
        case 10: *v = 32; return OK;                            // WARP_SIZE
        case 16: *v = jgemu_multiprocessors(); return OK;      // MULTIPROCESSOR_COUNT
        case 75: *v = 9; return OK;                             // COMPUTE_CAPABILITY_MAJOR
        case 76: *v = 0; return OK;                             // COMPUTE_CAPABILITY_MINOR
        default: return INVALID_VALUE;
    }
}
SHIM CUresult cuDevicePrimaryCtxRetain(void** ctx, CUdevice) {
    if (!initialized) return NOT_INITIALIZED;
    *ctx = &primary;
    return OK;
}
SHIM CUresult cuCtxSetCurrent(void* ctx) {
    if (ctx != nullptr && ctx != &primary) return INVALID_CONTEXT;
    current = static_cast<Context*>(ctx);
    return OK;
}
SHIM CUresult cuStreamCreate(void** stream, unsigned int) {
    if (CUresult r = ready()) return r;
    *stream = &streamObject;
    return OK;
}
SHIM CUresult cuStreamSynchronize(void*) { return ready(); }

SHIM CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
    if (CUresult r = ready()) return r;
    void* m = jgemu_malloc((long)bytes);
    if (m == nullptr) return OUT_OF_MEMORY;
    *p = (CUdeviceptr)(uintptr_t)m;
    return OK;
}
SHIM CUresult cuMemFree_v2(CUdeviceptr p) {
    if (CUresult r = ready()) return r;
    return jgemu_free((void*)(uintptr_t)p) == 0 ? OK : INVALID_VALUE;
}
SHIM CUresult cuMemHostAlloc(void** p, size_t bytes, unsigned int) {
    if (CUresult r = ready()) return r;
    *p = jgemu_malloc((long)bytes);
    return *p == nullptr ? OUT_OF_MEMORY : OK;
}
SHIM CUresult cuMemFreeHost(void* p) {
    if (CUresult r = ready()) return r;
    return jgemu_free(p) == 0 ? OK : INVALID_VALUE;
}
SHIM CUresult cuMemHostGetDevicePointer_v2(CUdeviceptr* d, void* host, unsigned int) {
    if (CUresult r = ready()) return r;
    *d = (CUdeviceptr)(uintptr_t)host;  // one address space
    return OK;
}
SHIM CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, void*) {
    if (CUresult r = ready()) return r;
    memcpy((void*)(uintptr_t)dst, src, bytes);
    return OK;
}
SHIM CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, void*) {
    if (CUresult r = ready()) return r;
    memcpy(dst, (const void*)(uintptr_t)src, bytes);
    return OK;
}
SHIM CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, void*) {
    if (CUresult r = ready()) return r;
    memmove((void*)(uintptr_t)dst, (const void*)(uintptr_t)src, bytes);
    return OK;
}
SHIM CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t count, void*) {
    if (CUresult r = ready()) return r;
    unsigned int* p = (unsigned int*)(uintptr_t)dst;
    for (size_t i = 0; i < count; i++) p[i] = value;
    return OK;
}

SHIM CUresult cuModuleLoadData(void** module, const void* image) {
    if (CUresult r = ready()) return r;
    if (image == nullptr) return INVALID_VALUE;
    *module = &moduleObject;
    return OK;
}
SHIM CUresult cuModuleGetFunction(void** function, void*, const char* name) {
    if (CUresult r = ready()) return r;
    std::string suffix = std::string("/") + name;
    for (long i = 0, n = jgemu_kernel_count(); i < n; i++) {
        std::string k = jgemu_kernel_name(i);
        if (k.size() > suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0) {
            *function = (void*)(uintptr_t)(i + 1);  // handle + 1, so that no function is null
            return OK;
        }
    }
    return NOT_FOUND;
}
SHIM CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                             unsigned smem, void*, void** params, void** extra) {
    if (CUresult r = ready()) return r;
    if (f == nullptr || extra != nullptr) return INVALID_VALUE;
    char err[2048] = {0};
    std::lock_guard<std::mutex> g(lock);
    int rc = jgemu_launch((long)(uintptr_t)f - 1, (int)gx, (int)gy, (int)gz, (int)bx, (int)by, (int)bz, (long)smem,
                          params, err, sizeof err);
    if (rc == 1) {
        fprintf(stderr, "libcuda shim: cuLaunchKernel: %s\n", err);
        return INVALID_VALUE;
    }
    if (rc != 0) {
        fprintf(stderr, "libcuda shim: kernel fault (sticky, reported at the next synchronization): %s\n", err);
        sticky = LAUNCH_FAILED;
    }
    return OK;
}

SHIM CUresult cuGetErrorName(CUresult e, const char** s) {
    switch (e) {
        case OK: *s = "CUDA_SUCCESS"; return OK;
        case INVALID_VALUE: *s = "CUDA_ERROR_INVALID_VALUE"; return OK;
        case OUT_OF_MEMORY: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return OK;
        case NOT_INITIALIZED: *s = "CUDA_ERROR_NOT_INITIALIZED"; return OK;
        case INVALID_CONTEXT: *s = "CUDA_ERROR_INVALID_CONTEXT"; return OK;
        case NOT_FOUND: *s = "CUDA_ERROR_NOT_FOUND"; return OK;
        case LAUNCH_FAILED: *s = "CUDA_ERROR_LAUNCH_FAILED"; return OK;
        default: *s = nullptr; return INVALID_VALUE;
    }
}
SHIM CUresult cuGetErrorString(CUresult e, const char** s) { return cuGetErrorName(e, s); }
