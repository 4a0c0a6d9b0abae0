#!/usr/bin/env python3
"""PyTorch's answers for NaN and +/-Inf inputs, as committed test data for NanInfTest.java.

What it makes: one JSON file per op under tests/conformance/src/main/resources/naninf/ (maximum, minimum,
clamp, abs, relu, max_dim, argmax, max_pool2d, softmax, log_softmax). Each file holds the torch
version and a list of cases; a case has its inputs, its parameters in jgrad's terms, the fixed
upstream gradient "grad_out" (where the op has a gradient) and what PyTorch computed: forward
output "y", indices, and the gradient of every input ("grad_<name>"). Only cases that jgrad's API
can express are generated (jgrad has no min/argmin reduction, so none are made for them).

Encoding: a tensor is {"shape": [...], "data": [...]} in row-major order; finite float32 values
are JSON numbers (written exactly, -0.0 included), NaN and the infinities are the strings "NaN",
"Infinity" and "-Infinity"; indices are JSON integers.

Where jgrad's documented rule differs from PyTorch's, the file says so and holds both answers:
max_pool2d in PyTorch 1.13 (CPU and CUDA kernels alike) keeps the LAST NaN of a window
(`val > max || isnan(val)`), while jgrad's contract (Backend.maxPool2d, TieBreakingTest) keeps the
FIRST, like PyTorch's own argmax and max(dim). For max_pool2d, "indices_torch"/"grad_x_torch" are
PyTorch's; "indices"/"grad_x" are derived here from PyTorch's output by the first-NaN rule (they
differ only in windows holding two or more NaNs) and are what NanInfTest checks.

Ties are left out of maximum/minimum gradients (PyTorch splits a tie's gradient in halves; jgrad
does too since issue 14, checked by TieBreakingTest): tied pairs appear in forward-only cases.

Rerun by hand from the repository root (Debian's python3-torch; a pyenv python may lack torch):

    /usr/bin/python3 tests/src/test/python/gen_naninf.py

The output is deterministic (fixed seeds), so rerunning with the same torch changes nothing.
"""

import json
import math
import os
import random
import sys

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "naninf")
NAN, INF = float("nan"), float("inf")
F = torch.float32


# ------------------------------------------------------------------ encoding

