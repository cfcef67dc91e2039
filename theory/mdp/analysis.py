r"""Closed-loop constants, model errors and the bound on a finite MDP (``docs/theory.md`` sections 0, 1).

On the closed loop (Asadi et al. 2018's Markov-chain view), with a metric $D$ on the states:
$L=\mathrm{Lip}_{W_1}(P_\pi)$, $K_{r\pi}=\mathrm{Lip}(r_\pi)$,
$\varepsilon_{dyn}=\max_s W_1(\hat P_\pi(\cdot|s),P_\pi(\cdot|s))$, $\varepsilon_{rew}=\max_s|\hat r_\pi(s)-r_\pi(s)|$.
The bound E3 holds with the learned model's constants and with the true model's; the smaller is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from theory.maths.bound import exceeds, return_bound
from theory.mdp.finite import FiniteMDP, closed_loop, values
from theory.mdp.transport import function_lipschitz, kernel_distance, kernel_lipschitz
from theory.results import Result


@dataclass(frozen=True)
class ClosedLoopConstants(Result):
    """$L$ and $K_{r\\pi}$ and the state pairs that attain them."""

    L: float
    K_rpi: float
    L_pair: tuple[int, int]
    K_rpi_pair: tuple[int, int]


class Model(Protocol):
    """Anything with a kernel ``P`` of shape ``(S, A, S)`` and rewards ``R`` of shape ``(S, A)``: a
    :class:`~theory.mdp.finite.FiniteMDP` or a :class:`~theory.mdp.learned.LearnedModel`."""

    P: np.ndarray
    R: np.ndarray


@dataclass(frozen=True)
class ClosedLoop:
    """A model under a policy: $P_\\pi(s'|s)=\\sum_a\\pi(a|s)P(s'|s,a)$ and $r_\\pi(s)=\\sum_a\\pi(a|s)r(s,a)$, built once
    and shared by the errors, the constants and the returns of a case."""

    P: np.ndarray
    r: np.ndarray

    @classmethod
    def of(cls, model: Model, pi: np.ndarray) -> ClosedLoop:
        return cls(*closed_loop(model.P, model.R, pi))


def _constants(loop: ClosedLoop, D: np.ndarray) -> ClosedLoopConstants:
    L, lp = kernel_lipschitz(loop.P, D)
    K, kp = function_lipschitz(loop.r, D)
    return ClosedLoopConstants(L, K, lp, kp)


def _errors(true: ClosedLoop, model: ClosedLoop, D: np.ndarray) -> tuple[float, float]:
    return kernel_distance(true.P, model.P, D), float(np.max(np.abs(model.r - true.r)))


def closed_loop_constants(model: Model, pi: np.ndarray | None = None, D: np.ndarray | None = None) -> ClosedLoopConstants:
    """Exact $W_1$-Lipschitz constants of $P_\\pi$ and $r_\\pi$ (E13).

    Parameters
    ----------
    model : FiniteMDP or LearnedModel
        The model (its ``P`` and ``R``).
    pi : ndarray, optional
        The policy ``(S, A)``; default the model's own (a :class:`~theory.mdp.finite.FiniteMDP`'s ``pi``).
    D : ndarray, optional
        The metric on the states; default the model's own ``D``.

    Returns
    -------
    ClosedLoopConstants
        $L$, $K_{r\\pi}$ and the state pairs that attain them.
    """
    pi = model.pi if pi is None else pi
    D = model.D if D is None else D
    return _constants(ClosedLoop.of(model, pi), D)


def model_errors(mdp: FiniteMDP, model: Model, pi: np.ndarray | None = None, closed: bool = True) -> tuple[float, float]:
    r"""$(\varepsilon_{dyn},\varepsilon_{rew})$ of ``model`` against ``mdp``, on the closed loop (default) or as sups
    over state-action pairs.

    Parameters
    ----------
    mdp : FiniteMDP
        The true MDP (its metric ``D`` and, by default, its policy).
    model : FiniteMDP or LearnedModel
        The model.
    pi : ndarray, optional
        The policy; default ``mdp.pi``.
    closed : bool
        On the closed loop under ``pi`` (default), else over every state-action pair.

    Returns
    -------
    (float, float)
        The one-step dynamics error ($W_1$) and reward error.
    """
    if not closed:
        return kernel_distance(mdp.P, model.P, mdp.D), float(np.max(np.abs(model.R - mdp.R)))
    pi = mdp.pi if pi is None else pi
    return _errors(ClosedLoop.of(mdp, pi), ClosedLoop.of(model, pi), mdp.D)


@dataclass(frozen=True)
class BoundCase:
    """One verification case: the exact gap and the bounds with each model's closed-loop constants."""

    gap: float
    bound_true: float
    bound_learned: float
    eps_dyn: float
    eps_rew: float
    L_true: float
    L_learned: float

    @property
    def bound(self) -> float:
        return min(self.bound_true, self.bound_learned)

    @property
    def violated(self) -> bool:
        return bool(exceeds(self.gap, self.bound))


def bound_case(mdp: FiniteMDP, model: Model, pi: np.ndarray | None = None,
               true_constants: ClosedLoopConstants | None = None) -> BoundCase:
    """$|J-\\hat J|$ by exact evaluation against $B$ (E3) with true and learned closed-loop constants.

    Each closed loop is built once for the case; ``true_constants``, when given, saves recomputing the true
    model's constants for every learned model."""
    pi = mdp.pi if pi is None else pi
    true, learned = ClosedLoop.of(mdp, pi), ClosedLoop.of(model, pi)
    gap = abs(float(mdp.mu @ values(true.P, true.r, mdp.gamma, mdp.horizon))
              - float(mdp.mu @ values(learned.P, learned.r, mdp.gamma, mdp.horizon)))
    eps_dyn, eps_rew = _errors(true, learned, mdp.D)
    bounds, Ls = [], []
    for const in (true_constants or _constants(true, mdp.D), _constants(learned, mdp.D)):
        bounds.append(float(return_bound(mdp.gamma, mdp.horizon, eps_dyn, eps_rew, L=const.L, K_rpi=const.K_rpi).bound))
        Ls.append(const.L)
    return BoundCase(gap, bounds[0], bounds[1], eps_dyn, eps_rew, Ls[0], Ls[1])


def optimal_policy(P: np.ndarray, R: np.ndarray, gamma: float, iters: int = 1000) -> np.ndarray:
    """A deterministic optimal policy (as ``pi[s, a]``) for the discounted infinite-horizon MDP, by policy iteration."""
    S, A = R.shape
    act = np.zeros(S, dtype=int)
    for _ in range(iters):
        pi = np.eye(A)[act]
        P_pi, r_pi = closed_loop(P, R, pi)
        v = np.linalg.solve(np.eye(S) - gamma * P_pi, r_pi)
        q = R + gamma * P @ v
        new = np.argmax(q, axis=1)
        # keep the current action on ties, so the iteration stops
        new = np.where(q[np.arange(S), act] >= q[np.arange(S), new] - 1e-12, act, new)
        if np.array_equal(new, act):
            break
        act = new
    return np.eye(A)[act]
