"""Prints the PyTorch 1.13 outputs that PoolingConventionsTest holds jgrad's pooling layers to.

Run by hand (CI has no torch): /usr/bin/python3 tests/src/test/python/pool_conventions.py
Then sweeps 1-D pooling over sizes, windows, strides, padding, dilation, ceil mode and both
divisor rules, checking the rules the conformance references (PoolRefs.java) are written from:
window j starts at j*s - p; it exists while it fits the padded input, or in ceil mode while it
overhangs the padded end by less than a stride and starts inside the input; the average divides
by the taps inside [-p, size + p) (count_include_pad) or inside the input.
"""
import itertools

import torch
import torch.nn.functional as F


def goldens():
    x = torch.arange(1., 8.).view(1, 1, 7)
    print('AvgPool1d(3, 2, 1) ceil countPad', F.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=True).flatten().tolist())
    print('AvgPool1d(3, 2, 1) ceil noCountPad', F.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False).flatten().tolist())
    x2 = torch.arange(1., 31.).view(1, 1, 5, 6)
    print('AvgPool2d((3, 2), (2, 3), (1, 1)) ceil countPad',
          F.avg_pool2d(x2, (3, 2), (2, 3), (1, 1), ceil_mode=True, count_include_pad=True).flatten().tolist())
    print('AvgPool2d(3, 2, 1) ceil divisor 4',
          F.avg_pool2d(x2, 3, 2, 1, ceil_mode=True, count_include_pad=False, divisor_override=4).flatten().tolist())
    y, i = F.max_pool2d(-x2, (2, 3), (2, 2), (1, 1), dilation=(2, 1), ceil_mode=True, return_indices=True)
    print('MaxPool2d((2, 3), (2, 2), (1, 1), dilation (2, 1)) ceil', list(y.shape), y.flatten().tolist(), i.flatten().tolist())
    print('AdaptiveAvgPool2d((4, 4)) of 5x6', F.adaptive_avg_pool2d(x2, (4, 4)).flatten().tolist())
    y, i = F.adaptive_max_pool1d(torch.tensor([[[3., 1, 4, 1, 5, 9, 2]]]), 4, return_indices=True)
    print('AdaptiveMaxPool1d(4)', y.flatten().tolist(), i.flatten().tolist())


def windows(size, k, s, p, dil, ceil):
    reach, count = dil * (k - 1) + 1, 0
    while True:
        start = count * s - p
        fits = start + reach <= size + p
        overhangs = ceil and start + reach < size + p + s and start < size
        if not fits and not overhangs:
            return count
        count += 1


def avg_ref(x, k, s, p, ceil, include_pad):
    size = len(x)
    out = []
    for j in range(windows(size, k, s, p, 1, ceil)):
        taps = [j * s - p + t for t in range(k)]
        inside = [x[t] for t in taps if 0 <= t < size]
        padded = [t for t in taps if -p <= t < size + p]
        out.append(sum(inside) / (len(padded) if include_pad else len(inside)))
    return out


def sweep():
    checked = 0
    for size, k, s, p, dil, ceil in itertools.product(range(1, 10), range(1, 5), range(1, 4), range(0, 3), range(1, 3),
                                                      [False, True]):
        if 2 * p > k:
            continue
        x = torch.randn(1, 1, size, dtype=torch.float64)
        try:
            got = F.max_pool1d(x, k, s, p, dil, ceil_mode=ceil).shape[-1]
        except RuntimeError:
            got = 0
        assert got == windows(size, k, s, p, dil, ceil), (size, k, s, p, dil, ceil)
        if dil == 1 and got > 0:
            for include in (True, False):
                want = avg_ref(x.flatten().tolist(), k, s, p, ceil, include)
                have = F.avg_pool1d(x, k, s, p, ceil_mode=ceil, count_include_pad=include).flatten().tolist()
                assert max(abs(a - b) for a, b in zip(want, have)) < 1e-12, (size, k, s, p, ceil, include, want, have)
        checked += 1
    print('sweep: the window and divisor rules agree with PyTorch on', checked, 'configurations')


if __name__ == '__main__':
    goldens()
    sweep()