def enc_value(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v  # a float32 widened to float64 prints exactly and reads back exactly


def enc(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "data": [enc_value(v) for v in t.reshape(-1).tolist()]}


def tensor(values, shape):
    return torch.tensor(values, dtype=F).reshape(shape)


def upstream(shape):
    """The fixed upstream gradient: distinct-ish values in [0.5, 1.5] so that routing shows."""
    n = 1
    for s in shape:
        n *= s
    return tensor([1 + ((k * 37) % 17 - 8) / 16 for k in range(n)], shape)


# ------------------------------------------------------------------ inputs

SPECIAL = [NAN, INF, -INF]


def sprinkled(rng, n, p_nan=0.15, p_inf=0.15, lo=-4.0, hi=4.0):
    """n values: mostly finite, some NaN and +/-Inf, no two finite values equal."""
    out = []
    for _ in range(n):
        u = rng.random()
        if u < p_nan:
            out.append(NAN)
        elif u < p_nan + p_inf:
            out.append(INF if rng.random() < 0.5 else -INF)
        else:
            out.append(round(rng.uniform(lo, hi), 3) + rng.random() * 1e-3)
    return out


def untied(rng, a, b):
    """b changed where it equals a (a tie), so that gradients do not depend on the tie rule."""
    b = list(b)
    for i in range(len(a)):
        while b[i] == a[i]:  # NaN never equals anything, so NaN pairs stay
            b[i] = round(rng.uniform(-4, 4), 3) + 0.0005
    return b


# ------------------------------------------------------------------ ops

def binary_cases(fn):
    rng = random.Random(11)
    cases = []
    pairs = [(NAN, INF), (INF, NAN), (NAN, -INF), (-INF, NAN), (NAN, NAN), (NAN, 1.5), (1.5, NAN),
             (NAN, -0.0), (0.0, NAN), (INF, -INF), (-INF, INF), (INF, 3.0), (-INF, 3.0), (3.0, -INF),
             (3.0, INF), (-2.0, 2.0), (2.0, -2.0), (-0.0, 1.0), (0.0, -1.0)]
    # pad with finite untied pairs to 2.5 vectors of 16 lanes, repeating the special pairs so they
    # also land in vector bodies and tails
    while len(pairs) < 40:
        pairs.append(pairs[len(pairs) % 19] if len(pairs) % 3 else (rng.uniform(-3, 3), rng.uniform(-3, 3) + 7))
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    cases.append(("NaN and Inf pairs (40)", tensor(a, [40]), tensor(b, [40]), True))
    a = sprinkled(rng, 4 * 37)
    b = untied(rng, a, sprinkled(rng, 4 * 37))
    cases.append(("sprinkled (4, 37)", tensor(a, [4, 37]), tensor(b, [4, 37]), True))
    row = untied(rng, a[:37], sprinkled(rng, 37))
    row = untied(rng, a[37:74], row)
    row = untied(rng, a[74:111], row)
    row = untied(rng, a[111:], row)
    cases.append(("(4, 37) with a broadcast row (37)", tensor(a, [4, 37]), tensor(row, [37]), True))
    col = [NAN, INF, -INF, 0.25]
    a_col = list(a)  # untie against the column: no +Inf in row 1, no -Inf in row 2
    for k in range(37):
        if a_col[37 + k] == INF: a_col[37 + k] = -INF
        if a_col[74 + k] == -INF: a_col[74 + k] = INF
    cases.append(("(4, 37) with a broadcast column (4, 1)", tensor(a_col, [4, 37]), tensor(col, [4, 1]), True))
    ties_a = [-0.0, 0.0, -0.0, 0.0, INF, -INF, 2.0, NAN] * 5
    ties_b = [0.0, -0.0, -0.0, 0.0, INF, -INF, 2.0, NAN] * 5
    cases.append(("signed zeros, equal infinities, ties (forward only)", tensor(ties_a, [40]), tensor(ties_b, [40]), False))
    out = []
    for label, x, y, grad in cases:
        x = x.clone().requires_grad_(grad)
        y = y.clone().requires_grad_(grad)
        z = fn(x, y)
        c = {"name": label, "inputs": {"a": enc(x), "b": enc(y)}, "grad": grad, "outputs": {"y": enc(z)}}
        if grad:
            g = upstream(z.shape)
            z.backward(g)
            c["grad_out"] = enc(g)
            c["outputs"]["grad_a"] = enc(x.grad)
            c["outputs"]["grad_b"] = enc(y.grad)
        out.append(c)
    return out


def unary_values():
    rng = random.Random(23)
    base = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 6.0, 7.5, -3.0, 2.0, NAN, NAN]
    rest = sprinkled(rng, 45 - len(base))
    return base + rest + [NAN, -INF, INF]  # the last three land in a vector tail


def unary_cases(fn, params_list):
    x0 = unary_values()
    out = []
    for params in params_list:
        x = tensor(x0, [len(x0)]).requires_grad_(True)
        y = fn(x, params)
        g = upstream(y.shape)
        y.backward(g)
        label = "NaN, +-Inf, +-0 (%d)" % len(x0)
        if params:
            label = "%s %s" % (label, ", ".join("%s=%s" % kv for kv in params.items()))
        out.append({"name": label, "params": {k: enc_value(v) for k, v in params.items()},
                    "inputs": {"x": enc(x)}, "grad": True, "grad_out": enc(g),
                    "outputs": {"y": enc(y), "grad_x": enc(x.grad)}})
    # the same values as a (3, 16) block, so that a 16-lane vector body sees every special value
    x = tensor((x0 * 2)[:48], [3, 16]).requires_grad_(True)
    params = params_list[0]
    y = fn(x, params)
    g = upstream(y.shape)
    y.backward(g)
    out.append({"name": "(3, 16) block" + (" " + ", ".join("%s=%s" % kv for kv in params.items()) if params else ""),
                "params": {k: enc_value(v) for k, v in params.items()},
                "inputs": {"x": enc(x)}, "grad": True, "grad_out": enc(g),
                "outputs": {"y": enc(y), "grad_x": enc(x.grad)}})
    return out


