"""Exact finite-horizon evaluation (``theory.mdp.finite.values``) against the plainest fair loop,
``v = r + gamma * P @ v``, interleaved in one run, medians of 7 rounds with the min-max of the ratios."""

from __future__ import annotations

import numpy as np

from _timing import interleaved, ratio_line
from theory._threads import blas_single_thread
from theory.mdp.finite import values


def plain(P, r, gamma, H):
    v = np.zeros_like(r)
    for _ in range(H):
        v = r + gamma * P @ v
    return v


def main() -> None:
    rng = np.random.default_rng(0)
    with blas_single_thread():
        for S, H in ((10, 1000), (100, 1000), (1000, 100)):
            P = rng.dirichlet(np.ones(S), size=S)
            r = rng.normal(size=S)
            assert np.allclose(values(P, r, 0.99, H), plain(P, r, 0.99, H), rtol=1e-12, atol=1e-12)
            t = interleaved({"ours": lambda: values(P, r, 0.99, H), "plain": lambda: plain(P, r, 0.99, H)})
            print(ratio_line(f"S={S}, H={H}: plain loop / ours (above 1: ours faster)", t["plain"], t["ours"]))
        P = rng.dirichlet(np.ones(20), size=(64, 20))
        r = rng.normal(size=(64, 20))
        t = interleaved({"ours": lambda: values(P, r, 0.99, 200),
                         "plain": lambda: [plain(P[k], r[k], 0.99, 200) for k in range(64)]})
        print(ratio_line("64 MDPs of 20 states, H=200, batched: per-MDP plain loop / ours", t["plain"], t["ours"]))


if __name__ == "__main__":
    main()
