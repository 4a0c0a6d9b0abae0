#!/usr/bin/env python3
"""PyTorch's side of jgrad's first-GPU check (bundle/run-gpu.sh check).

Times the same four workloads as dev.jgrad.bench.check.KernelCheck, each next to a copy of the
same bytes, and writes its rows in the same tab-separated format (torch.tsv), so that CheckReport
puts them beside jgrad's:
  sgemm      torch.matmul with TF32 off (the cuBLAS figure)
  adam       torch.optim.Adam(fused=True), one step over all parameters
  softmax    F.softmax over the last axis
  batchNorm  F.batch_norm in training mode (batch statistics, running stats updated)
  copy       dst.copy_(src) of the bytes the op must read and write (engine torch-copy)
Before timing, each op's output is checked against float64 (relative L2 error), as KernelCheck does.
Timing: CUDA events around a repetition of a few calls after warm-up, the median of the
repetitions. Usage:
  torch_check.py --info                      what PyTorch sees (for device.txt)
  torch_check.py --out torch.tsv [--size small|full] [--allow-cpu]
--allow-cpu runs on the CPU when CUDA is not available (used with --size small to try the script).
"""
import argparse
import math
import glob
import os
import statistics
import sys
import time

SIZES = {
    # gemm n, adam params, softmax (rows, cols), batch norm (n, c, h); timing: warm-up s, reps,
    # seconds per repetition, most seconds per op, most calls per repetition (as CheckSize)
    "full": dict(gemm=4096, adam=10_000_000, sm=(65536, 1024), bn=(256, 64, 56), lenet=256,
                 timing=(0.3, 21, 0.002, 4.0, 50)),
    "small": dict(gemm=256, adam=100_000, sm=(512, 1024), bn=(8, 16, 28), lenet=16,
                  timing=(0.05, 5, 0.002, 3.0, 20)),
}
HEADER = "op\tengine\tshape\tunit\twork\tmedian_us\tmin_us\tmax_us\treps\tcalls_per_rep\tstatus\tnote\tsamples_us"


def info():
    import torch
    print("torch:", torch.__version__, "from", os.path.dirname(torch.__file__))
    print("torch.version.cuda:", torch.version.cuda)
    print("torch.cuda.is_available():", torch.cuda.is_available())
    if torch.cuda.is_available():
        print("torch.cuda.get_device_name(0):", torch.cuda.get_device_name(0))
        p = torch.cuda.get_device_properties(0)
        print("capability: sm_%d%d, %d SMs, %.1f GiB" % (p.major, p.minor, p.multi_processor_count, p.total_memory / 2**30))
    try:
        print("cuDNN:", torch.backends.cudnn.version())
    except Exception as e:  # noqa: BLE001 - only for the record
        print("cuDNN: unavailable:", e)
    site = os.path.dirname(os.path.dirname(torch.__file__))
    libs = sorted(set(glob.glob(os.path.join(site, "nvidia", "*", "lib", "libcublas*.so*"))
                      + glob.glob(os.path.join(site, "nvidia", "cu*", "lib", "libcublas*.so*"))
                      + glob.glob(os.path.join(os.path.dirname(torch.__file__), "lib", "libcublas*.so*"))))
    print("cuBLAS libraries in PyTorch's wheels:", " ".join(libs) if libs else "none found")


class Timer:
    def __init__(self, torch, device, timing):
        self.torch, self.cuda = torch, device.type == "cuda"
        self.warmup, self.reps, self.rep_seconds, self.max_seconds, self.max_calls = timing

    def sync(self):
        if self.cuda:
            self.torch.cuda.synchronize()

    def time(self, fn):
        """Microseconds per call of each repetition, and the calls per repetition."""
        self.sync()
        start, warm, last = time.perf_counter(), 0, 0.0
        while warm < 2 or time.perf_counter() - start < self.warmup:
            t0 = time.perf_counter()
            fn()
            self.sync()
            last = time.perf_counter() - t0
            warm += 1
        per_call = max(last, 1e-9)
        calls = int(max(1, min(self.max_calls, round(self.rep_seconds / per_call))))
        reps = int(max(3, min(self.reps, self.max_seconds / (per_call * calls))))
        out = []
        for _ in range(reps):
            if self.cuda:
                a, b = self.torch.cuda.Event(enable_timing=True), self.torch.cuda.Event(enable_timing=True)
                self.sync()
                a.record()
                for _ in range(calls):
                    fn()
                b.record()
                b.synchronize()
                out.append(a.elapsed_time(b) * 1e3 / calls)
            else:
                t0 = time.perf_counter()
                for _ in range(calls):
                    fn()
                out.append((time.perf_counter() - t0) * 1e6 / calls)
        return out, calls


