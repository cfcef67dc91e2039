r"""How loose is the bound, and which to use: a hierarchy of return-gap bounds on one finite MDP (``docs/theory.md`` section 7).

For a true MDP $M$, a model $\hat M=(\hat P,\hat r)$ on the same spaces and the file's policy $\pi$,
with closed loops $P_\pi,r_\pi,\hat P_\pi,\hat r_\pi$, the true state distribution $d_t=\mu^\top P_\pi^t$
and the model's value-to-go $\hat V_t=\hat r_\pi+\gamma\hat P_\pi\hat V_{t+1}$, $\hat V_H=0$:

**The simulation identity** (exact; telescope $\gamma^t(\hat V_t(s_t)-\gamma\hat V_{t+1}(s_{t+1}))$ along
true trajectories):

.. math::
    J-\hat J=\sum_{t<H}\gamma^t\,\mathbb E_{s\sim d_t}\big[\Delta r(s)+\gamma\,(\Delta P\,\hat V_{t+1})(s)\big],
    \qquad \Delta r=r_\pi-\hat r_\pi,\ \Delta P=P_\pi-\hat P_\pi .

**Levels**, each at least $|J-\hat J|$, from the per-state terms

* value-aware: $|\Delta r(s)|+\gamma\,|(\Delta P\hat V_{t+1})(s)|$;
* Wasserstein: $|\Delta r(s)|+\gamma\,W_1(P_\pi(s),\hat P_\pi(s))\,\mathrm{Lip}_D(\hat V_{t+1})$
  (Kantorovich-Rubinstein duality);
* total variation: $|\Delta r(s)|+\gamma\,\mathrm{TV}(P_\pi(s),\hat P_\pi(s))\,\mathrm{span}(\hat V_{t+1})$
  ($|(p-q)\cdot v|\le\mathrm{TV}(p,q)\,\mathrm{span}(v)$ since $p-q$ sums to zero);

each summed as $\sum_t\gamma^t\mathbb E_{d_t}[\cdot]$ (on-policy) or $\sum_t\gamma^t\max_s[\cdot]$ (sup).
Theorems, tested: on-policy $\le$ sup level by level; value-aware $\le$ Wasserstein and $\le$ total
variation state by state. Above them: the paper's bound E3 with exact closed-loop constants and sup
errors (the smaller of the true and the learned model's), and the classical simulation lemma
(Kearns and Singh 2002) $\sum_t\gamma^t\big(\varepsilon_r+\gamma\,\varepsilon_1\,\|\hat V_{t+1}\|_\infty\big)$
with $\varepsilon_r=\max_{s,a}|r-\hat r|$, $\varepsilon_1=\max_{s,a}\|P-\hat P\|_1$ and
$\|\hat V_{t+1}\|_\infty\le\max|\hat r|\,C_{rew}(H-t-1)$, which is at least the sup total-variation
level (tested).

For $H=\infty$ the sums over $t$ are the discounted occupancy $\rho=\mu^\top(I-\gamma P_\pi)^{-1}$
(on-policy) and $1/(1-\gamma)$ (sup), with the stationary $\hat V$. Finite horizons are summed step by
step (at most :data:`MAX_STEPS`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.maths.bound import return_bound
from theory.maths.coefficients import c_rew
from theory.mdp.analysis import ClosedLoop, _constants, _errors
from theory.mdp.finite import FiniteMDP, closed_loop, values
from theory.mdp.transport import function_lipschitz, wasserstein
from theory.results import Result

MAX_STEPS = 100_000
LEVELS = ("exact", "on-policy value-aware", "on-policy wasserstein", "on-policy tv", "sup value-aware",
          "sup wasserstein", "sup tv", "paper", "classical")
# (smaller, larger) pairs that are theorems; every level is also at least the exact gap
ORDERINGS = (("on-policy value-aware", "sup value-aware"), ("on-policy wasserstein", "sup wasserstein"),
             ("on-policy tv", "sup tv"), ("on-policy value-aware", "on-policy wasserstein"),
             ("on-policy value-aware", "on-policy tv"), ("sup value-aware", "sup wasserstein"),
             ("sup value-aware", "sup tv"), ("sup tv", "classical"))
_SLACK = 1e-9  # relative: the levels are sums of nonnegative terms computed in floating point


@dataclass(frozen=True)
class Level(Result):
    """One bound of the hierarchy: its value, its looseness (value over the exact gap), and whether it holds."""

    name: str
    value: float
    looseness: float | None
    holds: bool


@dataclass(frozen=True)
class Hierarchy(Result):
    """The exact gap and every level of ``docs/theory.md`` section 7 on one MDP and model.

    ``identity_residual`` is $|(J-\\hat J)-\\text{simulation identity}|$ relative to the scale of the
    returns; ``orderings`` holds each theorem of the module docstring as checked here; ``success`` is
    True when every level holds, every ordering holds and the identity closes to rounding."""

    J: float
    J_model: float
    gap: float
    levels: tuple[Level, ...]
    orderings: dict[str, bool]
    identity_residual: float
    success: bool
    message: str

    def level(self, name: str) -> float:
        """The value of the level ``name``."""
        return next(lv.value for lv in self.levels if lv.name == name)


def _per_state(P_pi, Ph, r_pi, rh, V_next, W, TV, D, gamma):
    """The three per-state terms at one step, from the model's value-to-go ``V_next``."""
    dr = np.abs(r_pi - rh)
    va = dr + gamma * np.abs((P_pi - Ph) @ V_next)
    lip = function_lipschitz(V_next, D)[0] if V_next.size > 1 else 0.0
    ws = dr + gamma * W * lip
    tv = dr + gamma * TV * float(np.ptp(V_next))
    signed = (r_pi - rh) + gamma * ((P_pi - Ph) @ V_next)
    return va, ws, tv, signed


