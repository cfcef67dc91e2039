r"""Exact policy-gradient references on small finite MDPs (``docs/theory.md`` E15 to E17, section 5).

Two independent routes to $\nabla_\theta J$ for a tabular softmax policy and a finite horizon $H$:

* the policy gradient theorem by linear algebra:
  $\frac{\partial J}{\partial\theta_{s,a}}=\sum_{t<H}\gamma^t d_t(s)\,\pi(a|s)\,(Q_t(s,a)-V_t(s))$, with
  $d_t=\mu^\top P_\pi^t$, $Q_t=R+\gamma P V_{t+1}$, $V_t=\sum_a\pi Q_t$, $V_H=0$;
* enumeration of every trajectory (states and actions, $(SA)^H$ of them): exact expectations of any
  estimator, its covariance, and the noise terms of E16.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.mdp.rollouts import Rollouts, reward_coefficients, softmax_policy

MAX_TRAJECTORIES = 2_000_000


def policy_gradient_theorem(P, R, pi, mu, gamma: float, horizon: int, reward=None) -> np.ndarray:
    r"""$\nabla_\theta J$ of the softmax policy by the policy gradient theorem (``(S, A)`` array).

    ``reward`` replaces ``R`` (for instance a bias $b(s,a)$, giving $\nabla_\theta B_H$ of E17)."""
    R = R if reward is None else reward
    H = int(horizon)
    S, A = R.shape
    Q = np.zeros((H, S, A))
    v = np.zeros(S)
    for t in reversed(range(H)):
        Q[t] = R + gamma * P @ v
        v = (pi * Q[t]).sum(1)
    grad = np.zeros((S, A))
    d = mu.copy()
    for t in range(H):
        Vt = (pi * Q[t]).sum(1)
        grad += gamma**t * d[:, None] * pi * (Q[t] - Vt[:, None])
        d = d @ np.einsum("sa,sat->st", pi, P)
    return grad


@dataclass(frozen=True)
class Enumeration:
    """Every trajectory with its probability (``prob (M,)``) as :class:`Rollouts`."""

    rollouts: Rollouts
    prob: np.ndarray


def enumerate_trajectories(P, R, pi, mu, horizon: int) -> Enumeration:
    """All state-action sequences of length ``horizon`` with positive probability."""
    S, A = R.shape
    H = int(horizon)
    if (S * A) ** H > MAX_TRAJECTORIES:
        raise V.InputError(f"enumeration needs (S*A)^H = {(S * A) ** H} trajectories, more than {MAX_TRAJECTORIES}; "
                           "use a smaller horizon")
    # grow the set step by step, dropping zero-probability prefixes
    states = np.arange(S)[:, None]
    actions = np.zeros((S, 0), dtype=int)
    prob = mu.copy()
    keep = prob > 0
    states, prob = states[keep], prob[keep]
    for t in range(H):
        s = states[:, -1]
        new_a = np.repeat(np.arange(A)[None, :], len(s), 0).ravel()
        rep = np.repeat(np.arange(len(s)), A)
        p = prob[rep] * pi[s[rep], new_a]
        states, actions = states[rep], np.column_stack([actions[rep], new_a])
        prob = p
        if t < H - 1:
            rep = np.repeat(np.arange(len(prob)), S)
            nxt = np.tile(np.arange(S), len(prob))
            p = prob[rep] * P[states[rep, -1], actions[rep, -1], nxt]
            states, actions, prob = np.column_stack([states[rep], nxt]), actions[rep], p
        keep = prob > 0
        states, actions, prob = states[keep], actions[keep], prob[keep]
    return Enumeration(Rollouts(states, actions, R[states, actions]), prob)


@dataclass(frozen=True)
class ExactMoments:
    r"""Exact quantities of one estimator by enumeration (``docs/theory.md`` E15, E16, E16b).

    ``mean``: $\mathbb E\hat g$ (clean); ``cov_trace``: $\operatorname{tr}\operatorname{Cov}\hat g$ of one rollout,
    clean; ``noise_weight``: $\mathbb E\sum_t\|c_t\|^2$, so zero-mean noise of variance $\sigma^2$ adds
    $\sigma^2\cdot$``noise_weight``; ``V0``, ``G2``, ``Gamma``: the terms of E16; ``W_H2``: $\mathbb E\max_t\|\psi_t\|^2$ of E16b.
    """

    mean: np.ndarray
    cov_trace: float
    noise_weight: float
    V0: float
    G2: float
    Gamma: float
    W_H2: float

    def e16b_noise_weight(self, gamma: float, horizon: int) -> float:
        """$HW_H^2/(1-\\gamma)^2$, the paper's noise weight for reward-to-go."""
        return horizon * self.W_H2 / (1 - gamma) ** 2


