// jgemu runtime: kernel registry, launch checks, fibers (one per CUDA thread), the per-block
// scheduler with its barrier and warp-op checks, the worker pool, device memory with canaries, and
// the C ABI (see README.md and jgemu.h).
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <stdarg.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jgemu.h"  // after the std headers: it defines __noinline__ and friends

#if defined(__SANITIZE_ADDRESS__)
#define JGEMU_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#else
#define JGEMU_ASAN 0
#endif

#if !defined(__x86_64__)
#error "jgemu: the fiber switch is written for x86-64"
#endif

#define JGEMU_API extern "C" __attribute__((visibility("default")))

thread_local uint3 threadIdx, blockIdx, blockDim, gridDim;

namespace {

// ---- context switch -----------------------------------------------------------------------------
// jgemu_ctx_switch(save, to): pushes the callee-saved registers, stores the stack pointer in *save,
// loads `to` and pops the same from there. MXCSR and the x87 control word are not switched: all
// fibers of a worker share the OS thread's floating-point environment (kernels do not change it).
extern "C" void jgemu_ctx_switch(void** save, void* to);
asm(R"(
    .text
    .p2align 4
    .type jgemu_ctx_switch,@function
jgemu_ctx_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size jgemu_ctx_switch, .-jgemu_ctx_switch
)");

#if JGEMU_ASAN
constexpr size_t kStackSize = 512 * 1024;
#else
constexpr size_t kStackSize = 128 * 1024;
#endif
constexpr size_t kGuard = 4096;

struct Stack {
    char* base;  // lowest usable byte; a PROT_NONE guard page lies below
    size_t size;
};

enum State { F_NEW, F_RUN, F_BAR, F_WARP, F_DONE, F_FAIL };

struct Fiber {
    void* sp = nullptr;
    Stack* stack = nullptr;
    uint3 tid{};
    int lin = 0;
    int state = F_NEW;
    const char* file = nullptr;  // barrier or warp-op site
    int line = 0;
    int kind = 0;  // barrier kind or warp kind
    int pred = 0;
    int res = 0;
    unsigned wmask = 0;
    uint64_t wval = 0, wres = 0;
    int wb = 0, ww = 32;
    void* fake = nullptr;
};

struct Kernel {
    std::string module, name, full;
    void* fn;
    jgemu::invoke_fn invoke;
    int nparams, maxThreads;
    jgemu::dyn_smem_fn dyn;
    int staticSmem = -1;
    std::string smemSource = "unknown";
};

std::vector<Kernel>& registry() {
    static std::vector<Kernel>* r = new std::vector<Kernel>();
    return *r;
}
struct SmemEntry { int bytes; std::string source; };
std::map<std::string, SmemEntry>& smem_table() {
    static std::map<std::string, SmemEntry>* t = new std::map<std::string, SmemEntry>();
    return *t;
}
std::once_flag g_init;
void ensure_init() {
    std::call_once(g_init, [] {
        auto& r = registry();
        std::stable_sort(r.begin(), r.end(), [](const Kernel& a, const Kernel& b) { return a.full < b.full; });
        for (auto& k : r) {
            auto it = smem_table().find(k.full);
            if (it != smem_table().end()) { k.staticSmem = it->second.bytes; k.smemSource = it->second.source; }
        }
    });
}

struct Job;

struct Worker {
    std::vector<Fiber> fib;
    std::vector<Stack*> freeStacks;
    std::vector<int> warpArrived;
    void* schedSp = nullptr;
    Fiber* cur = nullptr;
    const void* schedBottom = nullptr;
    size_t schedSize = 0;
    void* schedFake = nullptr;
    Job* job = nullptr;
    int n = 0;
    bool failed = false;
    std::string err;
    void* dynPtr[16];
    int dynCount = 0;
};
thread_local Worker* tl_w = nullptr;

struct Job {
    const Kernel* k;
    void** params;
    unsigned g[3], b[3];
    long dyn;
    uint64_t total;
    std::atomic<uint64_t> next{0};
    std::atomic<int> failed{0};
    std::mutex m;
    std::string err;
};

std::string fmt(const char* f, ...) {
    char buf[2048];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}
const char* base_name(const char* path) {
    if (!path) return "?";
    const char* s = strrchr(path, '/');
    return s ? s + 1 : path;
}
std::string site(const char* file, int line) { return fmt("%s:%d", base_name(file), line); }
std::string tid_str(const Fiber& f) { return fmt("(%u,%u,%u)", f.tid.x, f.tid.y, f.tid.z); }

// ---- stacks and switching -----------------------------------------------------------------------
Stack* get_stack(Worker* w) {
    if (!w->freeStacks.empty()) {
        Stack* s = w->freeStacks.back();
        w->freeStacks.pop_back();
        return s;
    }
    void* m = mmap(nullptr, kStackSize + kGuard, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (m == MAP_FAILED) return nullptr;
    mprotect(m, kGuard, PROT_NONE);
    return new Stack{(char*)m + kGuard, kStackSize};
}

inline void asan_start(void** fake, const void* bottom, size_t size) {
#if JGEMU_ASAN
    __sanitizer_start_switch_fiber(fake, bottom, size);
#else
    (void)fake; (void)bottom; (void)size;
#endif
}
inline void asan_finish(void* fake, const void** bottom, size_t* size) {
#if JGEMU_ASAN
    __sanitizer_finish_switch_fiber(fake, bottom, size);
#else
    (void)fake; (void)bottom; (void)size;
#endif
}

// Back to the scheduler from a fiber that blocks (dying = it will never be resumed).
inline void yield(Worker* w, Fiber* f, bool dying) {
    asan_start(dying ? nullptr : &f->fake, w->schedBottom, w->schedSize);
    jgemu_ctx_switch(&f->sp, w->schedSp);
    asan_finish(f->fake, &w->schedBottom, &w->schedSize);  // resume() has set threadIdx again
}

[[noreturn]] void fiber_entry() {
    Worker* w = tl_w;
    Fiber* f = w->cur;
    asan_finish(nullptr, &w->schedBottom, &w->schedSize);
    const Kernel* k = w->job->k;
    k->invoke(k->fn, w->job->params);
    w = tl_w;  // same worker: a block never changes OS thread
    f = w->cur;
    f->state = F_DONE;
    yield(w, f, true);
    __builtin_unreachable();
}

void init_fiber_stack(Fiber* f) {
    uint64_t* sp = (uint64_t*)(f->stack->base + f->stack->size);
    *--sp = 0;                          // return address of fiber_entry: ends back-traces
    *--sp = (uint64_t)(void*)&fiber_entry;
    for (int i = 0; i < 6; i++) *--sp = 0;  // rbp rbx r12 r13 r14 r15
    f->sp = sp;
}

bool resume(Worker* w, Fiber* f) {
    w->cur = f;
    threadIdx = f->tid;
    if (f->state == F_NEW) {
        f->stack = get_stack(w);
        if (!f->stack) {
            w->failed = true;
            w->err = "jgemu: out of memory for fiber stacks";
            return false;
        }
        init_fiber_stack(f);
        f->state = F_RUN;
    }
    asan_start(&w->schedFake, f->stack->base, f->stack->size);
    jgemu_ctx_switch(&w->schedSp, f->sp);
    asan_finish(w->schedFake, nullptr, nullptr);
    w->cur = nullptr;
    if (f->state == F_DONE) {
        w->freeStacks.push_back(f->stack);
        f->stack = nullptr;
    }
    return true;
}

// ---- warp ops -------------------------------------------------------------------------------------
const char* warp_name(int k) {
    static const char* names[] = {"__shfl_sync", "__shfl_up_sync", "__shfl_down_sync", "__shfl_xor_sync",
                                  "__ballot_sync", "__any_sync", "__all_sync", "__syncwarp",
                                  "__reduce_add_sync", "__reduce_min_sync", "__reduce_max_sync",
                                  "__reduce_add_sync", "__reduce_min_sync", "__reduce_max_sync",
                                  "__reduce_and_sync", "__reduce_or_sync", "__reduce_xor_sync"};
    return k >= 0 && k < (int)(sizeof names / sizeof *names) ? names[k] : "warp op";
}
std::string waits_str(const Fiber& g) {
    switch (g.state) {
        case F_BAR: return "waits at __syncthreads() " + site(g.file, g.line);
        case F_WARP: return fmt("waits in %s(mask 0x%08x) at %s", warp_name(g.kind), g.wmask, site(g.file, g.line).c_str());
        case F_DONE: return "has exited";
        default: return "is running";
    }
}

bool warp_error(Worker* w, const Fiber& f, const std::string& what) {
    int warp = f.lin >> 5;
    w->failed = true;
    w->err = fmt("warp %d lane %d (thread %s) in %s(mask 0x%08x) at %s: %s", warp, f.lin & 31, tid_str(f).c_str(),
                 warp_name(f.kind), f.wmask, site(f.file, f.line).c_str(), what.c_str());
    return false;
}

// All lanes named in f's mask have arrived (or, at a stall, must have): check and exchange.
bool warp_complete(Worker* w, Fiber* f, bool stall) {
    int base = f->lin & ~31;
    unsigned M = f->wmask;
    for (unsigned m = M; m; m &= m - 1) {
        int l = __builtin_ctz(m);
        Fiber& g = w->fib[base + l];
        if (g.state == F_WARP) {
            if (g.kind != f->kind || g.wmask != M)
                return warp_error(w, *f, fmt("lane %d, named in the mask, %s: the lanes disagree", l, waits_str(g).c_str()));
        } else if (g.state == F_NEW || g.state == F_RUN) {
            if (!stall) return true;  // not there yet
            return warp_error(w, *f, fmt("lane %d never arrives", l));
        } else {
            return warp_error(w, *f, fmt("lane %d, named in the mask, %s", l, waits_str(g).c_str()));
        }
    }
    int kind = f->kind;
    uint64_t result = 0;
    switch (kind) {
        case jgemu::W_SHFL_IDX: case jgemu::W_SHFL_UP: case jgemu::W_SHFL_DOWN: case jgemu::W_SHFL_XOR:
            for (unsigned m = M; m; m &= m - 1) {
                int l = __builtin_ctz(m);
                Fiber& g = w->fib[base + l];
                // PTX shfl.sync semantics: c = ((32 - width) << 8) | clamp.
                int segmask = (32 - g.ww) & 31, minLane = l & segmask;
                int maxLane = minLane | ((kind == jgemu::W_SHFL_UP ? 0 : 31) & ~segmask);
                int j;
                bool ok;
                switch (kind) {
                    case jgemu::W_SHFL_IDX: j = minLane | (g.wb & ~segmask & 31); ok = j <= maxLane; break;
                    case jgemu::W_SHFL_UP: j = l - g.wb; ok = j >= maxLane; break;
                    case jgemu::W_SHFL_DOWN: j = l + g.wb; ok = j <= maxLane; break;
                    default: j = l ^ g.wb; ok = j <= maxLane && j >= 0; break;
                }
                if (!ok) j = l;
                if (j != l && !(M & (1u << j)))
                    return warp_error(w, g, fmt("lane %d reads lane %d, which is not in the mask", l, j));
                g.wres = w->fib[base + j].wval;
            }
            break;
        default: {
            unsigned ballot = 0;
            uint64_t acc = 0;
            bool first = true;
            for (unsigned m = M; m; m &= m - 1) {
                int l = __builtin_ctz(m);
                uint64_t v = w->fib[base + l].wval;
                if (v) ballot |= 1u << l;
                uint32_t u = (uint32_t)v;
                int32_t s = (int32_t)u;
                switch (kind) {
                    case jgemu::W_RED_ADD_U: case jgemu::W_RED_ADD_I: acc = (uint32_t)(acc + u); break;
                    case jgemu::W_RED_MIN_U: acc = first ? u : std::min<uint32_t>((uint32_t)acc, u); break;
                    case jgemu::W_RED_MAX_U: acc = first ? u : std::max<uint32_t>((uint32_t)acc, u); break;
                    case jgemu::W_RED_MIN_I: acc = (uint32_t)(first ? s : std::min<int32_t>((int32_t)(uint32_t)acc, s)); break;
                    case jgemu::W_RED_MAX_I: acc = (uint32_t)(first ? s : std::max<int32_t>((int32_t)(uint32_t)acc, s)); break;
                    case jgemu::W_RED_AND: acc = first ? u : ((uint32_t)acc & u); break;
                    case jgemu::W_RED_OR: acc = (uint32_t)acc | u; break;
                    case jgemu::W_RED_XOR: acc = (uint32_t)acc ^ u; break;
                    default: break;
                }
                first = false;
            }
            switch (kind) {
                case jgemu::W_BALLOT: result = ballot; break;
                case jgemu::W_ANY: result = ballot != 0; break;
                case jgemu::W_ALL: result = ballot == M; break;
                case jgemu::W_SYNCWARP: result = 0; break;
                default: result = acc; break;
            }
            for (unsigned m = M; m; m &= m - 1) w->fib[base + __builtin_ctz(m)].wres = result;
        }
    }
    w->warpArrived[f->lin >> 5] -= __builtin_popcount(M);
    for (unsigned m = M; m; m &= m - 1) w->fib[base + __builtin_ctz(m)].state = F_RUN;
    return true;
}

bool warp_arrive(Worker* w, Fiber* f) {
    int lane = f->lin & 31, base = f->lin & ~31, lanes = std::min(32, w->n - base);
    unsigned present = lanes == 32 ? 0xffffffffu : ((1u << lanes) - 1);
    unsigned M = f->wmask;
    if (!(M & (1u << lane))) return warp_error(w, *f, "the calling lane is not in its own mask");
    if (M & ~present) {
        int first = __builtin_ctz(M & ~present);
        return warp_error(w, *f, fmt("the mask names lanes %d..31 that do not exist (the block has %d threads: "
                                     "warp %d has only %d lanes)", first, w->n, f->lin >> 5, lanes));
    }
    int& arrived = w->warpArrived[f->lin >> 5];
    arrived++;
    if (arrived < __builtin_popcount(M)) return true;
    return warp_complete(w, f, false);
}

// No fiber can run: complete a barrier, or say why the block is stuck.
bool stall(Worker* w, int done) {
    int n = w->n;
    for (int i = 0; i < n; i++)
        if (w->fib[i].state == F_WARP) {
            warp_complete(w, &w->fib[i], true);
            if (!w->failed) warp_error(w, w->fib[i], "the warp op never completes");
            return false;
        }
    // Every live thread waits at a barrier: the same one?
    struct SiteCount { const char* file; int line; int count; int first; };
    std::vector<SiteCount> sites;
    int firstDone = -1;
    for (int i = 0; i < n; i++) {
        const Fiber& f = w->fib[i];
        if (f.state == F_DONE) { if (firstDone < 0) firstDone = i; continue; }
        bool found = false;
        for (auto& s : sites)
            if (s.line == f.line && (s.file == f.file || strcmp(s.file, f.file) == 0)) { s.count++; found = true; break; }
        if (!found) sites.push_back({f.file, f.line, 1, i});
    }
    if (done > 0 || sites.size() > 1) {
        std::string list;
        for (auto& s : sites) {
            if (!list.empty()) list += ", ";
            list += fmt("%d at %s (first thread %s)", s.count, site(s.file, s.line).c_str(),
                        tid_str(w->fib[s.first]).c_str());
        }
        w->failed = true;
        if (done > 0)
            w->err = fmt("__syncthreads() deadlock: %d of %d threads exited (first thread %s) while the others wait: "
                         "%s", done, n, tid_str(w->fib[firstDone]).c_str(), list.c_str());
        else
            w->err = fmt("__syncthreads() mismatch: the threads wait at different barriers: %s", list.c_str());
        return false;
    }
    int count = 0;
    for (int i = 0; i < n; i++) count += w->fib[i].pred != 0;
    for (int i = 0; i < n; i++) {
        Fiber& f = w->fib[i];
        switch (f.kind) {
            case jgemu::B_COUNT: f.res = count; break;
            case jgemu::B_AND: f.res = count == n; break;
            case jgemu::B_OR: f.res = count > 0; break;
            default: f.res = 0;
        }
        f.state = F_RUN;
    }
    return true;
}

void recycle_after_failure(Worker* w) {
    for (int i = 0; i < w->n; i++) {
        Fiber& f = w->fib[i];
        if (f.stack) {
#if JGEMU_ASAN
            ASAN_UNPOISON_MEMORY_REGION(f.stack->base, f.stack->size);  // abandoned frames leave poison
#endif
            w->freeStacks.push_back(f.stack);
            f.stack = nullptr;
        }
    }
}

// JGEMU_ORDER=reverse runs the threads of a block last to first between blocking points: another
// interleaving, to expose reads of shared memory that a missing barrier leaves to chance.
const bool g_reverse = [] { const char* e = getenv("JGEMU_ORDER"); return e && strcmp(e, "reverse") == 0; }();

bool run_block(Worker* w) {
    const Job* j = w->job;
    int n = w->n;
    unsigned bx = j->b[0], by = j->b[1];
    for (int i = 0; i < n; i++) {
        Fiber& f = w->fib[i];
        f.state = F_NEW;
        f.lin = i;
        f.tid = uint3{(unsigned)i % bx, ((unsigned)i / bx) % by, (unsigned)i / (bx * by)};
        f.stack = nullptr;
    }
    std::fill(w->warpArrived.begin(), w->warpArrived.end(), 0);
    for (int d = 0; d < w->dynCount; d++)
        if (j->dyn > 0) memset(w->dynPtr[d], 0xff, (size_t)j->dyn);  // uninitialised: NaN / -1
    int done = 0;
    for (;;) {
        int ran = 0;
        for (int ii = 0; ii < n; ii++) {
            Fiber* f = &w->fib[g_reverse ? n - 1 - ii : ii];
            if (f->state != F_NEW && f->state != F_RUN) continue;
            ran++;
            if (!resume(w, f) || w->failed) { recycle_after_failure(w); return false; }
            if (f->state == F_DONE) done++;
            else if (f->state == F_WARP && !warp_arrive(w, f)) { recycle_after_failure(w); return false; }
        }
        if (done == n) return true;
        if (ran == 0 && !stall(w, done)) { recycle_after_failure(w); return false; }
    }
}

void work(Worker* w, Job* j) {
    tl_w = w;
    w->job = j;
    w->n = (int)(j->b[0] * j->b[1] * j->b[2]);
    if ((int)w->fib.size() < w->n) w->fib.resize(w->n);
    w->warpArrived.assign((w->n + 31) / 32, 0);
    blockDim = uint3{j->b[0], j->b[1], j->b[2]};
    gridDim = uint3{j->g[0], j->g[1], j->g[2]};
    w->dynCount = 0;
    if (j->k->dyn) j->k->dyn(w->dynPtr, &w->dynCount);
#if JGEMU_ASAN
    for (int d = 0; d < w->dynCount; d++)
        ASAN_POISON_MEMORY_REGION((char*)w->dynPtr[d] + j->dyn, JGEMU_MAX_SMEM - j->dyn);
#endif
    uint64_t gxy = (uint64_t)j->g[0] * j->g[1];
    for (;;) {
        if (j->failed.load(std::memory_order_relaxed)) break;
        uint64_t b = j->next.fetch_add(1);
        if (b >= j->total) break;
        blockIdx = uint3{(unsigned)(b % j->g[0]), (unsigned)((b / j->g[0]) % j->g[1]), (unsigned)(b / gxy)};
        w->failed = false;
        if (!run_block(w)) {
            std::lock_guard<std::mutex> lk(j->m);
            if (!j->failed.load()) {
                j->err = fmt("block (%u,%u,%u): ", blockIdx.x, blockIdx.y, blockIdx.z) + w->err;
                j->failed.store(1);
            }
            break;
        }
    }
#if JGEMU_ASAN
    for (int d = 0; d < w->dynCount; d++) ASAN_UNPOISON_MEMORY_REGION(w->dynPtr[d], JGEMU_MAX_SMEM);
#endif
    w->job = nullptr;
    tl_w = nullptr;
}

// ---- worker pool ----------------------------------------------------------------------------------
struct Pool {
    std::mutex m;
    std::condition_variable cv, cvDone;
    Job* job = nullptr;
    uint64_t gen = 0;
    int slots = 0;    // helpers still to join the current job
    int running = 0;  // helpers that joined and have not finished
    int threads = 0;  // helper threads started
};
Pool* g_pool = new Pool();
std::mutex g_launch;
Worker g_caller;  // slot of whichever thread calls jgemu_launch (launches are serialised)

int worker_count() {
    static int n = [] {
        const char* e = getenv("JGEMU_THREADS");
        int v = e ? atoi(e) : 0;
        if (v <= 0) v = std::min(4, (int)std::max(1u, std::thread::hardware_concurrency()));
        // ASan build: static __shared__ is one ordinary static per kernel (see jgemu.h), so one worker.
        return JGEMU_ASAN ? 1 : std::min(v, 64);
    }();
    return n;
}

void helper_main() {
    Worker* w = new Worker();
    uint64_t seen = 0;
    for (;;) {
        Job* j;
        {
            std::unique_lock<std::mutex> lk(g_pool->m);
            g_pool->cv.wait(lk, [&] { return g_pool->gen != seen && g_pool->slots > 0; });
            seen = g_pool->gen;
            g_pool->slots--;
            j = g_pool->job;
        }
        work(w, j);
        {
            std::lock_guard<std::mutex> lk(g_pool->m);
            if (--g_pool->running == 0) g_pool->cvDone.notify_all();
        }
    }
}

void run_job(Job* j) {
    int helpers = (int)std::min<uint64_t>(j->total, (uint64_t)worker_count()) - 1;
    if (helpers > 0) {
        std::lock_guard<std::mutex> lk(g_pool->m);
        while (g_pool->threads < helpers) {
            std::thread(helper_main).detach();
            g_pool->threads++;
        }
        g_pool->job = j;
        g_pool->gen++;
        g_pool->slots = helpers;
        g_pool->running = helpers;
        g_pool->cv.notify_all();
    }
    work(&g_caller, j);
    if (helpers > 0) {
        std::unique_lock<std::mutex> lk(g_pool->m);
        g_pool->running -= g_pool->slots;  // helpers that never woke up: nothing left for them
        g_pool->slots = 0;
        g_pool->cvDone.wait(lk, [] { return g_pool->running == 0; });
        g_pool->job = nullptr;
    }
}

// ---- device memory ----------------------------------------------------------------------------------
constexpr size_t kAlign = 256, kRedzone = 256;
constexpr unsigned char kCanary = 0xCB;
struct Alloc { char* raw; size_t bytes, tail; };
std::mutex g_mem;
std::map<uintptr_t, Alloc>& allocs() {
    static std::map<uintptr_t, Alloc>* a = new std::map<uintptr_t, Alloc>();
    return *a;
}
bool poison_enabled() {
    static bool on = [] { const char* e = getenv("JGEMU_POISON"); return !(e && strcmp(e, "0") == 0); }();
    return on;
}

// -1 when the n (<= 2 * kRedzone) bytes at p are all canary bytes, else the first that is not.
long first_changed(const unsigned char* p, size_t n) {
    static const unsigned char* pattern = [] {
        unsigned char* b = new unsigned char[2 * kRedzone];
        memset(b, kCanary, 2 * kRedzone);
        return b;
    }();
    if (memcmp(p, pattern, n) == 0) return -1;  // the fast path: libc's vectorised compare
    for (size_t i = 0; i < n; i++)
        if (p[i] != kCanary) return (long)i;
    return -1;
}

// Plain build: every allocation has 256 canary bytes before it and at least 256 after. After each
// launch the 64 bytes on either side are checked (all of them with JGEMU_CANARY=full, none with
// JGEMU_CANARY=0), so that thousands of live allocations cost little; jgemu_free checks everything.
// Returns the message for the first damaged allocation and repairs them all.
int canary_mode() {  // 0 off, 1 near (default), 2 full
    static int mode = [] {
        const char* e = getenv("JGEMU_CANARY");
        if (!e) return 1;
        return strcmp(e, "full") == 0 ? 2 : strcmp(e, "0") == 0 || strcmp(e, "off") == 0 ? 0 : 1;
    }();
    return mode;
}

std::string check_canaries(bool full) {
    std::string msg;
#if !JGEMU_ASAN
    if (!full && canary_mode() == 0) return msg;
    full = full || canary_mode() == 2;
    constexpr size_t kNear = 64;
    std::lock_guard<std::mutex> lk(g_mem);
    int damaged = 0;
    for (auto& [user, a] : allocs()) {
        unsigned char* u = (unsigned char*)user;
        long front = full ? first_changed((unsigned char*)a.raw, kRedzone)
                          : first_changed((unsigned char*)user - kNear, kNear);
        if (!full && front >= 0) front += kRedzone - kNear;
        long back = first_changed(u + a.bytes, full ? a.tail : kNear);
        if (front < 0 && back < 0) continue;
        if (damaged++ == 0) {
            if (back >= 0)
                msg = fmt("out-of-bounds write: the redzone after the %zu-byte allocation at %p was overwritten "
                          "(first changed byte at offset %zu, %ld past the end)", a.bytes, (void*)u, a.bytes + back, back + 1);
            else
                msg = fmt("out-of-bounds write: the redzone before the %zu-byte allocation at %p was overwritten "
                          "(first changed byte at offset %ld)", a.bytes, (void*)u, front - (long)kRedzone);
        }
        memset(a.raw, kCanary, kRedzone);
        memset(u + a.bytes, kCanary, a.tail);
    }
    if (damaged > 1) msg += fmt(" (and %d more allocations damaged)", damaged - 1);
#endif
    return msg;
}

void set_err(char* err, long len, const std::string& s) {
    if (!err || len <= 0) return;
    size_t n = std::min((size_t)len - 1, s.size());
    memcpy(err, s.c_str(), n);
    err[n] = 0;
}

}  // namespace

// ---- device-side entry points ---------------------------------------------------------------------------
namespace jgemu {

void register_kernel(const KernelDesc& d) {
    Kernel k{d.module, d.name, std::string(d.module) + "/" + d.name, d.fn, d.invoke, d.nparams, d.maxThreads, d.dyn};
    registry().push_back(k);
}

void set_static_smem(const char* module, const char* kernel, int bytes, const char* source) {
    smem_table()[std::string(module) + "/" + kernel] = SmemEntry{bytes, source};
}

int barrier(int kind, int pred, const char* file, int line) {
    Worker* w = tl_w;
    if (!w || !w->cur) { fprintf(stderr, "jgemu: __syncthreads() outside a kernel\n"); abort(); }
    Fiber* f = w->cur;
    f->state = F_BAR;
    f->kind = kind;
    f->pred = pred;
    f->file = file;
    f->line = line;
    yield(w, f, false);
    return f->res;
}

uint64_t warp_op(int kind, unsigned mask, uint64_t value, int b, int width, const char* file, int line) {
    Worker* w = tl_w;
    if (!w || !w->cur) { fprintf(stderr, "jgemu: %s outside a kernel\n", warp_name(kind)); abort(); }
    Fiber* f = w->cur;
    f->kind = kind;
    f->wmask = mask;
    f->wval = value;
    f->wb = b;
    f->ww = width;
    f->file = file;
    f->line = line;
    if (width < 1 || width > 32 || (width & (width - 1))) {
        warp_error(w, *f, fmt("width %d is not a power of 2 in 1..32", width));
        f->state = F_FAIL;
        yield(w, f, true);
    }
    f->state = F_WARP;
    yield(w, f, false);
    return f->wres;
}

void yield_now() {
    Worker* w = tl_w;
    if (!w || !w->cur) return;
    Fiber* f = w->cur;
    f->state = F_RUN;  // still runnable: the scheduler just moves on to the next thread
    yield(w, f, false);
}

unsigned active_mask() {
    Worker* w = tl_w;
    int base = w->cur->lin & ~31;
    unsigned m = 0;
    for (int l = 0; l < 32 && base + l < w->n; l++)
        if (w->fib[base + l].state != F_DONE) m |= 1u << l;
    return m;
}

void fail(const char* what, const char* file, int line) {
    Worker* w = tl_w;
    if (!w || !w->cur) { fprintf(stderr, "jgemu: %s at %s:%d outside a kernel\n", what, file, line); abort(); }
    Fiber* f = w->cur;
    w->failed = true;
    w->err = fmt("thread %s: %s at %s", tid_str(*f).c_str(), what, site(file, line).c_str());
    f->state = F_FAIL;
    yield(w, f, true);
    __builtin_unreachable();
}

}  // namespace jgemu

// ---- the C ABI ------------------------------------------------------------------------------------------
JGEMU_API long jgemu_kernel_count(void) {
    ensure_init();
    return (long)registry().size();
}

JGEMU_API const char* jgemu_kernel_name(long i) {
    ensure_init();
    return i >= 0 && i < (long)registry().size() ? registry()[i].full.c_str() : nullptr;
}

JGEMU_API long jgemu_find(const char* module, const char* kernel) {
    ensure_init();
    if (!module || !kernel) return -1;
    auto& r = registry();
    for (size_t i = 0; i < r.size(); i++)
        if (r[i].module == module && r[i].name == kernel) return (long)i;
    return -1;
}

// Not in the lead's ABI list (an addition): how many parameters the kernel's C signature has, so
// a caller can check its kernelParams array; -1 for an unknown handle.
JGEMU_API int jgemu_kernel_param_count(long h) {
    ensure_init();
    if (h < 0 || h >= (long)registry().size()) return -1;
    return registry()[h].nparams;
}

JGEMU_API int jgemu_max_shared_bytes(void) { return JGEMU_MAX_SMEM; }
JGEMU_API int jgemu_sanitized(void) { return JGEMU_ASAN; }
JGEMU_API int jgemu_multiprocessors(void) { return worker_count(); }

JGEMU_API int jgemu_static_smem(long h) {
    ensure_init();
    if (h < 0 || h >= (long)registry().size()) return -1;
    return registry()[h].staticSmem;
}

JGEMU_API int jgemu_launch(long h, int gx, int gy, int gz, int bx, int by, int bz, long dyn, void** params, char* err,
                           long errLen) {
    ensure_init();
    if (err && errLen > 0) err[0] = 0;
    if (h < 0 || h >= (long)registry().size()) {
        set_err(err, errLen, fmt("jgemu_launch: unknown kernel handle %ld", h));
        return 1;
    }
    const Kernel& k = registry()[h];
    std::string shape = fmt("%s <<<(%d,%d,%d),(%d,%d,%d), smem %ld>>>", k.name.c_str(), gx, gy, gz, bx, by, bz, dyn);
    auto bad = [&](const std::string& why) { set_err(err, errLen, shape + ": " + why); return 1; };
    const char* axis[3] = {"x", "y", "z"};
    int g[3] = {gx, gy, gz}, b[3] = {bx, by, bz};
    for (int d = 0; d < 3; d++) {
        if (b[d] < 1) return bad(fmt("blockDim.%s %d < 1", axis[d], b[d]));
        if (g[d] < 1) return bad(fmt("gridDim.%s %d < 1", axis[d], g[d]));
    }
    if (bx > 1024) return bad(fmt("blockDim.x %d > 1024", bx));
    if (by > 1024) return bad(fmt("blockDim.y %d > 1024", by));
    if (bz > 64) return bad(fmt("blockDim.z %d > 64", bz));
    long threads = (long)bx * by * bz;
    if (threads > 1024) return bad(fmt("blockDim %dx%dx%d = %ld threads > 1024", bx, by, bz, threads));
    if (k.maxThreads > 0 && threads > k.maxThreads)
        return bad(fmt("%ld threads per block > __launch_bounds__(%d)", threads, k.maxThreads));
    // gridDim.x <= 2^31-1 holds for any int.
    if (gy > 65535) return bad(fmt("gridDim.y %d > 65535", gy));
    if (gz > 65535) return bad(fmt("gridDim.z %d > 65535", gz));
    if (dyn < 0) return bad(fmt("dynamic shared memory %ld < 0", dyn));
    long st = std::max(0, k.staticSmem);
    if (st + dyn > JGEMU_MAX_SMEM)
        return bad(fmt("shared memory %ld static + %ld dynamic = %ld bytes > %d (the default per-block limit; up to "
                       "227 KiB on sm_90 needs the CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES opt-in, which the "
                       "emulator does not model)", st, dyn, st + dyn, JGEMU_MAX_SMEM));
    if (k.nparams > 0 && !params) return bad(fmt("params is NULL but the kernel takes %d arguments", k.nparams));

    std::lock_guard<std::mutex> lk(g_launch);
    Job j;
    j.k = &k;
    j.params = params;
    for (int d = 0; d < 3; d++) { j.g[d] = (unsigned)g[d]; j.b[d] = (unsigned)b[d]; }
    j.dyn = dyn;
    j.total = (uint64_t)gx * gy * gz;
    run_job(&j);
    std::string canary = check_canaries(false);
    if (j.failed.load()) {
        set_err(err, errLen, shape + ": " + j.err + (canary.empty() ? "" : "; also " + canary));
        return 2;
    }
    if (!canary.empty()) {
        set_err(err, errLen, shape + ": " + canary);
        return 2;
    }
    return 0;
}

JGEMU_API void* jgemu_malloc(long bytes) {
    if (bytes < 0) return nullptr;
    size_t n = (size_t)bytes;
#if JGEMU_ASAN
    void* p = nullptr;
    if (posix_memalign(&p, kAlign, n == 0 ? 1 : n) != 0) return nullptr;  // ASan adds the redzones
    if (n > 0 && poison_enabled()) memset(p, 0xff, n);
    std::lock_guard<std::mutex> lk(g_mem);
    allocs()[(uintptr_t)p] = Alloc{(char*)p, n, 0};
    return p;
#else
    size_t body = (n + kAlign - 1) / kAlign * kAlign;
    size_t tail = body - n + kRedzone;
    char* raw = nullptr;
    if (posix_memalign((void**)&raw, kAlign, kRedzone + body + kRedzone) != 0) return nullptr;
    char* user = raw + kRedzone;
    memset(raw, kCanary, kRedzone);
    memset(user + n, kCanary, tail);
    if (n > 0 && poison_enabled()) memset(user, 0xff, n);  // uninitialised device memory reads as NaN
    std::lock_guard<std::mutex> lk(g_mem);
    allocs()[(uintptr_t)user] = Alloc{raw, n, tail};
    return user;
#endif
}

JGEMU_API int jgemu_free(void* p) {
    std::lock_guard<std::mutex> lk(g_mem);
    auto it = allocs().find((uintptr_t)p);
    if (it == allocs().end()) return 1;
#if !JGEMU_ASAN
    // The launches checked only the 64 bytes next to the block (by default): check all of it now.
    const Alloc& a = it->second;
    long front = first_changed((unsigned char*)a.raw, kRedzone), back = first_changed((unsigned char*)p + a.bytes, a.tail);
    if (front >= 0 || back >= 0)
        fprintf(stderr, "jgemu_free: the redzone %s the %zu-byte allocation at %p was overwritten by an earlier launch\n",
                back >= 0 ? "after" : "before", a.bytes, p);
#endif
    free(it->second.raw);
    allocs().erase(it);
    return 0;
}
