r"""Sensitivities of the bound (``DESIGN.md`` E6): which Lipschitz constant pays most to lower.

With $L=K_f(1+K_\pi)$ and $K_{r\pi}=K_r(1+K_\pi)$ substituted into E3, the partial derivatives
$\partial B/\partial K_f$, $\partial B/\partial K_r$, $\partial B/\partial K_\pi$ are positive, and the
elasticities $\frac{\partial\log B}{\partial\log\theta}$ say by what percentage the bound falls per
percent reduction of each $\theta$ (also for $\gamma$ and, by continuation of the closed form, $H$).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from . import _validate as V
from .bound import bound_expr, closed_loop_constants, return_bound
from .symbols import H, K_f, K_pi, K_r, K_rpi, L, eps_dyn, eps_rew, gamma

PARAMETERS = {"lip_dyn": K_f, "lip_rew": K_r, "lip_pi": K_pi, "gamma": gamma, "horizon": H}
_ARGS = (gamma, H, K_f, K_r, K_pi, eps_dyn, eps_rew)
_DELTA = 1e-4  # half-width of the symmetric average used next to removable singularities


@cache
def structured_bound(kind: str) -> sp.Expr:
    r"""$B$ of E3 in $(K_f,K_r,K_\pi)$; ``kind`` is ``"finite"`` (general branch) or ``"infinite"``."""
    Ls, Ks = closed_loop_constants()
    return bound_expr("general" if kind == "finite" else "infinite").subs({L: Ls, K_rpi: Ks})


@cache
def partial_derivatives(kind: str) -> dict[str, sp.Expr]:
    r"""$\partial B/\partial\theta$ for every parameter of :data:`PARAMETERS` (``horizon`` only when finite)."""
    B = structured_bound(kind)
    return {name: sp.diff(B, sym) for name, sym in PARAMETERS.items() if not (kind == "infinite" and sym is H)}


@cache
def _lambdified(kind: str):
    return {name: sp.lambdify(_ARGS, e, "numpy", cse=True) for name, e in partial_derivatives(kind).items()}


@dataclass(frozen=True)
class Sensitivity:
    """Partial derivatives, elasticities and the exact fall of the bound for a 1% cut of each constant."""

    bound: float
    partials: dict[str, float | None]
    elasticity: dict[str, float | None]
    drop_per_percent: dict[str, float]
    lower_first: str

    def to_dict(self) -> dict:
        return {"bound": self.bound, "partials": self.partials, "elasticity": self.elasticity,
                "drop_per_percent": self.drop_per_percent, "lower_first": self.lower_first}


def sensitivity(gamma: float, horizon, eps_dyn: float, eps_rew: float, K_f: float, K_r: float, K_pi: float) -> Sensitivity:
    r"""E6 at one parameter point: $\partial B/\partial\theta$, $\varepsilon_\theta=\frac{\theta}{B}\frac{\partial B}{\partial\theta}$,
    and $1-B(0.99\,\theta)/B(\theta)$ for the three Lipschitz constants.

    Next to a removable singularity ($L=1$, $\gamma=1$, $\gamma L=1$) the derivative of the general form
    is averaged at $\pm10^{-4}$ of the offending parameter (the derivative is smooth there).

    Examples
    --------
    >>> s = sensitivity(0.9, "inf", 0.01, 0.01, K_f=0.5, K_r=1.0, K_pi=0.2)
    >>> s.lower_first
    'lip_dyn'
    """
    res = return_bound(gamma, horizon, eps_dyn, eps_rew, K_f=K_f, K_r=K_r, K_pi=K_pi)
    if not bool(res.finite):
        raise V.InputError("the bound is infinite here (H = inf with gamma * L >= 1): no sensitivity to report")
    B = float(res.bound)
    kind = "infinite" if np.isinf(V.horizon(horizon)) else "finite"
    point = dict(gamma=float(gamma), H=float(V.horizon(horizon)) if kind == "finite" else np.inf,
                 K_f=float(K_f), K_r=float(K_r), K_pi=float(K_pi), eps_dyn=float(eps_dyn), eps_rew=float(eps_rew))
    Lc = point["K_f"] * (1 + point["K_pi"])
    near = kind == "finite" and (abs(Lc - 1) < 1e-6 or abs(point["gamma"] - 1) < 1e-6 or abs(point["gamma"] * Lc - 1) < 1e-6)
    partials: dict[str, float | None] = {}
    for name, f in _lambdified(kind).items():
        if near:
            vals = []
            for sign in (-1, 1):
                q = dict(point, K_f=point["K_f"] * (1 + sign * _DELTA), gamma=point["gamma"] * (1 + sign * _DELTA))
                vals.append(float(f(*q.values())))
            partials[name] = float(np.mean(vals))
        else:
            partials[name] = float(f(*point.values()))
    values = {"lip_dyn": K_f, "lip_rew": K_r, "lip_pi": K_pi, "gamma": gamma, "horizon": point["H"]}
    elasticity = {name: (None if B == 0 or partials.get(name) is None else partials[name] * float(values[name]) / B)
                  for name in PARAMETERS}
    drops = {}
    for name, key in (("lip_dyn", "K_f"), ("lip_rew", "K_r"), ("lip_pi", "K_pi")):
        kw = {"K_f": K_f, "K_r": K_r, "K_pi": K_pi}
        kw[key] = kw[key] * 0.99
        drops[name] = 1 - float(return_bound(gamma, horizon, eps_dyn, eps_rew, **kw).bound) / B if B else 0.0
    lower_first = max(drops, key=drops.get)
    return Sensitivity(B, partials, elasticity, drops, lower_first)
