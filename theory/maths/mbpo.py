r"""MBPO's branched-rollout bound and the rollout length that minimises it (``docs/theory.md`` section 7).

Janner, Fu, Zhang and Levine (2019), *When to Trust Your Model*, Theorem 4.3, as stated in the
project's design notes (the source could not be read on this machine; the statement follows secondary notes):

.. math::
    \eta[\pi]\ge\eta^{branch}[\pi]-2r_{max}\Big[\frac{\gamma^{k+1}\epsilon_\pi}{(1-\gamma)^2}
    +\frac{\gamma^k\epsilon_\pi}{1-\gamma}+\frac{k\,\epsilon_{m'}}{1-\gamma}\Big].

The two $\epsilon_\pi$ terms sum to $\epsilon_\pi\gamma^k/(1-\gamma)^2$, so the penalty
$C(k)=2r_{max}\big[\epsilon_\pi\gamma^k/(1-\gamma)^2+k\epsilon_{m'}/(1-\gamma)\big]$ is convex in $k$ and
SymPy's root of $C'(k)=0$ is

.. math::
    k^*=\frac{\ln\!\big(\epsilon_{m'}(1-\gamma)/(\epsilon_\pi\ln(1/\gamma))\big)}{\ln\gamma}

when that is positive (else $k^*=0$); the best whole $k$ is $\lfloor k^*\rfloor$ or $\lceil k^*\rceil$.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.results import Result


@dataclass(frozen=True)
class BranchedBound(Result):
    """MBPO's penalty at every whole rollout length, its real minimiser $k^*$ and the best whole $k$."""

    k_star: float
    k_best: int
    penalty: np.ndarray  # C(k) for k = 0 .. len - 1


def penalty(k, gamma: float, eps_pi: float, eps_model: float, r_max: float) -> np.ndarray:
    r"""$C(k)=2r_{max}\big[\gamma^{k+1}\epsilon_\pi/(1-\gamma)^2+\gamma^k\epsilon_\pi/(1-\gamma)+k\epsilon_{m'}/(1-\gamma)\big]$ (Theorem 4.3 as written).

    Parameters
    ----------
    k : array_like
        Rollout lengths $k\ge0$.
    gamma : float
        Discount in $(0, 1)$.
    eps_pi, eps_model, r_max : float
        Policy shift $\epsilon_\pi$, model error $\epsilon_{m'}$, reward scale $r_{max}$.

    Returns
    -------
    ndarray

    References
    ----------
    ``docs/theory.md`` section 7; Janner et al. (2019), Theorem 4.3.
    """
    k = V.nonnegative("k", k)
    g = float(V.in_closed_interval("gamma", gamma, 0.0, 1.0))
    if not 0 < g < 1:
        raise V.InputError(f"gamma must lie in (0, 1) for the discounted MBPO bound, got {g:g}")
    return 2 * r_max * (g ** (k + 1) * eps_pi / (1 - g) ** 2 + g**k * eps_pi / (1 - g) + k * eps_model / (1 - g))


@functools.cache
def k_star_expression():
    """The stationary point of the penalty, solved by SymPy: ``(expression, symbols)``."""
    import sympy as sp

    k = sp.Symbol("k", real=True)
    g = sp.Symbol("gamma", positive=True)
    e_pi, e_m, r = sp.symbols("epsilon_pi epsilon_m r_max", positive=True)
    C = 2 * r * (g ** (k + 1) * e_pi / (1 - g) ** 2 + g**k * e_pi / (1 - g) + k * e_m / (1 - g))
    (root,) = sp.solve(sp.diff(C, k), k)
    return sp.simplify(root), (g, e_pi, e_m, r), C, k


def branched_bound(gamma: float, eps_pi: float, eps_model: float, r_max: float = 1.0, k_max: int = 200) -> BranchedBound:
    r"""$k^*$ from the closed form (module docstring), the best whole $k\le$ ``k_max`` and the penalty at each.

    Parameters
    ----------
    gamma : float
        Discount in $(0, 1)$.
    eps_pi, eps_model : float
        Policy shift and model error, $\ge0$ (``eps_model = 0``: any rollout is free, $k^*=\infty$).
    r_max : float
        Reward scale.
    k_max : int
        Whole lengths tabulated.

    Returns
    -------
    BranchedBound

    References
    ----------
    ``docs/theory.md`` section 7; Janner et al. (2019), Theorem 4.3.

    Examples
    --------
    >>> b = branched_bound(0.9, 0.1, 0.001)
    >>> b.k_best in (math.floor(b.k_star), math.ceil(b.k_star))
    True
    """
    g = float(gamma)
    e_pi, e_m = float(V.nonnegative("eps_pi", eps_pi)), float(V.nonnegative("eps_model", eps_model))
    ks = np.arange(int(k_max) + 1, dtype=float)
    C = penalty(ks, g, e_pi, e_m, r_max)
    if e_m == 0:
        k_star = math.inf if e_pi > 0 else 0.0
    elif e_pi == 0:
        k_star = 0.0
    else:
        k_star = max(0.0, math.log(e_m * (1 - g) / (e_pi * math.log(1 / g))) / math.log(g))
    return BranchedBound(k_star, int(np.argmin(C)), C)