def reduction_inputs():
    rng = random.Random(37)
    r = 37
    rows = []
    def finite():
        return [round(rng.uniform(-5, 5), 3) + rng.random() * 1e-3 for _ in range(r)]
    row = finite(); row[0] = NAN; rows.append(row)                        # NaN first
    row = finite(); row[-1] = NAN; rows.append(row)                       # NaN last (tail)
    row = finite(); row[5] = NAN; row[17] = NAN; row[33] = NAN; rows.append(row)  # several NaNs
    rows.append([NAN] * r)                                                # all NaN
    row = finite(); row[3] = INF; row[20] = NAN; rows.append(row)         # +Inf before a NaN
    row = finite(); row[9] = NAN; row[30] = INF; rows.append(row)         # NaN before +Inf
    rows.append([-INF] * r)                                               # all -Inf
    row = finite(); row[4] = INF; row[21] = INF; rows.append(row)         # +Inf twice: the first wins
    row = [-INF] * r; row[26] = -2.5; rows.append(row)                    # -Inf and one number
    row = finite(); row[1] = -INF; row[16] = -INF; rows.append(row)       # finite with -Inf
    row = finite(); rows.append(row)                                      # plain
    row = [NAN if k % 2 else -INF for k in range(r)]; rows.append(row)    # -Inf, NaN alternating
    return rows


def max_cases(values_only):
    rng = random.Random(41)
    rows = reduction_inputs()
    n = len(rows)
    flat = [v for row in rows for v in row]
    cases = [("rows (%d, 37) along dim 1" % n, tensor(flat, [n, 37]), 1, False),
             ("rows as columns (37, %d) along dim 0" % n, tensor(flat, [n, 37]).t().contiguous(), 0, False),
             ("rows (%d, 37) along dim 1, keepdim" % n, tensor(flat, [n, 37]), 1, True)]
    mid = sprinkled(rng, 3 * 9 * 40, p_nan=0.04, p_inf=0.06)
    for k in range(40):  # column k of slab 0: an all-NaN and an all--Inf column, a NaN in the last row
        if k == 2:
            for j in range(9): mid[j * 40 + k] = NAN
        if k == 3:
            for j in range(9): mid[j * 40 + k] = -INF
        if k == 4:
            mid[8 * 40 + k] = NAN
    cases.append(("middle dim of (3, 9, 40)", tensor(mid, [3, 9, 40]), 1, False))
    long_row = [round(rng.uniform(-5, 5), 3) for _ in range(300)]
    long_row[150] = NAN
    long_row[200] = NAN
    long_row[10] = INF
    cases.append(("one row of 300, NaN at 150 and 200", tensor(long_row, [300]), 0, False))
    cases.append(("short rows (3, 5)", tensor([1, NAN, 2, NAN, 0, -INF, -INF, -INF, -INF, -INF,
                                               INF, 1, INF, NAN, 2], [3, 5]), 1, False))
    out = []
    for label, x, dim, keepdim in cases:
        x = x.clone().requires_grad_(not values_only)
        values, indices = torch.max(x, dim, keepdim=keepdim)
        c = {"name": label, "params": {"dim": dim, "keepdim": keepdim}, "inputs": {"x": enc(x)}}
        if values_only:
            c["grad"] = False
            c["outputs"] = {"indices": enc(torch.argmax(x.detach(), dim, keepdim=keepdim))}
        else:
            g = upstream(values.shape)
            values.backward(g)
            c["grad"] = True
            c["grad_out"] = enc(g)
            c["outputs"] = {"values": enc(values), "indices": enc(indices), "grad_x": enc(x.grad)}
        out.append(c)
    return out


