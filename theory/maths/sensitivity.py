r"""Sensitivities of the bound (``docs/theory.md`` E6): which Lipschitz constant pays most to lower.

With $L=K_f(1+K_\pi)$ and $K_{r\pi}=K_r(1+K_\pi)$ substituted into E3,

.. math::
    \frac{\partial B}{\partial K_r}=\varepsilon_{dyn}(1+K_\pi)\,c,\qquad
    \frac{\partial B}{\partial K_f}=\varepsilon_{dyn}K_{r\pi}(1+K_\pi)\,\partial_L c,\qquad
    \frac{\partial B}{\partial K_\pi}=\varepsilon_{dyn}\big(K_r\,c+K_{r\pi}K_f\,\partial_L c\big),

where $c=C_{dyn}/K_{r\pi}$. $\partial_L c$, $\partial_\gamma B$ and $\partial_H B$ (the closed form
continued to real $H$) are Richardson-extrapolated differences of the stable kernels of
:mod:`theory.maths.coefficients` (one-sided at the ends of the domain) with steps chosen from the
local scale of the terms $x^H$ and $1/(1-x)$ at the nodes $\gamma$ and $\gamma L$; the tests hold
them against a 60-digit mpmath reference from horizon 1 to $10^{9}$ and next to every branch point. The elasticity $\frac{\partial\log B}{\partial\log\theta}$ says by
what percentage the bound falls per percent reduction of $\theta$.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.results import Result
from theory.maths.bound import return_bound
from theory.maths.coefficients import c_dyn, c_rew

__all__ = ["Sensitivity", "sensitivity", "PARAMETERS"]

PARAMETERS = ("lip_dyn", "lip_rew", "lip_pi", "gamma", "horizon")  # the vocabulary's names (theory.vocabulary)
LIPSCHITZ = ("lip_dyn", "lip_rew", "lip_pi")
_KEYWORD = {"lip_dyn": "K_f", "lip_rew": "K_r", "lip_pi": "K_pi"}  # their Python keywords


@dataclass(frozen=True)
class Sensitivity(Result):
    r"""Partial derivatives, elasticities and the exact fall of the bound for a 1% cut of each constant (E6).

    Parameters
    ----------
    bound : float
        The bound $B$ at the point.
    partials : dict of str to float or None
        $\partial B/\partial\theta$ by concept: ``lip_dyn`` ($K_f$), ``lip_rew`` ($K_r$), ``lip_pi`` ($K_\pi$),
        ``gamma`` and ``horizon`` (``None`` where undefined, say in $H$ for an infinite horizon).
    elasticity : dict of str to float or None
        $\partial\log B/\partial\log\theta$, the percent change of $B$ per percent of $\theta$.
    drop_per_percent : dict of str to float
        The exact relative fall of $B$ when each Lipschitz constant is cut by 1%.
    lower_first : str or None
        The constant whose cut lowers the bound most; ``None`` (with ``message`` saying why) when no Lipschitz
        constant can lower it here (zero dynamics error, $\gamma=0$ or $H=1$).
    message : str
        Why ``lower_first`` is ``None``, or what lowering it buys.
    success : bool
        True: the derivatives are always found (an infinite bound raises instead).
    """

    bound: float
    partials: dict[str, float | None]
    elasticity: dict[str, float | None]
    drop_per_percent: dict[str, float]
    lower_first: str | None
    message: str
    success: bool = True


def _node_scale(x: float, h: float) -> float:
    r"""Relative scale (in $\log x$) on which the terms $x^H$ and $1/(1-x)$ of E3 vary at a node $x$.

    $x^H$ changes by a factor $e$ when $\log x$ moves by $1/H$; below 1 with $H|\log x|\gg1$ it is
    negligible and the sum $\sum_{k<H}x^k\approx1/(1-x)$ varies on the scale $|\log x|$; for $H=\infty$
    only that pole remains. Capped at 1 (a polynomial of low degree is smooth on the unit scale).
    """
    if x <= 0:
        return 1.0
    lx = abs(math.log(x))
    if math.isinf(h):
        return min(1.0, lx)
    return min(1.0, 1.0 / h if x >= 1 else max(1.0 / h, lx))


def _richardson(f, x: float, step: float, sign: float, central: bool, levels: int) -> float:
    r"""Neville tableau of central (error in $h^2, h^4, \dots$) or one-sided (error in $h, h^2, \dots$)
    differences at steps ``step / 2**k``, ``k = 0 .. levels - 1``; returns the last extrapolant.

    ``step`` is a power of two, so ``x + s`` and ``x - s`` are exact whenever ``s`` is at least the
    spacing of floats at ``x``; the denominators use the steps actually taken all the same."""
    p, q = (2, 2) if central else (1, 1)
    f0 = None if central else f(x)
    row: list[float] = []
    for k in range(levels):
        s = step / 2**k
        if central:
            xp, xm = x + s, x - s
            d = (f(xp) - f(xm)) / (xp - xm)
        else:
            xs = x + sign * s
            d = (f(xs) - f0) / (xs - x)
        new = [d]
        for j in range(1, k + 1):
            new.append(new[j - 1] + (new[j - 1] - row[j - 1]) / (2 ** (p + (j - 1) * q) - 1))
        row = new
    return row[-1]


def _power_of_two(v: float) -> float:
    return 2.0 ** math.floor(math.log2(v))


def _derivative(f, x: float, lo: float, hi: float, scale: float) -> float:
    r"""$f'(x)$ for a smooth scalar ``f`` on ``[lo, hi]`` that varies on the absolute ``scale`` at ``x``.

    The step is a fixed fraction of the local scale (not of $|x|$: at $H=10^6$ the bound varies on
    $\gamma/H$), so the error is the same small multiple of the derivative everywhere. The steps are
    large (a tenth of the scale) because the kernels are accurate to about $10^{-13}$ relative, not
    to the last bit, and a difference divides that error by the step; the truncation error is then
    removed by the tableau: central differences at $h$, $h/2$, $h/4$, $h/8$ with $h\approx0.1$ scale
    (error $O((h/\text{scale})^8)/9!$), or at an end of the domain one-sided differences at six
    halvings of $h\approx0.05$ scale (error $O((h/\text{scale})^6)/7!$).
    """
    h = _power_of_two(0.1 * scale)
    if x - h >= lo and x + h <= hi:
        return _richardson(f, x, h, 1.0, True, 4)
    h = _power_of_two(min(0.05 * scale, 0.5 * max(hi - x, x - lo)))
    return _richardson(f, x, h, 1.0 if x + h <= hi else -1.0, False, 6)


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
        Partials and elasticities by concept, ``lip_dyn``, ``lip_rew``, ``lip_pi``, ``gamma`` and ``horizon``
        (``None`` in ``horizon`` when it is infinite), and which constant to lower first.

    References
    ----------
    ``docs/theory.md`` E6.

    Examples
    --------
    >>> s = sensitivity(0.9, "inf", 0.01, 0.01, K_f=0.5, K_r=1.0, K_pi=0.2)
    >>> s.lower_first
    'lip_dyn'
    """
    res = return_bound(gamma, horizon, eps_dyn, eps_rew, K_f=K_f, K_r=K_r, K_pi=K_pi)
    if not bool(res.finite):
        raise V.InputError(f"the bound is infinite here ({res.message}): no sensitivity to report")
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
    gl = g * Lc
    L_hi = (1 / g if g > 0 else np.inf) if infinite else np.inf
    dc_dL = _derivative(lambda LL: c_unit(LL=LL), Lc, 0.0, L_hi, max(Lc, 1e-3) * _node_scale(gl, h))
    g_hi = min(1.0, 1 / Lc if Lc > 0 else 1.0) if infinite else 1.0
    g_scale = max(g, 1e-3) * min(_node_scale(g, h), _node_scale(gl, h))
    # in H a term x^H varies on 1 / |log x|; a node below 1 with x^H < e^-40 no longer counts
    logs = [math.log(x) for x in (g, gl) if x > 0]
    h_scale = min([h] + [1 / abs(v) for v in logs if v > 0 or (v < 0 and -v * h < 40)])
    partials: dict[str, float | None] = {
        "lip_dyn": ed * kr * (1 + kp) ** 2 * dc_dL,
        "lip_rew": ed * (1 + kp) * c,
        "lip_pi": ed * (kr * c + kr * (1 + kp) * kf * dc_dL),
        "gamma": _derivative(lambda gg: bound_at(gg=gg), g, 0.0, g_hi, g_scale),
        "horizon": None if infinite else _derivative(lambda hh: bound_at(hh=hh), h, 1.0, np.inf, h_scale),
    }
    values = {"lip_dyn": kf, "lip_rew": kr, "lip_pi": kp, "gamma": g, "horizon": h}
    elasticity = {name: (None if B == 0 or partials[name] is None else partials[name] * values[name] / B)
                  for name in PARAMETERS}
    drops = {}
    for name in LIPSCHITZ:
        kw = {"K_f": kf, "K_r": kr, "K_pi": kp}
        kw[_KEYWORD[name]] *= 0.99
        drops[name] = 1 - float(return_bound(gamma, horizon, eps_dyn, eps_rew, **kw).bound) / B if B else 0.0
    best = max(drops, key=drops.get)
    if drops[best] > 0:
        lower_first, message = best, f"lowering {best} ({_KEYWORD[best]}) by 1% lowers the bound most ({100 * drops[best]:.3g}%)"
    else:
        lower_first = None
        message = ("no Lipschitz constant changes the bound here: the dynamics term is zero "
                   "(eps_dyn = 0, K_r = 0, gamma = 0 or H = 1)")
    return Sensitivity(B, partials, elasticity, drops, lower_first, message)
