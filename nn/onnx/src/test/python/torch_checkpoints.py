#!/usr/bin/python3
"""Checkpoints shared between jgrad and real PyTorch, both ways (run by hand, not in CI).

    ./jgrad train --model lenet --epochs 10 --train-limit 6000 --val-fraction 0 --device cpu \
        --save tests/src/test/resources/torch-interop/jgrad-lenet.safetensors
    ./jgrad train --model lenet-bn --epochs 3 --train-limit 6000 --val-fraction 0 --device cpu \
        --save tests/src/test/resources/torch-interop/jgrad-lenet-bn.safetensors
    /usr/bin/python3 nn/onnx/src/test/python/torch_checkpoints.py [DIR]

DIR defaults to tests/src/test/resources/torch-interop. It writes, with Debian's PyTorch 1.13
(the safetensors layout read and written by hand below, no package needed):
  inputs.safetensors        the first 64 Fashion-MNIST test images, normalized with the jgrad
                            checkpoint's normalize_mean/std ("images" (64, 1, 28, 28)), their labels
and for MODEL in lenet, lenet-bn (jgrad's Models.lenet() and Models.lenetBatchNorm()):
  jgrad-MODEL.torch.safetensors
                            PyTorch's logits and argmax predictions of jgrad's checkpoint, loaded
                            with load_state_dict(strict=True) into the torch.nn model below
  torch-MODEL.safetensors   a state dict trained by PyTorch (200 Adam steps on 2,000 training
                            images), in the layout of train --save (metadata model=MODEL)
  torch-MODEL.logits.safetensors
                            PyTorch's logits and predictions of it on the inputs
  results.txt               the agreement found here, for the record
The Java test (tests/src/test/java/dev/jgrad/tests/onnx/TorchCheckpointTest.java) loads both
checkpoints into jgrad's model and checks it gives PyTorch's logits and predictions.
BatchNorm's num_batches_tracked: jgrad's BatchNorm now keeps it and torch's state dict loads into
jgrad as it is. The committed jgrad-lenet-bn checkpoint was written before jgrad had the buffer, so
for torch's strict load with_batches_tracked still adds it (as 0) where a jgrad file lacks it; a
checkpoint saved by today's jgrad has it and passes through unchanged. Not Models.mlp: its checkpoint is 800 KB a file, too large to commit both ways.
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "../../../../../tests/src/test/resources/torch-interop")
DATA = "/usr/share/datasets/fashion-mnist"
N = 64


def read_safetensors(path):
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        assert e["dtype"] == "F32", (path, name, e["dtype"])
        lo, hi = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(b[8 + n + lo:8 + n + hi], dtype="<f4").copy()).reshape(e["shape"])
    return out, meta


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def idx(path):
    with gzip.open(path, "rb") as f:
        b = f.read()
    dims = b[3]
    shape = struct.unpack(">" + "I" * dims, b[4:4 + 4 * dims])
    return np.frombuffer(b[4 + 4 * dims:], dtype=np.uint8).reshape(shape)


def lenet():
    """jgrad's Models.lenet(), module for module: the state-dict names are the same (0.weight ... 11.bias)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def lenet_bn():
    """jgrad's Models.lenetBatchNorm(): BatchNorm2d/1d (eps 1e-5, momentum 0.1) after each layer but the last."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.Sigmoid(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16), nn.Sigmoid(), nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))


MODELS = {"lenet": lenet, "lenet-bn": lenet_bn}


def with_batches_tracked(state, net):
    """A jgrad checkpoint from before jgrad's BatchNorm kept num_batches_tracked lacks the entry; a
    strict load into torch.nn needs it (only training reads it): 0 is given where it is absent."""
    out = dict(state)
    for k in net.state_dict():
        if k.endswith("num_batches_tracked") and k not in out:
            out[k] = torch.tensor(0, dtype=torch.long)
    return out


def main():
    _, meta = read_safetensors(os.path.join(DIR, "jgrad-lenet.safetensors"))
    mean, std = float(meta["normalize_mean"]), float(meta["normalize_std"])
    images = torch.from_numpy(idx(DATA + "/t10k-images-idx3-ubyte.gz")[:N].astype(np.float32) / np.float32(255))
    images = ((images - mean) / std).reshape(N, 1, 28, 28)
    labels = torch.from_numpy(idx(DATA + "/t10k-labels-idx1-ubyte.gz")[:N].astype(np.float32))
    write_safetensors(os.path.join(DIR, "inputs.safetensors"), {"images": images, "labels": labels},
                      {"source": "Fashion-MNIST t10k images 0..%d, normalized with the mean/std of jgrad-lenet" % (N - 1)})
    lines = []

    for name, build in MODELS.items():
        # jgrad -> PyTorch
        jstate, jmeta = read_safetensors(os.path.join(DIR, "jgrad-%s.safetensors" % name))
        assert jmeta.get("model") == name and float(jmeta["normalize_mean"]) == mean, jmeta
        net = build().eval()
        net.load_state_dict(with_batches_tracked(jstate, net), strict=True)
        with torch.no_grad():
            logits = net(images)
        pred = logits.argmax(1)
        write_safetensors(os.path.join(DIR, "jgrad-%s.torch.safetensors" % name), {"logits": logits, "predictions": pred.float()},
                          {"source": "torch %s: jgrad-%s.safetensors in torch.nn, on inputs.safetensors" % (torch.__version__, name)})
        lines.append("jgrad -> torch, %s: jgrad-%s.safetensors loads into torch.nn (strict); accuracy on %d test images %.4f"
                     % (name, name, N, (pred.float() == labels).float().mean().item()))

        # PyTorch -> jgrad
        torch.manual_seed(7)
        tnet = build()
        train_x = torch.from_numpy(idx(DATA + "/train-images-idx3-ubyte.gz")[:2000].astype(np.float32) / np.float32(255))
        train_x = ((train_x - mean) / std).reshape(-1, 1, 28, 28)
        train_y = torch.from_numpy(idx(DATA + "/train-labels-idx1-ubyte.gz")[:2000].astype(np.int64))
        opt = torch.optim.Adam(tnet.parameters(), lr=2e-3)
        for step in range(200):
            i = torch.randint(0, 2000, (64,))
            opt.zero_grad()
            nn.functional.cross_entropy(tnet(train_x[i]), train_y[i]).backward()
            opt.step()
        tnet.eval()
        with torch.no_grad():
            tlogits = tnet(images)
        tpred = tlogits.argmax(1)
        # the whole state dict, num_batches_tracked included (as F32, the one dtype jgrad reads)
        write_safetensors(os.path.join(DIR, "torch-%s.safetensors" % name), dict(tnet.state_dict()),
                          {"format": "pt", "model": name, "normalize_mean": repr(mean), "normalize_std": repr(std),
                           "source": "torch %s: 200 Adam steps on 2,000 Fashion-MNIST training images" % torch.__version__})
        write_safetensors(os.path.join(DIR, "torch-%s.logits.safetensors" % name), {"logits": tlogits, "predictions": tpred.float()},
                          {"source": "torch %s: torch-%s.safetensors on inputs.safetensors" % (torch.__version__, name)})
        lines.append("torch -> jgrad, %s: torch-%s.safetensors written; accuracy on %d test images %.4f"
                     % (name, name, N, (tpred.float() == labels).float().mean().item()))
    with open(os.path.join(DIR, "results.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