def pool_cases():
    rng = random.Random(53)
    out = []
    specs = [("2x2 stride 2, (2, 3, 6, 10)", [2, 3, 6, 10], 2, 2, 0),
             ("2x2 stride 2, (1, 2, 8, 12)", [1, 2, 8, 12], 2, 2, 0),
             ("3x3 stride 1 padding 1, (1, 2, 7, 9)", [1, 2, 7, 9], 3, 1, 1),
             ("3x3 stride 2 padding 1, (2, 1, 7, 7)", [2, 1, 7, 7], 3, 2, 1),
             ("2x2 stride 1, (1, 1, 5, 6)", [1, 1, 5, 6], 2, 1, 0)]
    for label, shape, k, s, p in specs:
        n = shape[0] * shape[1] * shape[2] * shape[3]
        x0 = sprinkled(rng, n, p_nan=0.1, p_inf=0.15)
        w = shape[3]
        # plane 0 gets planted windows: all NaN, all -Inf, +Inf with NaN, two NaNs
        for iy, ix, v in [(0, 0, NAN), (0, 1, NAN), (1, 0, NAN), (1, 1, NAN),
                          (0, 2, -INF), (0, 3, -INF), (1, 2, -INF), (1, 3, -INF),
                          (2, 0, INF), (2, 1, NAN), (3, 0, 1.0), (3, 1, NAN),
                          (2, 2, 0.5), (2, 3, NAN), (3, 2, -1.0), (3, 3, NAN)]:
            x0[iy * w + ix] = v
        x = tensor(x0, shape).requires_grad_(True)
        y, idx = torch.nn.functional.max_pool2d(x, k, s, p, return_indices=True)
        g = upstream(y.shape)
        y.backward(g)
        # jgrad's rule: the first NaN of a window; elsewhere PyTorch's index (its first maximum)
        plane_in = shape[2] * shape[3]
        xs = x.detach().reshape(-1, plane_in)
        oh, ow = y.shape[2], y.shape[3]
        rule = idx.clone().reshape(-1, oh * ow)
        for pl in range(xs.shape[0]):
            for oy in range(oh):
                for ox in range(ow):
                    for ky in range(k):
                        iy = oy * s - p + ky
                        hit = None
                        for kx in range(k):
                            ix = ox * s - p + kx
                            if 0 <= iy < shape[2] and 0 <= ix < shape[3] and math.isnan(float(xs[pl, iy * shape[3] + ix])):
                                hit = iy * shape[3] + ix
                                break
                        if hit is not None:
                            rule[pl, oy * ow + ox] = hit
                            break
        rule = rule.reshape(idx.shape)
        grad_rule = torch.zeros(xs.shape, dtype=F)
        gflat = g.reshape(-1, oh * ow)
        rflat = rule.reshape(-1, oh * ow)
        for pl in range(xs.shape[0]):
            for o in range(oh * ow):
                grad_rule[pl, int(rflat[pl, o])] += gflat[pl, o]
        out.append({"name": label, "params": {"kernel": k, "stride": s, "padding": p},
                    "inputs": {"x": enc(x)}, "grad": True, "grad_out": enc(g),
                    "outputs": {"y": enc(y), "indices": enc(rule), "grad_x": enc(grad_rule.reshape(shape)),
                                "indices_torch": enc(idx), "grad_x_torch": enc(x.grad)}})
    return out


def softmax_cases(fn):
    rng = random.Random(67)
    rows = reduction_inputs()
    r = 37
    # rows of the softmax's own interest: one +Inf, +Inf and -Inf, all -Inf but one, large logits
    row = [round(rng.uniform(-5, 5), 3) for _ in range(r)]; row[12] = INF; rows.append(row)
    row = [round(rng.uniform(-5, 5), 3) for _ in range(r)]; row[0] = INF; row[36] = -INF; rows.append(row)
    row = [round(rng.uniform(-5, 5), 3) for _ in range(r)]; row[7] = INF; row[8] = NAN; row[9] = -INF; rows.append(row)
    row = [round(rng.uniform(-5, 5), 3) * 1000 for _ in range(r)]; row[30] = -INF; rows.append(row)
    n = len(rows)
    flat = [v for row in rows for v in row]
    cases = [("rows (%d, 37) along dim 1" % n, tensor(flat, [n, 37]), 1),
             ("rows as columns (37, %d) along dim 0" % n, tensor(flat, [n, 37]).t().contiguous(), 0),
             ("short rows (4, 5) along dim 1", tensor([1, NAN, 2, 3, 0, -INF, -INF, -INF, -INF, -INF,
                                                       INF, 1, 2, 3, 4, -INF, 0, -INF, 1, -INF], [4, 5]), 1)]
    mid = sprinkled(rng, 2 * 6 * 40, p_nan=0.03, p_inf=0.05)
    cases.append(("middle dim of (2, 6, 40)", tensor(mid, [2, 6, 40]), 1))
    out = []
    for label, x, dim in cases:
        x = x.clone().requires_grad_(True)
        y = fn(x, dim)
        g = upstream(y.shape)
        y.backward(g)
        out.append({"name": label, "params": {"dim": dim}, "inputs": {"x": enc(x)}, "grad": True,
                    "grad_out": enc(g), "outputs": {"y": enc(y), "grad_x": enc(x.grad)}})
    return out