def exact_moments(enum: Enumeration, pi, gamma: float, estimator: str, noise_var=None) -> ExactMoments:
    """Exact mean and variance terms of an estimator; ``noise_var (S, A)`` gives heteroscedastic noise
    (``noise_weight`` then already includes it)."""
    ro, w = enum.rollouts, enum.prob
    coef = reward_coefficients(ro, pi, gamma, estimator)  # (M, H, S, A)
    g = np.einsum("mt,mtsa->msa", ro.rewards, coef)
    mean = np.einsum("m,msa->sa", w, g)
    cov_trace = float(w @ ((g - mean) ** 2).sum((1, 2)))
    sq = (coef**2).sum((2, 3))  # ||c_t||^2, (M, H)
    if noise_var is not None:
        sq = sq * noise_var[ro.states, ro.actions]
    noise_weight = float(w @ sq.sum(1))
    H = ro.states.shape[1]
    full = reward_coefficients(ro, pi, 1.0, "full")[:, 0]  # S(tau)
    G = ro.rewards @ gamma ** np.arange(H)
    grad = np.einsum("m,msa->sa", w, G[:, None, None] * full)
    V0 = float(w @ ((G[:, None, None] * full - grad) ** 2).sum((1, 2)))
    G2 = float(w @ (full**2).sum((1, 2)))
    psi = np.diff(reward_coefficients(ro, pi, 1.0, "reward-to-go"), axis=1, prepend=0.0)
    W_H2 = float(w @ (psi**2).sum((2, 3)).max(1))
    return ExactMoments(mean, cov_trace, noise_weight, V0, G2, float(np.sum(gamma ** (2 * np.arange(H)))), W_H2)


def exact_bias_shift(enum: Enumeration, pi, gamma: float, estimator: str, bias: np.ndarray) -> np.ndarray:
    r"""E17: the mean shift $\mathbb E\sum_t b(s_t,a_t)c_t$ a reward bias ``b (S, A)`` (or a scalar) causes."""
    ro = enum.rollouts
    coef = reward_coefficients(ro, pi, gamma, estimator)
    b = np.broadcast_to(np.asarray(bias, dtype=float), pi.shape)[ro.states, ro.actions]
    return np.einsum("m,mt,mtsa->sa", enum.prob, b, coef)


def brute_force_gradient(P, R, mu, gamma: float, horizon: int, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite differences of the exact return in theta (a third, slow route, for tests)."""
    from theory.mdp.finite import closed_loop, values
    from theory.mdp.rollouts import softmax_policy

    def J(th):
        P_pi, r_pi = closed_loop(P, R, softmax_policy(th))
        return mu @ values(P_pi, r_pi, gamma, horizon)

    grad = np.zeros_like(theta)
    for idx in itertools.product(*map(range, theta.shape)):
        e = np.zeros_like(theta)
        e[idx] = h
        grad[idx] = (J(theta + e) - J(theta - e)) / (2 * h)
    return grad


def noise_weights(mdp, estimator: str = "full", theta: np.ndarray | None = None) -> tuple[float, float]:
    r"""$(V_0, W)$ of E18 for a finite-horizon MDP at the softmax policy ``theta`` (default 0, uniform).

    Parameters
    ----------
    mdp : FiniteMDP
        With a finite horizon, small enough to enumerate every trajectory.
    estimator : {"full", "reward-to-go", "reward-to-go-no-discount-weight"}
        The REINFORCE estimator.
    theta : (S, A) array_like, optional
        Softmax policy parameters (default 0, the uniform policy).

    Returns
    -------
    V0 : float
        The clean single-rollout variance $\operatorname{tr}\operatorname{Cov}\hat g$.
    W : float
        The exact noise weight ($\Gamma G_2$ for the full return, E16), ready for :func:`theory.solve_noise_budget`.

    References
    ----------
    ``docs/theory.md`` E16, E18.
    """
    from theory import _validate as V

    if not np.isfinite(mdp.horizon):
        raise V.InputError("noise weights need a finite horizon (the trajectories are enumerated)")
    H = int(mdp.horizon)
    if H * np.log(mdp.S * mdp.A) > np.log(MAX_TRAJECTORIES):
        raise V.InputError(f"(S*A)^H = 10^{H * np.log10(mdp.S * mdp.A):.1f} trajectories: too many to enumerate "
                           f"(at most {MAX_TRAJECTORIES:g}); shorten the horizon")
    theta = np.zeros((mdp.S, mdp.A)) if theta is None else np.asarray(theta, float)
    pi = softmax_policy(theta)
    mom = exact_moments(enumerate_trajectories(mdp.P, mdp.R, pi, mdp.mu, H), pi, mdp.gamma, estimator)
    return float(mom.cov_trace), float(mom.noise_weight)
