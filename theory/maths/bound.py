r"""The return-error bound for training in imagination, numerically (``docs/theory.md`` E1 to E5).

Extends Asadi, Misra and Littman (2018), "Lipschitz Continuity in Model-based
Reinforcement Learning", ICML, Thm. 1 (compounding error) and Thm. 2 (value gap for
$H=\infty$), to a learned reward model and to finite horizons:

.. math::
    |J(\pi)-\hat J(\pi)| \le B = C_{rew}\,\varepsilon_{rew} + C_{dyn}\,\varepsilon_{dyn},
    \quad C_{rew}=\sum_{t=0}^{H-1}\gamma^t,
    \quad C_{dyn}=K_{r\pi}\sum_{u=1}^{H-1}\gamma^u\sum_{i=0}^{u-1}L^i .

This module is pure NumPy: the coefficients come from :mod:`theory.maths.coefficients`, whose
cancellation-free kernels the tests prove equal to the SymPy closed forms of
:mod:`theory.maths.bound_symbolic` (which only symbolic requests import).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.results import Result
from theory.maths.coefficients import _gaps, c_dyn, c_rew, geometric_sum

__all__ = ["BoundResult", "coefficients", "compounding_factor", "exceeds", "resolve_constants", "return_bound",
           "suboptimality_bound", "REASON_INFINITE", "REASON_OVERFLOW"]

REASON_INFINITE = "infinite horizon with gamma * L >= 1: the dynamics term compounds without bound (docs/theory.md E3)"
REASON_OVERFLOW = "overflow: the exact bound exceeds the float range (about 1.8e308)"


@dataclass(frozen=True)
class BoundResult(Result):
    r"""Result of :func:`return_bound` (E3); every array broadcasts over the inputs.

    Parameters
    ----------
    c_rew, c_dyn : ndarray
        The coefficients $C_{rew}$ and $C_{dyn}$ of E3.
    reward_term, dynamics_term : ndarray
        $C_{rew}\varepsilon_{rew}$ and $C_{dyn}\varepsilon_{dyn}$.
    bound : ndarray
        $B$, their sum; ``inf`` where the bound is infinite (``finite`` False).
    L, K_rpi : ndarray
        The closed-loop constants the bound used.
    finite : ndarray of bool
        Where the bound is finite.
    message : str
        Empty where every bound is finite, else why not: ``REASON_INFINITE`` ($H=\infty$ with $\gamma L\ge1$ and
        a dynamics term that does not vanish) or ``REASON_OVERFLOW`` (finite, but beyond the float range); both
        when both occur.
    """

    c_rew: np.ndarray
    c_dyn: np.ndarray
    reward_term: np.ndarray
    dynamics_term: np.ndarray
    bound: np.ndarray
    L: np.ndarray
    K_rpi: np.ndarray
    finite: np.ndarray
    message: str


def resolve_constants(*, L=None, K_rpi=None, K_f=None, K_r=None, K_pi=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Closed-loop constants from either ($L$, $K_{r\pi}$) or ($K_f$, $K_r$, $K_\pi$).

    $L=K_f(1+K_\pi)$, $K_{r\pi}=K_r(1+K_\pi)$ (``docs/theory.md`` section 0). Mixing the two
    forms is an error, so the constants of one model are never combined with another's.

    Parameters
    ----------
    L, K_rpi : array_like, optional
        Closed-loop constants.
    K_f, K_r, K_pi : array_like, optional
        Structured constants of the dynamics, reward and policy.

    Returns
    -------
    L : ndarray
        The closed-loop Lipschitz constant of the dynamics.
    K_rpi : ndarray
        The closed-loop Lipschitz constant of the reward.

    References
    ----------
    ``docs/theory.md`` section 0.
    """
    structured = (K_f, K_r, K_pi)
    if L is not None or K_rpi is not None:
        if any(v is not None for v in structured):
            raise V.InputError("give either L and K_rpi (closed loop) or K_f, K_r, K_pi (structured), not both")
        if L is None or K_rpi is None:
            raise V.InputError("closed-loop constants need both L and K_rpi")
        return V.nonnegative("L", L), V.nonnegative("K_rpi", K_rpi)
    if any(v is None for v in structured):
        raise V.InputError("give K_f, K_r and K_pi (structured) or L and K_rpi (closed loop)")
    kf, kr, kp = V.nonnegative("K_f", K_f), V.nonnegative("K_r", K_r), V.nonnegative("K_pi", K_pi)
    with np.errstate(over="ignore"):
        Lc, Kc = kf * (1 + kp), kr * (1 + kp)
    if np.isinf(Lc).any() or np.isinf(Kc).any():
        raise V.InputError("K_f (1 + K_pi) and K_r (1 + K_pi) must stay below the float range (about 1.8e308)")
    return Lc, Kc