# ------------------------------------------------------------------ main

def dump(v, indent=0):
    """JSON with one line per tensor: objects are indented, lists of numbers stay on one line."""
    pad = " " * indent
    if isinstance(v, dict) and not v:
        return "{}"
    if isinstance(v, dict):
        items = ['%s "%s": %s' % (pad, k, dump(x, indent + 1)) for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, list) and any(isinstance(x, dict) for x in v):
        return "[\n" + ",\n".join(pad + " " + dump(x, indent + 1) for x in v) + "\n" + pad + "]"
    return json.dumps(v, allow_nan=False)


NOTES = {
    "maximum": "torch.maximum(a, b); NaN in either operand gives NaN and both operands get the gradient",
    "minimum": "torch.minimum(a, b); NaN in either operand gives NaN and both operands get the gradient",
    "clamp": "torch.clamp(x, min, max) = jgrad x.clamp(min, max); gradient 1 where min <= x <= max, 0 at NaN",
    "abs": "torch.abs(x); gradient grad * sgn(x), with sgn(NaN) = sgn(+-0) = 0",
    "relu": "torch.relu(x); relu(NaN) = NaN and its gradient passes (PyTorch tests the output: y <= 0 ? 0 : g)",
    "max_dim": "values, indices = torch.max(x, dim, keepdim) = jgrad x.max(dim, keepdim); the first NaN wins",
    "argmax": "torch.argmax(x, dim, keepdim) = jgrad x.argmax(dim, keepdim); the first NaN wins",
    "max_pool2d": ("torch.nn.functional.max_pool2d(x, kernel, stride, padding, return_indices=True) = jgrad "
                   "x.maxPool2d(kernel, stride, padding); indices are flat iy * W + ix within a plane. "
                   "PyTorch keeps the LAST NaN of a window: indices_torch/grad_x_torch. jgrad keeps the FIRST: "
                   "indices/grad_x, derived from PyTorch's output by that rule (NanInfTest checks these)"),
    "softmax": "torch.softmax(x, dim); a NaN or a +Inf makes its row NaN, -Inf gives 0, an all -Inf row is NaN",
    "log_softmax": "torch.log_softmax(x, dim); a NaN or a +Inf makes its row NaN, -Inf stays -Inf, an all -Inf row is NaN",
}


def main():
    ops = {
        "maximum": binary_cases(torch.maximum),
        "minimum": binary_cases(torch.minimum),
        "clamp": unary_cases(lambda x, p: torch.clamp(x, p["min"], p["max"]),
                             [{"min": -1.0, "max": 1.0}, {"min": 0.0, "max": 6.0}, {"min": 2.0, "max": 2.0},
                              {"min": -INF, "max": 0.0}]),
        "abs": unary_cases(lambda x, p: torch.abs(x), [{}]),
        "relu": unary_cases(lambda x, p: torch.relu(x), [{}]),
        "max_dim": max_cases(values_only=False),
        "argmax": max_cases(values_only=True),
        "max_pool2d": pool_cases(),
        "softmax": softmax_cases(torch.softmax),
        "log_softmax": softmax_cases(torch.log_softmax),
    }
    os.makedirs(OUT, exist_ok=True)
    for op, cases in ops.items():
        doc = {"op": op, "torch_version": torch.__version__, "generator": "tests/src/test/python/gen_naninf.py",
               "note": NOTES[op], "cases": cases}
        path = os.path.join(OUT, op + ".json")
        with open(path, "w") as f:
            f.write(dump(doc) + "\n")
        print("%-12s %2d cases -> %s" % (op, len(cases), os.path.relpath(path)))
    print("torch", torch.__version__, file=sys.stderr)


if __name__ == "__main__":
    main()
