#!/usr/bin/env python3
"""PyTorch's answers for jgrad's RNN, GRU and LSTM layers (issue 16 item 3), for PyTorchRecurrentTest.java.

Writes tests/src/test/resources/pytorch/recurrent_golden.safetensors (all F32). For each case a real
torch.nn layer with its default initialisation; saved are its state dict under "<case>.<name>"
(PyTorch's names: weight_ih_l0, ...), the input "<case>_x", initial states "<case>_h0"/"<case>_c0"
where the case passes them, the output "<case>_y", final states "<case>_hn"/"<case>_cn", random
weights "<case>_r*" and the gradients of L = sum(y r) + sum(hn rh) (+ sum(cn rc)) with respect to
the input, the initial states and every parameter ("<case>_grad_<name>"):
- rnn: RNN(3, 5, num_layers=2) on (4, 2, 3) from h0
- rnn_relu: RNN(2, 4, nonlinearity='relu', bias=False, batch_first=True) on (3, 5, 2)
- gru: GRU(3, 4, num_layers=2, batch_first=True) on (2, 6, 3) from h0
- gru_unbatched: GRU(2, 3) on an unbatched (5, 2)
- lstm: LSTM(3, 4, num_layers=2) on (5, 2, 3) from h0 and c0
- lstm_bf: LSTM(4, 3, bias=False, batch_first=True) on (3, 4, 4)

Rerun by hand from the repository root (Debian's python3-torch): same seed, same file.

    /usr/bin/python3 tests/src/test/python/gen_recurrent_golden.py
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join("tests", "src", "test", "resources", "pytorch", "recurrent_golden.safetensors")


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


# name: (layer, input shape, initial states given, state shape)
CASES = {
    "rnn": (lambda: nn.RNN(3, 5, num_layers=2), (4, 2, 3), True, (2, 2, 5)),
    "rnn_relu": (lambda: nn.RNN(2, 4, nonlinearity="relu", bias=False, batch_first=True), (3, 5, 2), False, None),
    "gru": (lambda: nn.GRU(3, 4, num_layers=2, batch_first=True), (2, 6, 3), True, (2, 2, 4)),
    "gru_unbatched": (lambda: nn.GRU(2, 3), (5, 2), False, None),
    "lstm": (lambda: nn.LSTM(3, 4, num_layers=2), (5, 2, 3), True, (2, 2, 4)),
    "lstm_bf": (lambda: nn.LSTM(4, 3, bias=False, batch_first=True), (3, 4, 4), False, None),
}


def main():
    torch.manual_seed(16)
    out = {}
    for name, (make, shape, with_state, state_shape) in CASES.items():
        layer = make()
        is_lstm = isinstance(layer, nn.LSTM)
        x = torch.randn(*shape, requires_grad=True)
        leaves = {"x": x}
        if with_state:
            leaves["h0"] = torch.randn(*state_shape, requires_grad=True)
            if is_lstm:
                leaves["c0"] = torch.randn(*state_shape, requires_grad=True)
            y, st = layer(x, (leaves["h0"], leaves["c0"]) if is_lstm else leaves["h0"])
        else:
            y, st = layer(x)
        hn, cn = st if is_lstm else (st, None)
        r, rh = torch.randn_like(y), torch.randn_like(hn)
        loss = (y * r).sum() + (hn * rh).sum()
        out[name + "_r"], out[name + "_rh"] = r, rh
        if cn is not None:
            rc = torch.randn_like(cn)
            loss = loss + (cn * rc).sum()
            out[name + "_rc"] = rc
        loss.backward()
        for k, v in layer.state_dict().items():
            out[name + "." + k] = v
        for k, v in leaves.items():
            out[name + "_" + k] = v
            out[name + "_grad_" + k] = v.grad
        for k, p in layer.named_parameters():
            out[name + "_grad_" + k] = p.grad
        out[name + "_y"], out[name + "_hn"] = y, hn
        if cn is not None:
            out[name + "_cn"] = cn
    save(OUT, out)
    print("wrote", OUT, len(out), "tensors")


if __name__ == "__main__":
    main()