def _inputs(gamma, horizon, constants: dict):
    g = V.in_closed_interval("gamma", gamma, 0.0, 1.0)
    h = V.horizon(horizon)
    Lc, Kc = resolve_constants(**constants)
    if (np.isinf(h) & (g >= 1)).any():
        raise V.InputError("gamma must be < 1 when the horizon is infinite (the discounted return diverges at gamma = 1)")
    return g, h, Lc, Kc


def coefficients(gamma, horizon, **constants) -> tuple[np.ndarray, np.ndarray]:
    r"""The coefficients $(C_{dyn}, C_{rew})$ of E3, so that $B=C_{rew}\varepsilon_{rew}+C_{dyn}\varepsilon_{dyn}$.

    Parameters
    ----------
    gamma : array_like
        Discount in $[0, 1]$ ($<1$ when the horizon is infinite).
    horizon : array_like or ``"inf"``
        Integer $H\ge1$ (up to about $10^{12}$), or ``inf``.
    **constants
        ``L`` and ``K_rpi`` (closed loop), or ``K_f``, ``K_r`` and ``K_pi`` (structured).

    Returns
    -------
    C_dyn : ndarray
        $C_{dyn}$, with relative error below $10^{-10}$ everywhere, branch points included; ``inf`` for
        $H=\infty$ with $\gamma L\ge1$ and where the exact value exceeds the float range.
    C_rew : ndarray
        $C_{rew}=\sum_{t<H}\gamma^t$, to the same accuracy.

    References
    ----------
    ``docs/theory.md`` E3; Asadi, Misra and Littman (2018), Thm. 2.

    Examples
    --------
    >>> c_dyn, c_rew = coefficients(0.9, "inf", K_f=0.5, K_r=1.0, K_pi=0.5)
    >>> round(float(c_dyn), 6), round(float(c_rew), 6)  # 0.9 * 1.5 / (0.1 * (1 - 0.675)), 1 / 0.1
    (41.538462, 10.0)
    """
    g, h, Lc, Kc = _inputs(gamma, horizon, constants)
    with np.errstate(over="ignore"):
        cd, cr = c_dyn(g, h, Lc, Kc), c_rew(g, h)
    return _squeeze(cd), _squeeze(cr)


def _squeeze(a):
    a = np.asarray(a)
    return a[()] if a.ndim == 0 else a


