r"""The hierarchy of bounds on linear-quadratic-Gaussian systems (``docs/theory.md`` section 7).

True closed loop $s_{t+1}=Ms_t+w_t$, $w_t\sim\mathcal N(0,\sigma_w^2I)$, reward $-s^\top Cs$, $s_0$ uniform
on $[-1,1]^d$; the model $(\hat M,\hat C)$ shares the policy and the noise. The model's value-to-go is
$\hat V_t(s)=-s^\top\hat S_ts-\hat c_t$ with $\hat S_t=\hat C+\gamma\hat M^\top\hat S_{t+1}\hat M$, so the
per-state term of the simulation identity is a quadratic form,

.. math::
    \Delta r(s)+\gamma(\Delta P\hat V_{t+1})(s)=-s^\top G_ts,\qquad
    G_t=(C-\hat C)+\gamma\big(M^\top\hat S_{t+1}M-\hat M^\top\hat S_{t+1}\hat M\big)

(the noise terms $\sigma_w^2\operatorname{tr}\hat S_{t+1}$ cancel). Hence:

* the identity $J-\hat J=-\sum_t\gamma^t\operatorname{tr}(G_t\Sigma_t)$ with $\Sigma_t=\mathbb E[s_ts_t^\top]$
  from the Lyapunov recursion $\Sigma_{t+1}=M\Sigma_tM^\top+\sigma_w^2I$, $\Sigma_0=I/3$: exact;
* the on-policy value-aware level $\sum_t\gamma^t\mathbb E_{d_t}\big[|s^\top(C-\hat C)s|+
  \gamma|s^\top(M^\top\hat S_{t+1}M-\hat M^\top\hat S_{t+1}\hat M)s|\big]$: no closed form (the absolute value of
  an indefinite quadratic form under a non-Gaussian $d_t$), so Monte Carlo over true trajectories,
  reported with its standard error;
* the Wasserstein, total-variation and every sup level are infinite: $\hat V_{t+1}$ is quadratic, so
  neither Lipschitz nor bounded on $\mathbb R^d$, and the reward difference is unbounded. The paper's
  bound on the box $[-1,1]^d$ is finite but is not a bound off the box, where the noise carries the state.

Finite horizons only (the Monte Carlo sum is truncated nowhere).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.mdp.continuous import LQGSystems
from theory.results import Result


@dataclass(frozen=True)
class LQGLevels(Result):
    """Per system: the exact gap, the identity's value from second moments, and the Monte Carlo
    on-policy value-aware level with its standard error (``rollouts`` true trajectories each).
    ``infinite_levels`` names the levels that are infinite on an LQG (unbounded state space)."""

    json_properties = ("infinite_levels",)
    infinite_levels = ("wasserstein", "tv", "every sup level")

    gap: np.ndarray
    identity: np.ndarray
    value_aware: np.ndarray
    value_aware_se: np.ndarray
    rollouts: int


def lqg_levels(true: LQGSystems, model: LQGSystems, gamma: float, horizon: int, rollouts: int = 4096,
               rng: np.random.Generator | int | None = 0) -> LQGLevels:
    r"""The exact gap, the simulation identity by second moments and the on-policy value-aware level by Monte
    Carlo (module docstring), for a batch of systems.

    Parameters
    ----------
    true, model : LQGSystems
        Batches of the same size, sharing policy and noise.
    gamma : float
        Discount in $[0, 1]$.
    horizon : int
        A finite horizon $H\ge1$.
    rollouts : int
        True trajectories per system for the Monte Carlo level.
    rng : Generator or seed

    Returns
    -------
    LQGLevels

    References
    ----------
    ``docs/theory.md`` section 7; the calibration of the paper (section 6).
    """
    H = V.horizon(horizon)
    if not np.isfinite(H):
        raise V.InputError("the LQG hierarchy is computed for finite horizons")
    H = int(H)
    g = float(V.in_closed_interval("gamma", gamma, 0.0, 1.0))
    rng = np.random.default_rng(rng)
    M, Mh = true.M, model.M
    sym = lambda X: 0.5 * (X + np.swapaxes(X, 1, 2))  # noqa: E731  (a quadratic form sees the symmetric part)
    C, Ch = sym(true.C), sym(model.C)
    n, d = M.shape[0], M.shape[1]
    Mt, Mht = np.swapaxes(M, 1, 2), np.swapaxes(Mh, 1, 2)
    # backward: S_hat_{t+1} for t = H-1 .. 0, and the per-step matrices
    S_next = np.zeros_like(C)
    G_P = np.empty((H, n, d, d))
    for t in range(H - 1, -1, -1):
        G_P[t] = sym(Mt @ S_next @ M - Mht @ S_next @ Mh)
        S_next = Ch + g * Mht @ S_next @ Mh
    G_r = C - Ch
    # forward: second moments (exact identity) and trajectories (Monte Carlo level)
    Sigma = np.broadcast_to(np.eye(d) / 3, (n, d, d)).copy()
    noise = true.sigma_w[:, None, None] ** 2 * np.eye(d)
    s = rng.uniform(-1, 1, (n, rollouts, d))
    identity = np.zeros(n)
    per_rollout = np.zeros((n, rollouts))
    for t in range(H):
        G = G_r + g * G_P[t]
        identity -= g**t * np.einsum("nij,nji->n", G, Sigma)
        quad_r = np.abs(np.einsum("nki,nij,nkj->nk", s, G_r, s))
        quad_p = np.abs(np.einsum("nki,nij,nkj->nk", s, G_P[t], s))
        per_rollout += g**t * (quad_r + g * quad_p)
        Sigma = M @ Sigma @ Mt + noise
        s = np.einsum("nij,nkj->nki", M, s) + true.sigma_w[:, None, None] * rng.standard_normal(s.shape)
    gap = np.abs(true.returns(g, H) - model.returns(g, H))
    return LQGLevels(gap, np.abs(identity), per_rollout.mean(1), per_rollout.std(1, ddof=1) / math.sqrt(rollouts), rollouts)