def bound_hierarchy(mdp: FiniteMDP, model) -> Hierarchy:
    r"""Every level of the hierarchy (module docstring) for ``mdp`` and a model of it; each closed loop is built once.

    Parameters
    ----------
    mdp : FiniteMDP
        The true MDP, with its policy, start distribution, discount, horizon and state metric.
    model : LearnedModel or FiniteMDP
        The model: its kernel ``P`` (rows on the simplex) and rewards ``R``, shaped like the true MDP's.

    Returns
    -------
    Hierarchy

    References
    ----------
    ``docs/theory.md`` section 7 and E3; Asadi, Misra and Littman (2018); Kearns and Singh (2002),
    the simulation lemma; Farahmand et al. (2017) for value-aware model errors.

    Examples
    --------
    >>> from theory.mdp.learned import random_chain, learn
    >>> mdp = random_chain(np.random.default_rng(0), S=5, horizon=10)
    >>> model = learn(mdp, 200, 200, 0.5, np.random.default_rng(1))
    >>> h = bound_hierarchy(mdp, model)
    >>> h.success, h.level("on-policy value-aware") >= h.gap
    (True, True)
    """
    S, A = mdp.S, mdp.A
    P_hat = V.as_array("P_hat", model.P)
    R_hat = V.as_array("R_hat", model.R)
    if P_hat.shape != (S, A, S) or R_hat.shape != (S, A):
        raise V.InputError(f"the model must have P of shape {(S, A, S)} and R of shape {(S, A)} like the true MDP, "
                           f"got {P_hat.shape} and {R_hat.shape}")
    FiniteMDP(P_hat, R_hat, mdp.D, mdp.gamma, mdp.horizon, mu=mdp.mu, pi=mdp.pi)  # the same checks as the true file
    g, H = mdp.gamma, mdp.horizon
    if math.isfinite(H) and H > MAX_STEPS:
        raise V.InputError(f"horizon {H:g}: the per-step levels sum at most {MAX_STEPS} steps; use a shorter or an "
                           "infinite horizon")
    true, learned = ClosedLoop.of(mdp, mdp.pi), ClosedLoop(*closed_loop(P_hat, R_hat, mdp.pi))
    (P_pi, r_pi), (Ph, rh) = (true.P, true.r), (learned.P, learned.r)
    W = wasserstein(P_pi, Ph, mdp.D)
    TV = 0.5 * np.abs(P_pi - Ph).sum(1)
    J = float(mdp.mu @ values(P_pi, r_pi, g, H))
    J_model = float(mdp.mu @ values(Ph, rh, g, H))
    sums = {k: 0.0 for k in ("on-policy value-aware", "on-policy wasserstein", "on-policy tv", "sup value-aware",
                             "sup wasserstein", "sup tv")}
    identity = 0.0
    if math.isinf(H):
        V_hat = np.linalg.solve(np.eye(S) - g * Ph, rh)
        rho = np.linalg.solve((np.eye(S) - g * P_pi).T, mdp.mu)  # discounted occupancy
        va, ws, tv, signed = _per_state(P_pi, Ph, r_pi, rh, V_hat, W, TV, mdp.D, g)
        for key, term in (("value-aware", va), ("wasserstein", ws), ("tv", tv)):
            sums[f"on-policy {key}"] = float(rho @ term)
            sums[f"sup {key}"] = float(term.max()) / (1 - g)
        identity = float(rho @ signed)
        v_norms = [float(np.abs(V_hat).max())]
    else:
        steps = int(H)
        # forward: d_t for every t; backward: V_{t+1}, so keep the d_t (S floats each; MAX_STEPS bounds it)
        d = np.empty((steps, S))
        d[0] = mdp.mu
        for t in range(1, steps):
            d[t] = d[t - 1] @ P_pi
        V_next = np.zeros(S)
        v_norms = []
        for t in range(steps - 1, -1, -1):
            va, ws, tv, signed = _per_state(P_pi, Ph, r_pi, rh, V_next, W, TV, mdp.D, g)
            w = g**t
            for key, term in (("value-aware", va), ("wasserstein", ws), ("tv", tv)):
                sums[f"on-policy {key}"] += w * float(d[t] @ term)
                sums[f"sup {key}"] += w * float(term.max())
            identity += w * float(d[t] @ signed)
            V_next = rh + g * (Ph @ V_next)
    eps_dyn, eps_rew = _errors(true, learned, mdp.D)
    paper = min(float(return_bound(g, H, eps_dyn, eps_rew, L=c.L, K_rpi=c.K_rpi).bound)
                for c in (_constants(true, mdp.D), _constants(learned, mdp.D)))
    eps_r = float(np.abs(mdp.R - R_hat).max())
    eps_1 = float(np.abs(mdp.P - P_hat).sum(-1).max())
    r_max = float(np.abs(R_hat).max())
    if math.isinf(H):
        classical = (eps_r + g * eps_1 * r_max / (1 - g)) / (1 - g)
    else:
        t = np.arange(int(H))
        classical = float(np.sum(g**t * (eps_r + g * eps_1 * r_max * c_rew(g, H - t - 1))))
    gap = abs(J - J_model)
    values_by_name = {"exact": gap, **sums, "paper": paper, "classical": classical}
    levels = tuple(Level(name, values_by_name[name], values_by_name[name] / gap if gap > 0 else None,
                         bool(values_by_name[name] >= gap * (1 - _SLACK) - 1e-300))
                   for name in LEVELS)
    orderings = {f"{a} <= {b}": bool(values_by_name[a] <= values_by_name[b] * (1 + _SLACK) + 1e-300) for a, b in ORDERINGS}
    scale = max(abs(J), abs(J_model), 1e-300)
    residual = abs((J - J_model) - identity) / scale
    failed = [lv.name for lv in levels if not lv.holds] + [k for k, ok in orderings.items() if not ok]
    if residual > 1e-9:
        failed.append(f"simulation identity residual {residual:.2g}")
    message = "every level holds, every ordering holds" if not failed else "failed: " + "; ".join(failed)
    return Hierarchy(J, J_model, gap, levels, orderings, residual, not failed, message)