def return_bound(gamma, horizon, eps_dyn, eps_rew, **constants) -> BoundResult:
    r"""Evaluate $B=C_{rew}\varepsilon_{rew}+C_{dyn}\varepsilon_{dyn}$ (``docs/theory.md`` E3) on arrays.

    Parameters
    ----------
    gamma : array_like
        Discount in $[0, 1]$; $\gamma=1$ needs a finite horizon.
    horizon : array_like or ``"inf"``
        Integer $H\ge1$, or ``inf``.
    eps_dyn, eps_rew : array_like
        One-step errors $\varepsilon_{dyn}$ (sup $W_1$) and $\varepsilon_{rew}$ (sup abs), $\ge0$.
    **constants
        ``L`` and ``K_rpi`` (closed loop), or ``K_f``, ``K_r`` and ``K_pi`` (structured).

    Returns
    -------
    BoundResult
        All inputs broadcast; a grid of a million points is one call. Never negative or NaN
        for valid input; ``inf`` only with a ``message``.

    References
    ----------
    ``docs/theory.md`` E3; Asadi, Misra and Littman (2018), Thm. 2.

    Examples
    --------
    >>> r = return_bound(0.9, "inf", 0.01, 0.02, K_f=0.5, K_r=1.0, K_pi=0.5)
    >>> round(float(r.bound), 6)  # 0.02/0.1 + 0.9*1.5/(0.1*(1-0.675)) * 0.01
    0.615385
    """
    g, h, Lc, Kc = _inputs(gamma, horizon, constants)
    ed = V.nonnegative("eps_dyn", eps_dyn)
    er = V.nonnegative("eps_rew", eps_rew)
    g, h, ed, er, Lc, Kc = np.broadcast_arrays(g, h, ed, er, Lc, Kc)
    with np.errstate(over="ignore", invalid="ignore"):
        cr, cd = c_rew(g, h), c_dyn(g, h, Lc, Kc)
        # 0 * inf: no dynamics error means no dynamics term at all.
        dyn_term = np.where(ed == 0, 0.0, cd * ed)
        rew_term = np.where(er == 0, 0.0, cr * er)
        total = rew_term + dyn_term
    finite = np.isfinite(total)
    message = ""
    if not finite.all():
        gl_at_least_one = _gaps(g, Lc)[1] >= 0
        compounding = np.isinf(h) & gl_at_least_one & (ed > 0) & (Kc > 0) & (g > 0)
        parts = []
        if (compounding & ~finite).any():
            parts.append(REASON_INFINITE)
        if (~compounding & ~finite).any():
            parts.append(REASON_OVERFLOW)
        message = "; ".join(parts)
    return BoundResult(*(_squeeze(a) for a in (cr, cd, rew_term, dyn_term, total, Lc, Kc, finite)), message)


def exceeds(gap, bound, slack=0.0):
    """Where ``gap`` exceeds ``bound`` by more than float round-off (relative 1e-9, absolute 1e-12) plus
    ``slack`` (for instance a truncation tail): the one test of a bound violation used everywhere."""
    return np.asarray(gap) > np.asarray(bound) * (1 + 1e-9) + slack + 1e-12


def compounding_factor(L, t) -> np.ndarray:
    r"""E4 factor $\sum_{i=0}^{t-1}L^i$: the multi-step state error is at most $\varepsilon_{dyn}$ times this.

    Evaluated as $\operatorname{expm1}(t\log L)/(L-1)$ with $\log L$ from ``log1p``, exact at and
    near $L=1$ (where it is $t$); ``inf`` only beyond the float range.

    Parameters
    ----------
    L : array_like
        Closed-loop Lipschitz constant $L\ge0$.
    t : array_like
        Number of steps $t\ge0$ (real values continue the sum).

    Returns
    -------
    ndarray
        $\sum_{i<t}L^i$, broadcast over the inputs.

    References
    ----------
    ``docs/theory.md`` E4; Asadi, Misra and Littman (2018), Thm. 1.

    Examples
    --------
    >>> float(compounding_factor(1.0, 7)), float(compounding_factor(2.0, 3))
    (7.0, 7.0)
    """
    Lc = V.nonnegative("L", L)
    tt = V.nonnegative("t", t)
    with np.errstate(over="ignore"):
        return _squeeze(geometric_sum(Lc, tt))


def suboptimality_bound(bound_at_optimum, bound_at_learned) -> np.ndarray:
    r"""E5: $J(\pi^*)-J(\hat\pi)\le B(\pi^*)+B(\hat\pi)$ when $\hat\pi$ maximises $\hat J$.

    Parameters
    ----------
    bound_at_optimum, bound_at_learned : array_like
        $B(\pi^*)$ and $B(\hat\pi)$ of E3.

    Returns
    -------
    ndarray
        Their sum.

    References
    ----------
    ``docs/theory.md`` E5.
    """
    return V.nonnegative("bound_at_optimum", bound_at_optimum) + V.nonnegative("bound_at_learned", bound_at_learned)
