#!/usr/bin/env python3
"""PyTorch's answers for jgrad's convolution layers (issue 14 item 1), for PyTorchConvLayersTest.java.

Writes tests/src/test/resources/pytorch/conv_golden.safetensors (all F32). For each case, a real
torch.nn layer with its default initialisation; saved are the layer's state dict under
"<case>.weight" / "<case>.bias" (PyTorch's names and layouts), the input "<case>_x", the output
"<case>_y", a random "<case>_r" and the gradients of sum(y * r) with respect to the input
("<case>_grad_x") and the parameters ("<case>_grad_weight", "<case>_grad_bias"):
- conv1d: Conv1d(4, 6, 3, padding=2, dilation=2, groups=2) on (2, 4, 11)
- conv2d_depthwise: Conv2d(3, 6, (3, 2), stride=(2, 1), padding=(1, 0), groups=3) on (2, 3, 8, 7)
- conv2d_unbatched: Conv2d(2, 3, 3, padding=1, bias=False) on an unbatched (2, 5, 6)
- conv3d: Conv3d(2, 4, (2, 3, 2), stride=(1, 2, 1), padding=(1, 1, 0), dilation=(2, 1, 1)) on (1, 2, 5, 6, 4)
- convT1d: ConvTranspose1d(3, 4, 4, stride=3, padding=1, output_padding=2) on (2, 3, 5)
- convT2d: ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2) on (2, 4, 4, 5)
- convT2d_dilated: ConvTranspose2d(2, 3, (2, 3), stride=(2, 1), padding=(0, 1), dilation=2) on (1, 2, 3, 4)
- convT3d: ConvTranspose3d(2, 2, 2, stride=2, bias=False) on (1, 2, 2, 3, 2)

Rerun by hand from the repository root (Debian's python3-torch): same seed, same file.

    /usr/bin/python3 tests/src/test/python/gen_conv_golden.py
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join("tests", "src", "test", "resources", "pytorch", "conv_golden.safetensors")


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


CASES = {
    "conv1d": (lambda: nn.Conv1d(4, 6, 3, padding=2, dilation=2, groups=2), (2, 4, 11)),
    "conv2d_depthwise": (lambda: nn.Conv2d(3, 6, (3, 2), stride=(2, 1), padding=(1, 0), groups=3), (2, 3, 8, 7)),
    "conv2d_unbatched": (lambda: nn.Conv2d(2, 3, 3, padding=1, bias=False), (2, 5, 6)),
    "conv3d": (lambda: nn.Conv3d(2, 4, (2, 3, 2), stride=(1, 2, 1), padding=(1, 1, 0), dilation=(2, 1, 1)), (1, 2, 5, 6, 4)),
    "convT1d": (lambda: nn.ConvTranspose1d(3, 4, 4, stride=3, padding=1, output_padding=2), (2, 3, 5)),
    "convT2d": (lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2), (2, 4, 4, 5)),
    "convT2d_dilated": (lambda: nn.ConvTranspose2d(2, 3, (2, 3), stride=(2, 1), padding=(0, 1), dilation=2), (1, 2, 3, 4)),
    "convT3d": (lambda: nn.ConvTranspose3d(2, 2, 2, stride=2, bias=False), (1, 2, 2, 3, 2)),
}


def main():
    torch.manual_seed(141)
    out = {}
    for name, (make, shape) in CASES.items():
        layer = make()
        x = torch.randn(*shape, requires_grad=True)
        y = layer(x)
        r = torch.randn_like(y)
        (y * r).sum().backward()
        for k, v in layer.state_dict().items():
            out[name + "." + k] = v
        out[name + "_x"] = x
        out[name + "_y"] = y
        out[name + "_r"] = r
        out[name + "_grad_x"] = x.grad
        out[name + "_grad_weight"] = layer.weight.grad
        if layer.bias is not None:
            out[name + "_grad_bias"] = layer.bias.grad
    save(OUT, out)
    print("wrote", OUT, len(out), "tensors")


if __name__ == "__main__":
    main()
