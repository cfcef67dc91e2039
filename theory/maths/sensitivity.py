r"""Sensitivities of the bound (``docs/theory.md`` E6): which Lipschitz constant pays most to lower.

With $L=K_f(1+K_\pi)$ and $K_{r\pi}=K_r(1+K_\pi)$ substituted into E3,

.. math::
    \frac{\partial B}{\partial K_r}=\varepsilon_{dyn}(1+K_\pi)\,c,\qquad
    \frac{\partial B}{\partial K_f}=\varepsilon_{dyn}K_{r\pi}(1+K_\pi)\,\partial_L c,\qquad
    \frac{\partial B}{\partial K_\pi}=\varepsilon_{dyn}\big(K_r\,c+K_{r\pi}K_f\,\partial_L c\big),

where $c=C_{dyn}/K_{r\pi}$. $\partial_L c$, $\partial_\gamma B$ and $\partial_H B$ (the closed form
continued to real $H$) are Richardson-extrapolated central differences of the stable kernels of
:mod:`theory.maths.coefficients` (one-sided at the ends of the domain); the tests hold them against
SymPy's symbolic derivatives. The elasticity $\frac{\partial\log B}{\partial\log\theta}$ says by
what percentage the bound falls per percent reduction of $\theta$.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.maths.bound import return_bound
from theory.maths.coefficients import c_dyn, c_rew

__all__ = ["Sensitivity", "sensitivity", "PARAMETERS"]

PARAMETERS = ("K_f", "K_r", "K_pi", "gamma", "H")
LIPSCHITZ = ("K_f", "K_r", "K_pi")


@dataclass(frozen=True)
class Sensitivity:
    """Partial derivatives, elasticities and the exact fall of the bound for a 1% cut of each constant (E6).

    ``lower_first`` is ``None`` (with ``message`` saying why) when no Lipschitz constant can lower
    the bound at this point (zero dynamics error, $\\gamma=0$ or $H=1$).
    """

    bound: float
    partials: dict[str, float | None]
    elasticity: dict[str, float | None]
    drop_per_percent: dict[str, float]
    lower_first: str | None
    message: str

    def to_dict(self) -> dict:
        return {"bound": self.bound, "partials": self.partials, "elasticity": self.elasticity,
                "drop_per_percent": self.drop_per_percent, "lower_first": self.lower_first, "message": self.message}


def _derivative(f, x: float, lo: float, hi: float) -> float:
    """Richardson-extrapolated difference of a smooth scalar ``f`` at ``x`` inside ``[lo, hi]``."""
    h = 1e-3 * max(abs(x), 1e-3)
    h = min(h, 0.25 * (hi - x) if hi > x else h, 0.25 * (x - lo) if x > lo else h)
    if x - 2 * h >= lo and x + 2 * h <= hi:
        d = lambda s: (f(x + s) - f(x - s)) / (2 * s)  # noqa: E731
        return (4 * d(h / 2) - d(h)) / 3
    sign = 1.0 if x + 2 * h <= hi else -1.0
    d = lambda s: (f(x + sign * s) - f(x)) / (sign * s)  # noqa: E731
    return 2 * d(h / 2) - d(h)


def sensitivity(gamma: float, horizon, eps_dyn: float, eps_rew: float, *, K_f: float, K_r: float,
                K_pi: float) -> Sensitivity:
    r"""E6 at one parameter point: partials, elasticities and $1-B(0.99\,\theta)/B(\theta)$.

    Parameters
    ----------
    gamma, horizon, eps_dyn, eps_rew : float
        As in :func:`theory.return_bound`.
    K_f, K_r, K_pi : float
        Structured Lipschitz constants of the dynamics model, reward model and policy.

    Returns
    -------
    Sensitivity
        Partials and elasticities for ``K_f``, ``K_r``, ``K_pi``, ``gamma`` and ``H`` (``None`` for
        ``H`` when the horizon is infinite), and which constant to lower first.

    References
    ----------
    ``docs/theory.md`` E6.

    Examples
    --------
    >>> s = sensitivity(0.9, "inf", 0.01, 0.01, K_f=0.5, K_r=1.0, K_pi=0.2)
    >>> s.lower_first
    'K_f'
    """
    res = return_bound(gamma, horizon, eps_dyn, eps_rew, K_f=K_f, K_r=K_r, K_pi=K_pi)
    if not bool(res.finite):
        raise V.InputError(f"the bound is infinite here ({res.reason}): no sensitivity to report")
    B = float(res.bound)
    g, ed, er = float(gamma), float(eps_dyn), float(eps_rew)
    kf, kr, kp = float(K_f), float(K_r), float(K_pi)
    h = float(V.horizon(horizon))
    infinite = np.isinf(h)
    Lc = kf * (1 + kp)

    def c_unit(gg=g, LL=Lc, hh=h):  # C_dyn / K_rpi
        return float(c_dyn(gg, hh, LL, 1.0))

    def bound_at(gg=g, hh=h):
        return float(c_rew(gg, hh)) * er + float(c_dyn(gg, hh, Lc, kr * (1 + kp))) * ed

    c = c_unit()
    L_hi = (1 / g if g > 0 else np.inf) if infinite else np.inf
    dc_dL = _derivative(lambda LL: c_unit(LL=LL), Lc, 0.0, L_hi)
    g_hi = min(1.0, 1 / Lc if Lc > 0 else 1.0) if infinite else 1.0
    partials: dict[str, float | None] = {
        "K_f": ed * kr * (1 + kp) ** 2 * dc_dL,
        "K_r": ed * (1 + kp) * c,
        "K_pi": ed * (kr * c + kr * (1 + kp) * kf * dc_dL),
        "gamma": _derivative(lambda gg: bound_at(gg=gg), g, 0.0, g_hi),
        "H": None if infinite else _derivative(lambda hh: bound_at(hh=hh), h, 1.0, np.inf),
    }
    values = {"K_f": kf, "K_r": kr, "K_pi": kp, "gamma": g, "H": h}
    elasticity = {name: (None if B == 0 or partials[name] is None else partials[name] * values[name] / B)
                  for name in PARAMETERS}
    drops = {}
    for name in LIPSCHITZ:
        kw = {"K_f": kf, "K_r": kr, "K_pi": kp}
        kw[name] *= 0.99
        drops[name] = 1 - float(return_bound(gamma, horizon, eps_dyn, eps_rew, **kw).bound) / B if B else 0.0
    best = max(drops, key=drops.get)
    if drops[best] > 0:
        lower_first, message = best, f"lowering {best} by 1% lowers the bound most ({100 * drops[best]:.3g}%)"
    else:
        lower_first = None
        message = ("no Lipschitz constant changes the bound here: the dynamics term is zero "
                   "(eps_dyn = 0, K_r = 0, gamma = 0 or H = 1)")
    return Sensitivity(B, partials, elasticity, drops, lower_first, message)
