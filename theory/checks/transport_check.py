"""The exact W1 solver of the laboratory against independent references (``docs/theory.md`` E13).

Three references, each independent of the solver: on a line, the integral of the difference of the
CDFs; for the discrete metric, total variation; on a random metric space, a transport LP written
here and solved by SciPy's HiGHS (its tolerance is about 1e-9, so agreement is checked to 1e-7).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from theory.mdp.transport import wasserstein


def lp_reference(p: np.ndarray, q: np.ndarray, D: np.ndarray) -> float:
    """min <T, D> over couplings T of p and q, as a dense LP (one pair; slow, for reference only). One row
    constraint is dropped: it is implied by the others, and a redundant equality makes HiGHS fragile."""
    S = len(p)
    rows = np.kron(np.eye(S), np.ones(S))
    cols = np.kron(np.ones(S), np.eye(S))
    res = linprog(D.ravel(), A_eq=np.vstack([rows[:-1], cols]), b_eq=np.concatenate([p[:-1], q]), bounds=(0, None),
                  method="highs-ds", options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    if res.status != 0:
        raise RuntimeError(f"reference LP failed: {res.message}")
    return float(res.fun)


def random_metric(rng: np.random.Generator, S: int) -> np.ndarray:
    """Shortest-path distances of a random complete graph: a metric with no structure to exploit."""
    W = rng.uniform(0.1, 1.0, (S, S))
    D = np.minimum(W, W.T)
    np.fill_diagonal(D, 0.0)
    for k in range(S):
        D = np.minimum(D, D[:, [k]] + D[[k], :])
    return D


def transport_agreement(seed: int = 0, pairs: int = 50, S: int = 6) -> dict:
    """Largest differences between our W1 and each reference over ``pairs`` random pairs."""
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(S), pairs), rng.dirichlet(np.ones(S), pairs)
    x = np.sort(rng.uniform(0, 4, S))
    line = np.abs(np.cumsum(p - q, axis=1)[:, :-1]) @ np.diff(x)
    line_diff = float(np.max(np.abs(wasserstein(p, q, np.abs(x[:, None] - x[None])) - line)))
    tv = 0.5 * np.abs(p - q).sum(1)
    tv_diff = float(np.max(np.abs(wasserstein(p, q, 1.0 - np.eye(S)) - tv)))
    D = random_metric(rng, S)
    ours = wasserstein(p, q, D)
    ref = np.array([lp_reference(a, b, D) for a, b in zip(p, q)])
    return {"pairs": pairs, "states": S, "line_diff": line_diff, "tv_diff": tv_diff,
            "lp_diff": float(np.max(np.abs(ours - ref)))}
