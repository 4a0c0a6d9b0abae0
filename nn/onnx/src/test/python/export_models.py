#!/usr/bin/python3
"""Exports the ONNX test graphs of jgrad-onnx with real PyTorch (run by hand, not in CI).

    /usr/bin/python3 nn/onnx/src/test/python/export_models.py [OUT_DIR [CASE...]]

OUT_DIR defaults to tests/src/test/resources/onnx; naming cases after it exports only those. For every case it writes NAME.onnx (from
torch.onnx.export) and NAME.safetensors holding the graph's inputs x0, x1, ... and PyTorch's
outputs y0, y1, ... (float32, the safetensors layout written by hand below, no package needed).
The Java test (tests/src/test/java/dev/jgrad/onnx/OnnxImportTest.java) runs every committed graph
and lists the ones expected to fail as unsupported. Debian's python3-torch 1.13 and python3-onnx.
"""
import json
import os
import struct
import sys
import zlib

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "../../../../../tests/src/test/resources/onnx")


def save_safetensors(path, tensors, metadata=None):
    """The safetensors layout: 8-byte little-endian header length, JSON header, raw F32 data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


class Fn(nn.Module):
    """A single-op graph: forward is the given function of the inputs."""

    def __init__(self, fn, **params):
        super().__init__()
        self.fn = fn
        for k, v in params.items():
            if isinstance(v, nn.Module):
                self.add_module(k, v)
            else:
                self.register_buffer(k, v)

    def forward(self, *xs):
        return self.fn(self, *xs)


CASES = []


def case(name, module, *shapes, opset=13, dynamic=None, positive=False, inputs=None):
    CASES.append((name, module, shapes, opset, dynamic, positive, inputs))


def randomize_bn(m):
    for mod in m.modules():
        if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.InstanceNorm2d, nn.LayerNorm)):
            with torch.no_grad():
                if getattr(mod, "weight", None) is not None:
                    mod.weight.uniform_(0.5, 1.5)
                    mod.bias.uniform_(-0.5, 0.5)
                if getattr(mod, "running_mean", None) is not None:
                    mod.running_mean.uniform_(-0.5, 0.5)
                    mod.running_var.uniform_(0.5, 2.0)
    return m


def define():
    torch.manual_seed(14)
    # elementwise, broadcasting, awkward shapes
    case("add", Fn(lambda s, a, b: a + b), (3, 1, 5), (4, 5))
    case("sub", Fn(lambda s, a, b: a - b), (2, 7), (7,))
    case("mul", Fn(lambda s, a, b: a * b), (1, 3, 5), (2, 1, 5))
    case("div", Fn(lambda s, a, b: a / (b.abs() + 0.5)), (3, 5), (3, 5))
    case("pow", Fn(lambda s, a, b: torch.pow(a.abs() + 0.1, b)), (3, 5), (3, 5))
    case("max", Fn(lambda s, a, b: torch.maximum(a, b)), (4, 3), (4, 3))
    case("min", Fn(lambda s, a, b: torch.minimum(a, b)), (4, 1), (4, 3))
    case("neg", Fn(lambda s, a: -a), (5, 3))
    case("exp", Fn(lambda s, a: torch.exp(a)), (2, 3, 7))
    case("log", Fn(lambda s, a: torch.log(a.abs() + 0.1)), (9,))
    case("sqrt", Fn(lambda s, a: torch.sqrt(a.abs())), (3, 3))
    case("abs", Fn(lambda s, a: torch.abs(a)), (7, 1))
    case("reciprocal", Fn(lambda s, a: torch.reciprocal(a.abs() + 0.5)), (6,))
    case("relu", nn.ReLU(), (2, 3, 5))
    case("sigmoid", nn.Sigmoid(), (2, 9))
    case("tanh", nn.Tanh(), (3, 7))
    case("clip", Fn(lambda s, a: torch.clamp(a, -0.5, 0.7)), (4, 5))
    case("clip_min", Fn(lambda s, a: torch.clamp(a, min=0.2)), (4, 5))
    case("constant", Fn(lambda s, a: a * torch.tensor([1.5, -2.0, 0.25])), (2, 3))
    # activations of item 3
    case("silu", nn.SiLU(), (3, 5))
    case("leaky_relu", nn.LeakyReLU(0.07), (3, 5))
    case("prelu", nn.PReLU(3, 0.3), (2, 3, 4))
    case("gelu", nn.GELU(), (3, 5))
    case("elu", nn.ELU(0.8), (3, 5))
    case("softplus", nn.Softplus(), (3, 5))
    # linear algebra
    case("gemm", nn.Linear(7, 5), (3, 7))
    case("gemm_nobias", nn.Linear(6, 4, bias=False), (5, 6))
    case("matmul", Fn(lambda s, a, b: a @ b), (2, 3, 5), (5, 4))
    case("matmul_batched", Fn(lambda s, a, b: a @ b), (2, 1, 3, 5), (3, 5, 2))
    # convolution (item 1)
    case("conv2d", nn.Conv2d(3, 5, (3, 2), stride=(2, 1), padding=(1, 0)), (2, 3, 9, 7))
    case("conv2d_grouped", nn.Conv2d(4, 6, 3, padding=1, groups=2), (1, 4, 5, 6))
    case("conv2d_depthwise", nn.Conv2d(3, 3, 3, groups=3, bias=False), (2, 3, 7, 5))
    case("conv2d_dilated", nn.Conv2d(2, 3, 3, dilation=2), (1, 2, 9, 8))
    # asymmetric padding (what padding="same" gives an even kernel; torch 1.13 cannot export "same" itself)
    case("conv2d_asym_pad", Fn(lambda s, a: s.conv(F.pad(a, (1, 2, 0, 1))), conv=nn.Conv2d(2, 3, (2, 4))), (1, 2, 5, 7))
    case("conv1d", nn.Conv1d(3, 4, 3, padding=1, stride=2), (2, 3, 11))
    case("conv3d", nn.Conv3d(2, 3, 3, padding=1), (1, 2, 4, 5, 3))
    case("conv_transpose2d", nn.ConvTranspose2d(3, 2, 3, stride=2), (1, 3, 4, 5))
    case("conv1d_dilated_grouped", nn.Conv1d(4, 6, 3, dilation=2, groups=2, padding=2), (2, 4, 13))
    case("conv3d_grouped_strided", nn.Conv3d(4, 4, (2, 3, 1), stride=(1, 2, 1), padding=(1, 0, 0), groups=2), (1, 4, 5, 6, 3))
    case("conv3d_asym_pad", Fn(lambda s, a: s.conv(F.pad(a, (0, 1, 1, 0, 2, 1))), conv=nn.Conv3d(2, 3, (2, 2, 3))), (1, 2, 3, 4, 5))
    case("conv_transpose1d", nn.ConvTranspose1d(3, 4, 4, stride=3, padding=1, output_padding=2), (2, 3, 6))
    case("conv_transpose2d_grouped_dilated", nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dilation=2),
         (1, 4, 5, 4))
    case("conv_transpose3d", nn.ConvTranspose3d(2, 3, (2, 3, 2), stride=(2, 1, 2), padding=(0, 1, 1)), (1, 2, 3, 4, 3))
    case("erf", Fn(lambda s, a: torch.erf(a)), (4, 7))
    case("gelu_tanh", nn.GELU(approximate="tanh"), (3, 5))
    # a node type jgrad does not map (CumSum): the rejection tests load it
    case("cumsum", Fn(lambda s, a: torch.cumsum(a, 1)), (3, 4))
    # pooling (item 2)
    case("maxpool2d", nn.MaxPool2d(3, stride=2, padding=1), (2, 3, 9, 8))
    case("maxpool2d_rect", nn.MaxPool2d((3, 2), stride=(2, 1), padding=(1, 0)), (2, 3, 9, 8))
    case("maxpool2d_ceil", nn.MaxPool2d(2, ceil_mode=True), (1, 2, 7, 5))
    case("maxpool2d_dilated", nn.MaxPool2d(2, dilation=2), (1, 2, 7, 6))
    case("maxpool1d", nn.MaxPool1d(3, stride=2, padding=1), (2, 3, 10))
    case("maxpool3d", nn.MaxPool3d(2), (1, 2, 4, 5, 4))
    case("avgpool2d_include_pad", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=True), (2, 3, 7, 6))
    case("avgpool2d_exclude_pad", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (2, 3, 7, 6))
    case("avgpool2d_ceil", nn.AvgPool2d(2, ceil_mode=True), (1, 2, 5, 7))
    case("avgpool1d", nn.AvgPool1d(2), (2, 3, 9))
    case("avgpool3d", nn.AvgPool3d(2), (1, 2, 4, 4, 6))
    case("global_avgpool", nn.AdaptiveAvgPool2d(1), (2, 5, 3, 7))
    # normalization
    case("batchnorm2d", randomize_bn(nn.BatchNorm2d(3)).eval(), (2, 3, 4, 5))
    case("batchnorm1d", randomize_bn(nn.BatchNorm1d(5)).eval(), (4, 5))
    case("batchnorm1d_seq", randomize_bn(nn.BatchNorm1d(3)).eval(), (2, 3, 7))
    case("instancenorm2d", randomize_bn(nn.InstanceNorm2d(3, affine=True)), (2, 3, 5, 4))
    case("layernorm_opset13", randomize_bn(nn.LayerNorm([4, 5])), (3, 4, 5))
    case("layernorm", randomize_bn(nn.LayerNorm(7)), (2, 3, 7), opset=17)
    case("softmax", nn.Softmax(dim=1), (2, 5, 3))
    case("log_softmax", nn.LogSoftmax(dim=-1), (3, 7))
    # shapes and data movement (item 3)
    case("reshape", Fn(lambda s, a: a.reshape(3, -1)), (2, 3, 5))
    case("flatten", nn.Flatten(), (2, 3, 2, 5))
    case("transpose", Fn(lambda s, a: a.permute(2, 0, 1)), (2, 3, 5))
    case("squeeze", Fn(lambda s, a: a.squeeze(1)), (3, 1, 5))
    case("unsqueeze", Fn(lambda s, a: a.unsqueeze(0).unsqueeze(-1)), (3, 5))
    case("concat", Fn(lambda s, a, b, c: torch.cat([a, b, c], dim=1)), (2, 3, 4), (2, 1, 4), (2, 5, 4))
    case("split", Fn(lambda s, a: torch.split(a, [2, 3, 1], dim=1)), (2, 6, 3))
    case("chunk", Fn(lambda s, a: torch.chunk(a, 3, dim=-1)), (2, 9))
    case("slice", Fn(lambda s, a: a[:, 1:6:2, -3:]), (2, 7, 5))
    case("pad_constant", Fn(lambda s, a: F.pad(a, (1, 2, 0, 3), value=0.5)), (2, 3, 4, 5))
    case("pad_reflect", nn.ReflectionPad2d((1, 2, 2, 0)), (1, 2, 4, 5))
    case("pad_replicate", nn.ReplicationPad2d((2, 1, 0, 1)), (1, 2, 4, 5))
    case("gather", Fn(lambda s, a: torch.index_select(a, 1, s.idx), idx=torch.tensor([3, 0, 3, 1])), (2, 5, 3))
    case("embedding", Fn(lambda s: s.emb(s.idx), emb=nn.Embedding(11, 6), idx=torch.tensor([[1, 10, 3], [3, 0, 7]])))
    case("tile", Fn(lambda s, a: a.repeat(2, 1, 3)), (2, 3, 2))
    case("expand", Fn(lambda s, a: a.expand(4, 3, 5)), (3, 1))
    case("reduce_sum", Fn(lambda s, a: a.sum(dim=(0, 2), keepdim=True)), (3, 4, 5))
    case("reduce_mean", Fn(lambda s, a: a.mean(dim=-1)), (3, 4, 5))
    case("reduce_max", Fn(lambda s, a: a.amax(dim=(1, 2))), (3, 4, 5))
    case("reduce_min", Fn(lambda s, a: a.amin(dim=1, keepdim=True)), (3, 4, 5))
    case("reduce_l2", Fn(lambda s, a: torch.linalg.vector_norm(a, dim=1)), (3, 4, 5))
    case("reduce_logsumexp", Fn(lambda s, a: torch.logsumexp(a, dim=2)), (3, 4, 5))
    case("dropout_eval", nn.Sequential(nn.Linear(5, 4), nn.Dropout(0.5)).eval(), (3, 5))
    case("shape_dynamic", Fn(lambda s, a: a.view(a.size(0), -1) * 2), (3, 2, 4),
         dynamic={"x0": {0: "batch"}, "y0": {0: "batch"}})
    # small models
    case("mlp", nn.Sequential(nn.Flatten(), nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(),
                              nn.Linear(16, 10)), (4, 4, 5))
    case("lenet", nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)),
        (2, 1, 28, 28))
    case("cnn_batchnorm", randomize_bn(nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        nn.Flatten(), nn.Linear(8, 5))).eval(), (2, 3, 10, 10))


def export(name, module, shapes, opset, dynamic):
    module.eval()
    xs = [torch.randn(*s) for s in shapes]
    with torch.no_grad():
        ys = module(*xs)
    ys = list(ys) if isinstance(ys, (tuple, list)) else [ys]
    path = os.path.join(OUT, name + ".onnx")
    # TrainingMode.PRESERVE with the module in eval(): BatchNormalization stays a node (EVAL would fold
    # it into the convolution before it)
    torch.onnx.export(module, tuple(xs), path, opset_version=opset,
                      input_names=["x%d" % i for i in range(len(xs))],
                      output_names=["y%d" % i for i in range(len(ys))],
                      dynamic_axes=dynamic, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    tensors = {"x%d" % i: x for i, x in enumerate(xs)}
    tensors.update({"y%d" % i: y for i, y in enumerate(ys)})
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    save_safetensors(os.path.join(OUT, name + ".safetensors"), tensors,
                     {"source": "torch %s, torch.onnx.export opset %d" % (torch.__version__, opset),
                      "ops": ",".join(ops)})
    return ops


def main():
    os.makedirs(OUT, exist_ok=True)
    define()
    only = set(sys.argv[2:])   # case names after OUT_DIR: export just those
    for name, module, shapes, opset, dynamic, _, _ in CASES:
        if only and name not in only:
            continue
        torch.manual_seed(zlib.crc32(name.encode()))
        ops = export(name, module, shapes, opset, dynamic)
        print("%-24s %s" % (name, " ".join(ops)))


if __name__ == "__main__":
    main()
