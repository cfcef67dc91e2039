r"""Exact returns of $k$-step branched rollouts on a finite MDP, beside MBPO's bound (``docs/theory.md`` section 7).

Branched rollouts (Janner et al. 2019) start from states of the real data, collected by a policy
$\pi_D$ in the true dynamics, and roll the current policy $\pi$ for $k$ steps in the model. Here the state
at time $t$ of the branched scheme has followed $\pi_D$ in the true dynamics for $\max(t-k,0)$ steps and
then $\pi$ in the model for $\min(t,k)$ steps, and is scored by the model's reward:

.. math::
    \eta^{branch}(k)=\mu^\top\Big[\sum_{t<k}(\gamma\hat P_\pi)^t\hat r_\pi
    +\gamma^k(I-\gamma P_{\pi_D})^{-1}\hat P_\pi^k\,\hat r_\pi\Big]

(the tail sums $\sum_{j\ge0}\gamma^{j+k}\mu^\top P_{\pi_D}^j\hat P_\pi^k\hat r_\pi$ in closed form). $k=0$ is
all policy shift, $k\to\infty$ all model error; $|\eta[\pi]-\eta^{branch}(k)|$ is computed exactly for
every $k$ and set beside MBPO's penalty with $\epsilon_\pi=\max_s\mathrm{TV}(\pi(s),\pi_D(s))$,
$\epsilon_{m'}=\max_s\mathrm{TV}(P_\pi(s),\hat P_\pi(s))$ and $r_{max}=\max|r|$.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.maths.mbpo import branched_bound
from theory.mdp.analysis import ClosedLoop
from theory.mdp.finite import FiniteMDP, closed_loop, values
from theory.results import Result


@dataclass(frozen=True)
class BranchedCheck(Result):
    """Exact branched-rollout errors against MBPO's penalty, per whole $k$, and the two best $k$."""

    errors: np.ndarray  # |eta - eta_branch(k)|, k = 0 .. k_max
    penalty: np.ndarray
    k_best_true: int
    k_best_bound: int
    k_star: float
    eps_pi: float
    eps_model: float
    holds: bool


def branched_returns(mdp: FiniteMDP, model, pi_data: np.ndarray, k_max: int, *, loop=None) -> np.ndarray:
    r"""$\eta^{branch}(k)$ for $k=0..k_{max}$ (module docstring), exactly, for a discounted infinite horizon.

    Parameters
    ----------
    mdp : FiniteMDP
        The true MDP with the current policy ``mdp.pi`` (``gamma < 1``, infinite horizon).
    model : LearnedModel or FiniteMDP
        The model: ``P`` and ``R`` of shapes ``(S, A, S)`` and ``(S, A)``.
    pi_data : (S, A) ndarray
        The policy that collected the real data.
    k_max : int
        The longest rollout.
    loop : ClosedLoop, optional
        The model's closed loop under ``mdp.pi``, when the caller has built it already.

    Returns
    -------
    ndarray
        ``(k_max + 1,)``.

    References
    ----------
    ``docs/theory.md`` section 7; Janner et al. (2019).
    """
    if not math.isinf(mdp.horizon):
        raise V.InputError("branched rollouts are analysed for the discounted infinite horizon here")
    S = mdp.S
    loop = loop or ClosedLoop.of(model, mdp.pi)
    Ph, rh = loop.P, loop.r
    P_data, _ = closed_loop(mdp.P, mdp.R, pi_data)
    occupancy = np.linalg.solve((np.eye(S) - mdp.gamma * P_data).T, mdp.mu)  # mu^T (I - gamma P_D)^-1
    out = np.empty(k_max + 1)
    head = 0.0  # sum_{t<k} gamma^t mu P_hat^t r_hat
    row = mdp.mu.copy()  # mu P_hat^k, by the model under pi
    occ = occupancy.copy()  # occupancy P_hat^k
    for k in range(k_max + 1):
        out[k] = head + mdp.gamma**k * float(occ @ rh)
        head += mdp.gamma**k * float(row @ rh)
        row = row @ Ph
        occ = occ @ Ph
    return out


def branched_check(mdp: FiniteMDP, model, pi_data: np.ndarray, k_max: int = 60) -> BranchedCheck:
    """Exact $|\\eta[\\pi]-\\eta^{branch}(k)|$ beside MBPO's penalty (module docstring); ``holds`` says whether the
    penalty is at least the exact error at every $k$.

    Parameters
    ----------
    mdp : FiniteMDP
        The true MDP with the current policy ``mdp.pi`` (discounted, infinite horizon).
    model : LearnedModel or FiniteMDP
        The model (its ``P`` and ``R``).
    pi_data : ndarray
        The policy that collected the real data.
    k_max : int
        The longest rollout.

    Returns
    -------
    BranchedCheck

    References
    ----------
    ``docs/theory.md`` section 7; Janner et al. (2019), Theorem 4.3.
    """
    P_pi, r_pi = closed_loop(mdp.P, mdp.R, mdp.pi)
    loop = ClosedLoop.of(model, mdp.pi)  # built once: the returns and the model error share it
    Ph = loop.P
    eta = float(mdp.mu @ values(P_pi, r_pi, mdp.gamma, mdp.horizon))
    errors = np.abs(eta - branched_returns(mdp, model, pi_data, k_max, loop=loop))
    eps_pi = float(0.5 * np.abs(mdp.pi - pi_data).sum(1).max())
    eps_model = float(0.5 * np.abs(P_pi - Ph).sum(1).max())
    r_max = float(max(np.abs(mdp.R).max(), np.abs(model.R).max()))
    b = branched_bound(mdp.gamma, eps_pi, eps_model, r_max, k_max)
    return BranchedCheck(errors, b.penalty, int(np.argmin(errors)), b.k_best, b.k_star, eps_pi, eps_model,
                         bool(np.all(errors <= b.penalty * (1 + 1e-9))))
