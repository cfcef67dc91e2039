r"""Closed-loop constants, model errors and the bound on a finite MDP (``docs/theory.md`` sections 0, 1).

On the closed loop (Asadi et al. 2018's Markov-chain view), with a metric $D$ on the states:
$L=\mathrm{Lip}_{W_1}(P_\pi)$, $K_{r\pi}=\mathrm{Lip}(r_\pi)$,
$\varepsilon_{dyn}=\max_s W_1(\hat P_\pi(\cdot|s),P_\pi(\cdot|s))$, $\varepsilon_{rew}=\max_s|\hat r_\pi(s)-r_\pi(s)|$.
The bound E3 holds with the learned model's constants and with the true model's; the smaller is used.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def closed_loop_constants(P: np.ndarray, R: np.ndarray, pi: np.ndarray, D: np.ndarray) -> ClosedLoopConstants:
    """Exact $W_1$-Lipschitz constants of $P_\\pi$ and $r_\\pi$ (E13)."""
    P_pi, r_pi = closed_loop(P, R, pi)
    L, lp = kernel_lipschitz(P_pi, D)
    K, kp = function_lipschitz(r_pi, D)
    return ClosedLoopConstants(L, K, lp, kp)


def model_errors(mdp: FiniteMDP, P_hat: np.ndarray, R_hat: np.ndarray, pi: np.ndarray | None = None,
                 closed: bool = True) -> tuple[float, float]:
    r"""$(\varepsilon_{dyn},\varepsilon_{rew})$ on the closed loop (default) or as sups over state-action pairs."""
    pi = mdp.pi if pi is None else pi
    if closed:
        P_pi, r_pi = closed_loop(mdp.P, mdp.R, pi)
        Ph, rh = closed_loop(P_hat, R_hat, pi)
        return kernel_distance(P_pi, Ph, mdp.D), float(np.max(np.abs(rh - r_pi)))
    return kernel_distance(mdp.P, P_hat, mdp.D), float(np.max(np.abs(R_hat - mdp.R)))


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


def bound_case(mdp: FiniteMDP, P_hat: np.ndarray, R_hat: np.ndarray, pi: np.ndarray | None = None,
               true_constants: ClosedLoopConstants | None = None) -> BoundCase:
    """$|J-\\hat J|$ by exact evaluation against $B$ (E3) with true and learned closed-loop constants
    (``true_constants``, when given, saves recomputing the true model's for every learned model)."""
    pi = mdp.pi if pi is None else pi
    P_pi, r_pi = closed_loop(mdp.P, mdp.R, pi)
    Ph, rh = closed_loop(P_hat, R_hat, pi)
    gap = abs(float(mdp.mu @ values(P_pi, r_pi, mdp.gamma, mdp.horizon))
              - float(mdp.mu @ values(Ph, rh, mdp.gamma, mdp.horizon)))
    eps_dyn, eps_rew = model_errors(mdp, P_hat, R_hat, pi)
    bounds, Ls = [], []
    true = true_constants or closed_loop_constants(mdp.P, mdp.R, pi, mdp.D)
    learned = closed_loop_constants(P_hat, R_hat, pi, mdp.D)
    for const in (true, learned):
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
