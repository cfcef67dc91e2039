"""Student training against the machine's single-thread matrix-multiply rate for the same shapes, one network
against sixteen stacked, and float32 against float64, interleaved in one run (medians of 5 rounds, min-max of
the ratios).

The matmul baseline does exactly the products one training step needs (three forward, five backward for
two hidden layers) on stacked arrays of the same shapes, with nothing else: training cannot be faster."""

from __future__ import annotations

import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from theory.mdp import neural as NN

D_IN, HID, D_OUT, BATCH = 16, 64, 12, 256


def train_time(M: int, steps: int, rng, dtype: str = "float32") -> float:
    net = NN.init(M, D_IN, HID, D_OUT, "tanh", rng, dtype=dtype)
    X = [rng.standard_normal((2048, D_IN)) for _ in range(M)]
    Y = [np.tanh(rng.standard_normal((2048, D_OUT))) for _ in range(M)]
    start = time.perf_counter()
    NN.train(net, X, Y, steps, rng, BATCH)
    return time.perf_counter() - start


def matmul_time(M: int, steps: int, rng) -> float:
    x = rng.standard_normal((M, BATCH, D_IN)).astype(np.float32)
    W1, W2, W3 = (rng.standard_normal((M, a, b)).astype(np.float32) for a, b in ((D_IN, HID), (HID, HID), (HID, D_OUT)))
    start = time.perf_counter()
    with threadpool_limits(1, "blas"):
        for _ in range(steps):
            h1 = x @ W1
            h2 = h1 @ W2
            y = h2 @ W3
            g3 = np.swapaxes(h2, 1, 2) @ y
            d2 = y @ np.swapaxes(W3, 1, 2)
            g2 = np.swapaxes(h1, 1, 2) @ d2
            d1 = d2 @ np.swapaxes(W2, 1, 2)
            g1 = np.swapaxes(x, 1, 2) @ d1
    return time.perf_counter() - start + 0 * float(g1[0, 0, 0] + g2[0, 0, 0] + g3[0, 0, 0])


def main(steps: int = 200, rounds: int = 5) -> None:
    rng = np.random.default_rng(0)
    train_time(1, 5, rng)  # warm-up
    t = {k: [] for k in ("one", "stack", "stack64", "matmul_one", "matmul_stack")}
    for _ in range(rounds):
        t["one"].append(train_time(1, steps, rng))
        t["stack"].append(train_time(16, steps, rng) / 16)
        t["stack64"].append(train_time(16, steps, rng, "float64") / 16)
        t["matmul_one"].append(matmul_time(1, steps, rng))
        t["matmul_stack"].append(matmul_time(16, steps, rng) / 16)

    def line(a, b):
        r = [y / x for x, y in zip(t[a], t[b])]
        return f"{statistics.median(r):.2f} [{min(r):.2f}, {max(r):.2f}]"

    rate = {k: steps * BATCH / statistics.median(v) / 1e3 for k, v in t.items()}
    print(f"samples/s per network (float32): one {rate['one']:.0f}k, sixteen stacked {rate['stack']:.0f}k "
          f"(float64 {rate['stack64']:.0f}k); "
          f"the same products alone: {rate['matmul_one']:.0f}k and {rate['matmul_stack']:.0f}k")
    print(f"fraction of the single-thread float32 matmul rate: one network {line('one', 'matmul_one')}, stacked "
          f"{line('stack', 'matmul_stack')}; stacking gains {line('stack', 'one')}; float32 against float64 "
          f"(sixteen stacked) {line('stack', 'stack64')}")


if __name__ == "__main__":
    main()
