r"""Wasserstein-1 distances on a finite metric space and the Lipschitz constants of E13.

$W_1(p,q)=\min_{T\ge0}\sum_{ij}T_{ij}D_{ij}$ subject to $T\mathbf 1=p$, $T^\top\mathbf 1=q$, solved
exactly by SciPy's HiGHS linear programming; many pairs are solved in one block-diagonal LP, whose
blocks decouple, so each pair's cost is read off its block. On a line metric
($D_{ij}=|x_i-x_j|$) the closed form $W_1=\sum_i|F_p(i)-F_q(i)|(x_{i+1}-x_i)$ over sorted points is
used instead (the two agree; the tests check it).

Note: ``scipy.stats.wasserstein_distance`` is one-dimensional only; it is not used here.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.sparse as sps
from scipy.optimize import linprog

from theory import _validate as V

MASS_TOL = 1e-9


def line_positions(D: np.ndarray, tol: float = 1e-9) -> np.ndarray | None:
    """Positions ``x`` with ``D[i, j] == |x_i - x_j|`` when the metric is a line metric, else ``None``."""
    end = int(np.argmax(D[0]))  # the state farthest from state 0 is an end of the line
    x = D[end]
    return x if np.allclose(D, np.abs(x[:, None] - x[None, :]), atol=tol, rtol=0) else None


def _check_masses(p: np.ndarray, q: np.ndarray) -> None:
    for name, m in (("p", p), ("q", q)):
        if (m < -MASS_TOL).any():
            raise V.InputError(f"{name} has negative mass: min {m.min():.3g}")
        sums = m.sum(-1)
        if np.any(np.abs(sums - 1) > 1e-7):
            raise V.InputError(f"{name} must have total mass 1, got {np.ravel(sums)[np.argmax(np.abs(np.ravel(sums) - 1))]:.12g}")


def wasserstein_line(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Closed form on a line: the integral of |F_p - F_q| between sorted points; batch axes broadcast."""
    order = np.argsort(x)
    xs = x[order]
    cdf = np.cumsum(p[..., order] - q[..., order], axis=-1)[..., :-1]
    return np.abs(cdf) @ np.diff(xs)


@lru_cache(maxsize=32)
def _constraints(S: int, K: int):
    """Equality constraints of K stacked transport problems on S points (rows: K*S sources, K*S targets)."""
    eye = sps.identity(S, format="csr")
    one = sps.csr_matrix(np.ones((1, S)))
    src = sps.kron(eye, one)  # sum_j T_ij = p_i
    dst = sps.kron(one, eye)  # sum_i T_ij = q_j
    block = sps.vstack([src, dst])
    return sps.block_diag([block] * K, format="csr")


def wasserstein(p, q, D, method: str = "auto") -> np.ndarray:
    r"""$W_1(p_k, q_k)$ for rows ``p (K, S)`` and ``q (K, S)`` (or single vectors) under the metric ``D (S, S)``.

    ``method``: ``"auto"`` (closed form on a line metric, LP otherwise), ``"line"`` or ``"lp"``.
    Masses are checked: each row must be non-negative with total 1.
    """
    single = np.ndim(p) == 1 and np.ndim(q) == 1
    p = np.atleast_2d(np.asarray(p, dtype=float))
    q = np.atleast_2d(np.asarray(q, dtype=float))
    D = np.asarray(D, dtype=float)
    p, q = np.broadcast_arrays(p, q)
    _check_masses(p, q)
    x = line_positions(D) if method in ("auto", "line") else None
    if method == "line" and x is None:
        raise V.InputError("method='line' needs a line metric D[i, j] = |x_i - x_j|")
    if x is not None:
        out = wasserstein_line(p, q, x)
    else:
        out = _wasserstein_lp(p.reshape(-1, D.shape[0]), q.reshape(-1, D.shape[0]), D).reshape(p.shape[:-1])
    return out[0] if single else out


def _wasserstein_lp(p: np.ndarray, q: np.ndarray, D: np.ndarray, chunk: int = 256) -> np.ndarray:
    K, S = p.shape
    out = np.empty(K)
    for start in range(0, K, chunk):
        pp, qq = p[start:start + chunk], q[start:start + chunk]
        k = pp.shape[0]
        # clean round-off so both marginals have exactly the same total
        pp = np.clip(pp, 0, None); pp = pp / pp.sum(1, keepdims=True)  # noqa: E702
        qq = np.clip(qq, 0, None); qq = qq / qq.sum(1, keepdims=True)  # noqa: E702
        b = np.concatenate([pp, qq], axis=1).ravel()
        c = np.tile(D.ravel(), k)
        res = linprog(c, A_eq=_constraints(S, k), b_eq=b, bounds=(0, None), method="highs")
        if res.status != 0:
            raise RuntimeError(f"transport LP failed: {res.message}")
        out[start:start + k] = (res.x.reshape(k, S * S) * D.ravel()).sum(1)
    return out


# --------------------------------------------------------------------------- Lipschitz constants (E13)
def kernel_lipschitz(K: np.ndarray, D: np.ndarray) -> tuple[float, tuple[int, int]]:
    r"""$\mathrm{Lip}_{W_1}(K)=\max_{s\ne s'}W_1(K(\cdot|s),K(\cdot|s'))/D(s,s')$ for a kernel ``K[s, s']``,
    with the pair that attains it."""
    S = K.shape[0]
    i, j = np.triu_indices(S, 1)
    ratios = wasserstein(K[i], K[j], D) / D[i, j]
    best = int(np.argmax(ratios))
    return float(ratios[best]), (int(i[best]), int(j[best]))


def function_lipschitz(f: np.ndarray, D: np.ndarray) -> tuple[float, tuple[int, int]]:
    r"""$\max_{s\ne s'}|f(s)-f(s')|/D(s,s')$ with the attaining pair."""
    S = f.shape[0]
    i, j = np.triu_indices(S, 1)
    ratios = np.abs(f[i] - f[j]) / D[i, j]
    best = int(np.argmax(ratios))
    return float(ratios[best]), (int(i[best]), int(j[best]))


def kernel_distance(P: np.ndarray, P_hat: np.ndarray, D: np.ndarray) -> float:
    r"""$\sup_x W_1(\hat P(\cdot|x),P(\cdot|x))$ over the leading axes (states, or state-action pairs)."""
    S = D.shape[0]
    return float(np.max(wasserstein(P_hat.reshape(-1, S), P.reshape(-1, S), D)))
