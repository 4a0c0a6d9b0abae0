#!/usr/bin/env python3
"""PyTorch BatchNorm state dicts, saved as PyTorch saves them, for BatchNormStateTest.java.

What it makes, under tests/src/test/resources/pytorch/:
- batchnorm{1,2,3}d.safetensors: the state_dict() of torch.nn.BatchNorm1d(3) / BatchNorm2d(3) /
  BatchNorm3d(2) after a few training steps, in the safetensors layout with PyTorch's own dtypes:
  weight, bias, running_mean, running_var as F32, num_batches_tracked as an I64 scalar (shape []).
  The safetensors package is not in Debian, so the layout is written here by hand (8-byte
  little-endian header length, JSON header padded with spaces to a multiple of 8, the data).
- batchnorm{1,2,3}d_io.safetensors: an input "x" and PyTorch's evaluation-mode output "y" of that
  module, both F32, and its "train_y", the output of one more training-mode step on "x".

Rerun by hand from the repository root (Debian's python3-torch):

    /usr/bin/python3 tests/src/test/python/gen_batchnorm_state.py

Fixed seeds: rerunning with the same torch gives the same files.
"""
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join("tests", "src", "test", "resources", "pytorch")
DTYPES = {torch.float32: ("F32", np.float32), torch.int64: ("I64", np.int64)}


def save(path, tensors):
    header, blobs, at = {}, [], 0
    for name, t in tensors.items():
        code, np_type = DTYPES[t.dtype]
        data = t.detach().contiguous().numpy().astype(np_type).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [at, at + len(data)]}
        blobs.append(data)
        at += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text.encode("utf-8"))
        for b in blobs:
            f.write(b)


def make(name, module, shape):
    torch.manual_seed(14)
    with torch.no_grad():
        module.weight.copy_(torch.rand(module.num_features) + 0.5)
        module.bias.copy_(torch.randn(module.num_features))
    module.train()
    for _ in range(3):
        module(torch.randn(*shape) * 2 + 1)
    save(os.path.join(OUT, name + ".safetensors"), module.state_dict())
    x = torch.randn(*shape)
    module.eval()
    with torch.no_grad():
        y = module(x)
        module.train()
        train_y = module(x)
    save(os.path.join(OUT, name + "_io.safetensors"), {"x": x, "y": y, "train_y": train_y})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    make("batchnorm1d", torch.nn.BatchNorm1d(3), (4, 3, 5))
    make("batchnorm2d", torch.nn.BatchNorm2d(3), (2, 3, 4, 5))
    make("batchnorm3d", torch.nn.BatchNorm3d(2), (2, 2, 3, 4, 3))
    print("torch", torch.__version__, "wrote", sorted(os.listdir(OUT)))