def rel_error(got, ref):
    got, ref = got.double().flatten(), ref.double().flatten()
    if not bool(got.isfinite().all()):
        return float("inf")
    return float((got - ref).norm() / ref.norm().clamp_min(1e-300))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--info", action="store_true")
    ap.add_argument("--out", default="torch.tsv")
    ap.add_argument("--size", choices=SIZES, default=os.environ.get("JGRAD_CHECK_SIZE", "full"))
    ap.add_argument("--allow-cpu", action="store_true")
    args = ap.parse_args()
    import torch
    if args.info:
        info()
        return 0
    import torch.nn.functional as F

    if torch.cuda.is_available():
        device = torch.device("cuda")
        what = "torch %s (CUDA %s) on %s" % (torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0))
    elif args.allow_cpu:
        device = torch.device("cpu")
        what = "torch %s on the CPU (%d threads): no CUDA device" % (torch.__version__, torch.get_num_threads())
    else:
        print("check: torch: failed: no CUDA device: torch.cuda.is_available() is False (torch %s)" % torch.__version__)
        return 3
    # float32 as float32: no TF32 in matmul or cuDNN, as jgrad computes
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    sz = SIZES[args.size]
    timer = Timer(torch, device, sz["timing"])
    gen = torch.Generator(device=device).manual_seed(20261203)
    rows, failures = [], 0

    def rand(*shape):
        return torch.rand(*shape, generator=gen, device=device) * 2 - 1

    def measure(op, engine, shape, unit, work, fn, check, note):
        nonlocal failures
        t0 = time.perf_counter()
        try:
            bad = check() if check else None
            if bad:
                failures += 1
                rows.append([op, engine, shape, unit, "%.6g" % work, "", "", "", "0", "0", "failed", bad, ""])
            else:
                us, calls = timer.time(fn)
                rows.append([op, engine, shape, unit, "%.6g" % work, "%.6g" % statistics.median(us), "%.6g" % min(us),
                             "%.6g" % max(us), str(len(us)), str(calls), "ok", note, ",".join("%.3f" % u for u in us)])
                rate = work / (statistics.median(us) * 1e-6) / 1e9
                if unit == "images":
                    rate *= 1e9
                print("%-10s %-10s %s: median %.2f us (%d reps x %d calls) = %.1f %s"
                      % (op, engine, shape, statistics.median(us), len(us), calls, rate,
                         {"flops": "GFLOP/s", "images": "images/s"}.get(unit, "GB/s")))
        except Exception as e:  # noqa: BLE001 - one op's failure is reported and the others still run
            failures += 1
            rows.append([op, engine, shape, unit, "%.6g" % work, "", "", "", "0", "0", "failed",
                         ("%s: %s" % (type(e).__name__, e)).replace("\t", " ").replace("\n", " "), ""])
            print("%s %s failed: %s" % (op, engine, e))
        print("  %s %s: %.1f s" % (op, engine, time.perf_counter() - t0))
        if device.type == "cuda":
            torch.cuda.empty_cache()

    def copy_ceiling(op, shape, floats):
        src, dst = rand(floats), torch.full((floats,), float("nan"), device=device)
        measure(op, "torch-copy", shape, "bytes", 8.0 * floats, lambda: dst.copy_(src),
                lambda: None if torch.equal((dst.copy_(src), dst)[1], src) else "copy_ differs from its source",
                "dst.copy_(src) of %d floats" % floats)
        del src, dst

    def guard(op, block):
        """Runs one op's set-up and measurements; a failure there becomes a failed row, and the next op runs."""
        nonlocal failures
        try:
            block()
        except Exception as e:  # noqa: BLE001
            failures += 1
            rows.append([op, "torch", "", "", "0", "", "", "", "0", "0", "failed",
                         ("set-up: %s: %s" % (type(e).__name__, e)).replace("\t", " ").replace("\n", " "), ""])
            print("%s: set-up failed: %s" % (op, e))
        if device.type == "cuda":
            torch.cuda.empty_cache()

    def sgemm():
        n = sz["gemm"]
        a, b = rand(n, n), rand(n, n)
        c = torch.empty(n, n, device=device)

        def check_gemm():
            c.fill_(float("nan"))
            torch.matmul(a, b, out=c)
            e = rel_error(c, a.double() @ b.double())
            return None if e <= 1e-3 else "sgemm: relative error %.3g > 1e-3" % e
        measure("sgemm", "torch", "%dx%dx%d" % (n, n, n), "flops", 2.0 * n ** 3, lambda: torch.matmul(a, b, out=c), check_gemm,
                "torch.matmul, TF32 off (cuBLAS)")
        del a, b, c

    guard("sgemm", sgemm)

    def adam():
        n = sz["adam"]
        p = torch.nn.Parameter(rand(n))
        p.grad = rand(n)
        # fused=True is the one-kernel CUDA Adam; a CPU run (--allow-cpu) takes PyTorch's default
        fused = device.type == "cuda"
        opt = torch.optim.Adam([p], lr=1e-3, betas=(0.9, 0.999), eps=1e-8, **({"fused": True} if fused else {}))

        def check_adam():
            k = min(4096, n)
            p0, g = p.detach()[:k].double().clone(), p.grad[:k].double()
            opt.step()
            st = opt.state[p]
            # The first step from zero moments. The betas are the float32 values the kernel holds:
            # 1 - float32(0.999) is 0.00099998713, 1.29e-5 below 0.001 (the second moment missed a
            # 1e-5 tolerance by exactly that on the first H200 run, 2026-12-04).
            c1, c2 = 1 - float(torch.tensor(0.9, dtype=torch.float32)), 1 - float(torch.tensor(0.999, dtype=torch.float32))
            m, v = c1 * g, c2 * g * g
            ref = p0 - 1e-3 * (m / c1) / ((v / c2).sqrt() + 1e-8)
            for name, got, want, tol in (("first moment", st["exp_avg"][:k], m, 1e-5), ("second moment", st["exp_avg_sq"][:k], v, 1e-5),
                                         ("parameter update", p.detach()[:k].double() - p0, ref - p0, 1e-3)):
                e = rel_error(got, want)
                if e > tol:
                    return "adam: %s: relative error %.3g > %g" % (name, e, tol)
            return None
        shape = "{:,} parameters".format(n)
        measure("adam", "torch", shape, "bytes", 28.0 * n, opt.step, check_adam,
                "torch.optim.Adam(fused=True)" if fused else "torch.optim.Adam (not fused: the CPU)")
        del p, opt
        copy_ceiling("adam", shape, round(28.0 * n / 8))

    guard("adam", adam)

    def softmax():
        rows_, cols = sz["sm"]
        x = rand(rows_, cols)
        y = torch.empty_like(x)

        def check_softmax():
            y.fill_(float("nan"))
            y.copy_(F.softmax(x, dim=1))
            e = rel_error(y, torch.softmax(x.double(), dim=1))
            return None if e <= 1e-5 else "softmax: relative error %.3g > 1e-5" % e
        shape = "(%d, %d)" % (rows_, cols)
        measure("softmax", "torch", shape, "bytes", 8.0 * rows_ * cols, lambda: F.softmax(x, dim=1), check_softmax,
                "F.softmax(x, dim=1)")
        del x, y
        copy_ceiling("softmax", shape, rows_ * cols)

    guard("softmax", softmax)

    def batch_norm():
        bn_n, bn_c, bn_h = sz["bn"]
        x = rand(bn_n, bn_c, bn_h, bn_h)
        gamma, beta = rand(bn_c), rand(bn_c)
        rm, rv = torch.zeros(bn_c, device=device), torch.ones(bn_c, device=device)
        bn = lambda: F.batch_norm(x, rm, rv, gamma, beta, training=True, momentum=0.1, eps=1e-5)  # noqa: E731

        def check_bn():
            y = bn()
            xd = x.double()
            mean, var = xd.mean(dim=(0, 2, 3), keepdim=True), xd.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
            ref = (xd - mean) / (var + 1e-5).sqrt() * gamma.double().view(1, -1, 1, 1) + beta.double().view(1, -1, 1, 1)
            e = rel_error(y, ref)
            return None if e <= 1e-5 else "batch norm: relative error %.3g > 1e-5" % e
        shape = "(%d, %d, %d, %d)" % (bn_n, bn_c, bn_h, bn_h)
        numel = bn_n * bn_c * bn_h * bn_h
        measure("batchNorm", "torch", shape, "bytes", 8.0 * numel, bn, check_bn,
                "F.batch_norm(training=True): batch statistics, then normalize")
        del x
        copy_ceiling("batchNorm", shape, numel)

    guard("batchNorm", batch_norm)

    def lenet_step():
        # jgrad's Models.lenet(): conv 5x5 pad 2, sigmoid, avg-pool 2, conv 5x5, sigmoid, avg-pool 2,
        # three linear layers with sigmoid between; cross-entropy; Adam. Eager mode, no host read.
        nn = torch.nn
        torch.manual_seed(42)
        model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2),
                              nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2), nn.Flatten(),
                              nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
                              nn.Linear(84, 10)).to(device)
        fused = device.type == "cuda"
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, **({"fused": True} if fused else {}))
        batch = sz["lenet"]
        x = rand(batch, 1, 28, 28)
        y = (torch.arange(batch, device=device) % 10)

        def step():
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()

        def check_falls():
            losses = []
            for _ in range(20):
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                losses.append(float(loss))
            ok = math.isfinite(losses[-1]) and losses[-1] < losses[0]
            return None if ok else "lenet step: the loss did not fall over 20 steps: %g -> %g" % (losses[0], losses[-1])
        measure("lenetStep", "torch", "batch %d" % batch, "images", float(batch), step, check_falls,
                "LeNet (sigmoid, avg-pool), cross-entropy, backward, Adam%s; eager" % (" (fused)" if fused else ""))

    guard("lenetStep", lenet_step)

    with open(args.out, "w") as f:
        f.write("# device: %s\n# size: %s\n%s\n" % (what, args.size, HEADER))
        for r in rows:
            f.write("\t".join(r) + "\n")
    note = "every op matched float64 and was timed" if failures == 0 else "%d measurement(s) failed" % failures
    print("wrote %s" % args.out)
    print("check: torch: %s: %s" % ("ok" if failures == 0 else "failed", note))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
