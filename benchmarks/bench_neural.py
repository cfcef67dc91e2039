"""Student training throughput (samples per second through forward, backward and Adam), one network
against a stack of sixteen trained together, measured in one run."""

import time

import numpy as np

from theory.mdp import neural as NN


def throughput(M: int, steps: int = 100, batch: int = 256) -> float:
    rng = np.random.default_rng(0)
    net = NN.init(M, 16, 64, 12, "tanh", rng)
    X = [rng.standard_normal((2048, 16)) for _ in range(M)]
    Y = [np.tanh(rng.standard_normal((2048, 12))) for _ in range(M)]
    NN.train(net, X, Y, 5, rng, batch)  # warm-up
    start = time.perf_counter()
    NN.train(net, X, Y, steps, rng, batch)
    return M * steps * batch / (time.perf_counter() - start)


def main() -> None:
    one = throughput(1)
    stack = throughput(16)
    print(f"student training: one network {one / 1e3:.0f}k samples/s; sixteen stacked {stack / 1e3:.0f}k samples/s "
          f"in total; stacking gains {stack / one:.1f}x")


if __name__ == "__main__":
    main()
