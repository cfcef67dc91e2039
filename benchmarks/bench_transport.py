"""Exact closed-loop Lipschitz constants of sparse MDPs: ours against the previous dense-LP path and plain POT.

Ours: :func:`theory.mdp.transport.kernel_lipschitz` (bounds prune the pairs, POT on the supports of the
rows that remain). The previous path solved one dense HiGHS transport LP per state pair; plain POT
calls ``ot.emd2`` on every pair with the full metric. Both baselines would take hours at 500 states,
so they are timed on a random sample of pairs (the same for both, interleaved) and scaled to all pairs,
which the output says. Each MDP is a random sparse kernel (six successors a state, as Taxi under a
uniform policy) on random points of the plane.
"""

from __future__ import annotations

import time

import numpy as np
import ot
import scipy.sparse as sps
from scipy.optimize import linprog

from theory.mdp.transport import kernel_lipschitz


def dense_lp(p: np.ndarray, q: np.ndarray, D: np.ndarray) -> float:
    """The previous path: one transport LP, dense in the states, solved by HiGHS."""
    S = len(p)
    eye, one = sps.identity(S, format="csr"), sps.csr_matrix(np.ones((1, S)))
    A = sps.vstack([sps.kron(eye, one), sps.kron(one, eye)], format="csr")
    res = linprog(D.ravel(), A_eq=A, b_eq=np.concatenate([p, q]), bounds=(0, None), method="highs")
    return float(res.fun)


def sparse_mdp(rng: np.random.Generator, S: int, successors: int = 6) -> tuple[np.ndarray, np.ndarray]:
    pos = rng.uniform(0, 10, (S, 2))
    D = np.linalg.norm(pos[:, None] - pos[None], axis=2)
    K = np.zeros((S, S))
    for s in range(S):
        near = np.argsort(D[s])[: 3 * successors]
        K[s, rng.choice(near, successors, replace=False)] = 1.0 / successors
    return K, D


def main(sizes=(50, 100, 200, 500), sample: int = 40) -> None:
    rng = np.random.default_rng(0)
    print(f"{'states':>6} {'pairs':>8} {'ours (s)':>9} {'dense LP (s)':>13} {'plain POT (s)':>14} "
          f"{'LP / ours':>10} {'POT / ours':>11}")
    for S in sizes:
        K, D = sparse_mdp(rng, S)
        pairs = S * (S - 1) // 2
        start = time.process_time()
        L, _ = kernel_lipschitz(K, D)
        ours = time.process_time() - start
        i, j = np.triu_indices(S, 1)
        pick = rng.choice(pairs, min(sample, pairs), replace=False)
        t_lp = t_pot = 0.0
        for k in pick:  # interleaved, one pair each in turn
            start = time.process_time()
            dense_lp(K[i[k]], K[j[k]], D)
            t_lp += time.process_time() - start
            start = time.process_time()
            ot.emd2(K[i[k]], K[j[k]], D)
            t_pot += time.process_time() - start
        lp_all, pot_all = t_lp / pick.size * pairs, t_pot / pick.size * pairs
        print(f"{S:>6} {pairs:>8} {ours:>9.2f} {lp_all:>13.1f} {pot_all:>14.1f} {lp_all / ours:>10.0f} "
              f"{pot_all / ours:>11.0f}   (baselines scaled from {pick.size} pairs; L = {L:.4g})")


if __name__ == "__main__":
    main()
