#!/usr/bin/env python3
"""PyTorch's answers for the issue-14 layers and ops, for PyTorchLayersTest.java.

Writes tests/src/test/resources/pytorch/layers_golden.safetensors (all F32; indices stored as
floats, as jgrad keeps them), with for each case its inputs, PyTorch's output and the gradients of
sum(output * r) for a random r (also saved):
- emb_*: nn.Embedding(7, 4, padding_idx=2) on indices (3, 5) with repeats and the padding index;
- prelu_*: nn.PReLU(3, init 0.2 then perturbed) on (2, 3, 4);
- act_<name>_*: GELU (exact and tanh), SiLU, ELU(1.3), LeakyReLU(0.07), Softplus(1.5, 4) on 64
  values including 0, large and small;
- pad_<mode>_*: F.pad of (2, 3, 4, 5) by (1, 2, 2, 1) in reflect, replicate, circular and
  constant 0.5;
- gather_*, scatter_*, cat_*: torch.gather, Tensor.scatter_add and torch.cat.

Rerun by hand from the repository root (Debian's python3-torch): same seed, same file.

    /usr/bin/python3 tests/src/test/python/gen_layers_golden.py
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join("tests", "src", "test", "resources", "pytorch", "layers_golden.safetensors")


def save(path, tensors):
    header, blobs, at = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().float().numpy().astype(np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [at, at + len(data)]}
        blobs.append(data)
        at += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text.encode())
        for b in blobs:
            f.write(b)


def main():
    torch.manual_seed(14)
    out = {}

    def record(prefix, inputs, fn):
        """inputs: name -> tensor (float ones get gradients); fn(**inputs) -> output."""
        leaves = {k: (v.clone().requires_grad_(True) if v.is_floating_point() and not k.startswith("idx") else v)
                  for k, v in inputs.items()}
        y = fn(**leaves)
        r = torch.randn_like(y)
        (y * r).sum().backward()
        for k, v in inputs.items():
            out[prefix + "_" + k] = v.float()
            if leaves[k].requires_grad:
                out[prefix + "_grad_" + k] = leaves[k].grad
        out[prefix + "_r"] = r
        out[prefix + "_y"] = y

    emb = torch.nn.Embedding(7, 4, padding_idx=2)
    idx = torch.tensor([[0, 2, 5, 5, 6], [1, 2, 3, 0, 0], [6, 6, 6, 4, 2]])
    w0 = emb.weight.detach().clone()
    record("emb", {"weight": w0, "idx": idx},
           lambda weight, idx: F.embedding(idx, weight, padding_idx=2))

    prelu_w = 0.2 + 0.1 * torch.randn(3)
    record("prelu", {"x": torch.randn(2, 3, 4), "weight": prelu_w}, lambda x, weight: F.prelu(x, weight))

    xs = torch.cat([torch.tensor([0.0, -1e-4, 1e-4, 3.0, -3.0, 8.0, -8.0, 2.7]), 2 * torch.randn(56)])
    acts = {
        "gelu": lambda x: F.gelu(x),
        "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
        "silu": lambda x: F.silu(x),
        "elu": lambda x: F.elu(x, 1.3),
        "leaky": lambda x: F.leaky_relu(x, 0.07),
        "softplus": lambda x: F.softplus(x, 1.5, 4.0),
    }
    for name, fn in acts.items():
        record("act_" + name, {"x": xs}, lambda x, fn=fn: fn(x))

    px = torch.randn(2, 3, 4, 5)
    for mode in ["reflect", "replicate", "circular"]:
        record("pad_" + mode, {"x": px}, lambda x, mode=mode: F.pad(x, (1, 2, 2, 1), mode=mode))
    record("pad_constant", {"x": px}, lambda x: F.pad(x, (1, 2, 2, 1), value=0.5))

    gx = torch.randn(4, 6)
    gi = torch.randint(0, 6, (4, 3))
    record("gather", {"x": gx, "idx": gi}, lambda x, idx: torch.gather(x, 1, idx))
    si = torch.randint(0, 5, (6, 3))
    record("scatter", {"self": torch.randn(5, 4), "idx": si, "src": torch.randn(6, 3)},
           lambda self, idx, src: self.scatter_add(0, idx, src))
    record("cat", {"a": torch.randn(2, 3), "b": torch.randn(2, 5)}, lambda a, b: torch.cat([a, b], 1))

    save(OUT, out)
    print("wrote", OUT, len(out), "tensors")


if __name__ == "__main__":
    main()
