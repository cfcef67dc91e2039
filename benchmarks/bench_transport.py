"""Exact closed-loop Lipschitz constants, ours against the strongest plain baseline, measured in one run.

Ours: :func:`theory.mdp.transport.kernel_lipschitz` (bounds prune the pairs: the independent coupling, potentials,
and for dense rows W1 under trees of the metric's graph; exact solves on the supports of (p - q)+ and (p - q)-).
The baseline: POT's network simplex (``ot.emd2``) on every pair, restricted to the supports of the two rows (the
plain way to use POT on sparse rows; on dense rows it is the full problem). It would take minutes to hours on the
larger cases, so it is timed on a random sample of pairs and scaled to all pairs, which the output says.

Cases: sparse kernels (six successors a state, as Taxi under a uniform policy) on random points of the plane, and
dense kernels (Dirichlet rows) on a plane metric and on a grid (Manhattan) metric, where many equal distances make
pairs tie. CPU seconds (``time.process_time``).

Run: ``python benchmarks/bench_transport.py``.
"""

from __future__ import annotations

import time

import numpy as np
import ot

from theory.mdp.transport import kernel_lipschitz


def pot_on_supports(p: np.ndarray, q: np.ndarray, D: np.ndarray) -> float:
    sp, sq = np.flatnonzero(p), np.flatnonzero(q)
    return float(ot.emd2(p[sp], q[sq], np.ascontiguousarray(D[np.ix_(sp, sq)])))


def plane(rng: np.random.Generator, S: int) -> np.ndarray:
    pos = rng.uniform(0, 10, (S, 2))
    return np.linalg.norm(pos[:, None] - pos[None], axis=2)


def grid(S: int) -> np.ndarray:
    cols = int(round(np.sqrt(S * 4 / 3)))
    xy = np.array([(k // cols, k % cols) for k in range(S)], dtype=float)
    return np.abs(xy[:, None] - xy[None]).sum(-1)


def sparse_kernel(rng: np.random.Generator, D: np.ndarray, successors: int = 6) -> np.ndarray:
    S = D.shape[0]
    K = np.zeros((S, S))
    for s in range(S):
        near = np.argsort(D[s])[: 3 * successors]
        K[s, rng.choice(near, successors, replace=False)] = 1.0 / successors
    return K


def main(sample: int = 40) -> None:
    rng = np.random.default_rng(0)
    cases = [("sparse, plane", S, lambda S: (lambda D: (sparse_kernel(rng, D), D))(plane(rng, S))) for S in (100, 300, 500)]
    cases += [("dense, plane", S, lambda S: (rng.dirichlet(np.ones(S), S), plane(rng, S))) for S in (100, 300)]
    cases += [("dense, grid", S, lambda S: (rng.dirichlet(np.ones(S), S), grid(S))) for S in (100, 300)]
    print(f"{'case':<14} {'states':>6} {'pairs':>7} {'ours (s)':>9} {'POT on supports (s)':>20} {'speed-up':>9}")
    for label, S, make in cases:
        K, D = make(S)
        pairs = S * (S - 1) // 2
        start = time.process_time()
        L, _ = kernel_lipschitz(K, D)
        ours = time.process_time() - start
        i, j = np.triu_indices(S, 1)
        pick = rng.choice(pairs, min(sample, pairs), replace=False)
        start = time.process_time()
        for k in pick:
            pot_on_supports(K[i[k]], K[j[k]], D)
        baseline = (time.process_time() - start) / pick.size * pairs
        print(f"{label:<14} {S:>6} {pairs:>7} {ours:>9.2f} {baseline:>20.1f} {baseline / ours:>9.0f}   "
              f"(baseline scaled from {pick.size} pairs; L = {L:.4g})")


if __name__ == "__main__":
    main()
