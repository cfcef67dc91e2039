r"""The return-error bound as SymPy expressions (``docs/theory.md`` E1 to E5): derivations and the symbolic API.

The formulas are those of :mod:`theory.maths.bound` (the Asadi, Misra and Littman (2018) analysis extended to a
learned reward and to finite horizons), kept here as exact expressions with their branches.

Only symbolic requests import this module (``import theory`` does not load SymPy). The public
entry points are :func:`bound_piecewise` (the whole bound, branches and conditions inside one
``Piecewise``), :data:`SYMBOLS` with :func:`substitute` (the package's own symbols, so a user's
``Symbol("gamma")`` cannot silently fail to match), and :func:`lambdify_bound` (a NumPy function
of the bound that evaluates through the cancellation-free kernels of :mod:`theory.maths.coefficients`,
so it never returns a negative or garbage number).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import numpy as np
import sympy as sp

from theory import _validate as V
from theory.symbols import H, K_f, K_pi, K_r, K_rpi, L, eps_dyn, eps_rew, gamma, i, t, u

__all__ = ["SYMBOLS", "bound_piecewise", "branch_of", "lambdify_bound", "substitute"]

#: The symbols of the bound, by the names the numeric API uses. Assumptions: ``gamma``, ``L``,
#: ``K_rpi``, ``K_f``, ``K_r``, ``K_pi``, ``eps_dyn``, ``eps_rew`` nonnegative; ``H`` a positive integer.
SYMBOLS: dict[str, sp.Symbol] = {"gamma": gamma, "H": H, "L": L, "K_rpi": K_rpi, "K_f": K_f, "K_r": K_r,
                                 "K_pi": K_pi, "eps_dyn": eps_dyn, "eps_rew": eps_rew}


# --------------------------------------------------------------------------- symbolic
def closed_loop_expressions() -> tuple[sp.Expr, sp.Expr]:
    r"""$L=K_f(1+K_\pi)$ and $K_{r\pi}=K_r(1+K_\pi)$ (``docs/theory.md`` section 0)."""
    return K_f * (1 + K_pi), K_r * (1 + K_pi)


def value_lipschitz_recursion(horizon: int) -> list[sp.Expr]:
    r"""E1 unrolled: $\ell_H=0$, $\ell_t=K_{r\pi}+\gamma L\ell_{t+1}$; returns $[\ell_0,\dots,\ell_H]$."""
    ell = [sp.Integer(0)]
    for _ in range(horizon):
        ell.append(sp.expand(K_rpi + gamma * L * ell[-1]))
    return ell[::-1]


def value_lipschitz_closed(tt: sp.Expr = t) -> sp.Expr:
    r"""E1 closed form $\ell_t=K_{r\pi}\sum_{i=0}^{H-t-1}(\gamma L)^i$ as a SymPy ``Sum``."""
    return K_rpi * sp.Sum((gamma * L) ** i, (i, 0, H - tt - 1))


def per_step_error_recursion(horizon: int) -> sp.Expr:
    r"""E2 unrolled as an equality: $\Delta_t=\varepsilon_{rew}+\gamma\ell_{t+1}\varepsilon_{dyn}+\gamma\Delta_{t+1}$, $\Delta_H=0$.

    Returns $\Delta_0$, the value-gap bound the simulation-lemma step gives.
    """
    ell = value_lipschitz_recursion(horizon)
    delta = sp.Integer(0)
    for step in reversed(range(horizon)):
        delta = eps_rew + gamma * ell[step + 1] * eps_dyn + gamma * delta
    return sp.expand(delta)


def c_rew_sum() -> sp.Sum:
    r"""$C_{rew}=\sum_{t=0}^{H-1}\gamma^t$ (E3), unevaluated."""
    return sp.Sum(gamma**t, (t, 0, H - 1))


def c_dyn_sum() -> sp.Expr:
    r"""$C_{dyn}=K_{r\pi}\sum_{u=1}^{H-1}\gamma^u\sum_{i=0}^{u-1}L^i$ (E3), unevaluated."""
    return K_rpi * sp.Sum(gamma**u * sp.Sum(L**i, (i, 0, u - 1)), (u, 1, H - 1))


@cache
def c_rew_closed() -> dict[str, sp.Expr]:
    r"""Closed forms of $C_{rew}$: ``general`` ($\gamma\ne1$), ``gamma=1``, ``infinite`` ($H=\infty$, $\gamma<1$)."""
    return {
        "general": (1 - gamma**H) / (1 - gamma),
        "gamma=1": H,
        "infinite": 1 / (1 - gamma),
    }


@cache
def c_dyn_closed() -> dict[str, sp.Expr]:
    r"""Closed forms of $C_{dyn}$ (E3), one per branch.

    ``general``: $\frac{K_{r\pi}}{L-1}\Big(\frac{1-(\gamma L)^H}{1-\gamma L}-\frac{1-\gamma^H}{1-\gamma}\Big)$;
    the removable cases ``L=1``, ``gamma=1``, ``gammaL=1`` and ``gamma=1,L=1`` are derived by
    SymPy from the defining double sum with the special value substituted;
    ``infinite``: $\frac{\gamma K_{r\pi}}{(1-\gamma)(1-\gamma L)}$ for $H=\infty$, $\gamma L<1$.
    """
    general = K_rpi / (L - 1) * ((1 - (gamma * L) ** H) / (1 - gamma * L) - (1 - gamma**H) / (1 - gamma))
    summand = gamma**u * sp.Sum(L**i, (i, 0, u - 1))

    def branch(subs: dict) -> sp.Expr:
        expr = K_rpi * sp.summation(summand.subs(subs).doit(), (u, 1, H - 1))
        # SymPy returns a Piecewise over the remaining special values; take the generic piece.
        if isinstance(expr, sp.Piecewise):
            expr = expr.args[-1][0]
        expr = expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[-1][0])
        return sp.factor(sp.simplify(expr))

    return {
        "general": general,
        "L=1": branch({L: 1}),
        "gamma=1": branch({gamma: 1}),
        "gammaL=1": branch({gamma: 1 / L}),
        "gamma=1,L=1": branch({gamma: 1, L: 1}),
        "infinite": gamma * K_rpi / ((1 - gamma) * (1 - gamma * L)),
    }


def compounding_closed() -> sp.Expr:
    r"""E4: $\delta_t\le\varepsilon_{dyn}\sum_{i=0}^{t-1}L^i=\varepsilon_{dyn}\frac{L^t-1}{L-1}$ ($t\varepsilon_{dyn}$ at $L=1$)."""
    return sp.Piecewise((eps_dyn * t, sp.Eq(L, 1)), (eps_dyn * (L**t - 1) / (L - 1), True))




def _is_infinite(horizon) -> bool:
    if horizon is sp.oo:
        return True
    if isinstance(horizon, str):
        return horizon.strip().lower() in {"inf", "infinity", "oo"}
    return isinstance(horizon, (int, float)) and math.isinf(horizon)


def bound_piecewise(horizon=H) -> sp.Piecewise:
    r"""The bound $B$ of E3 as one SymPy ``Piecewise`` in the symbols of :data:`SYMBOLS`.

    Parameters
    ----------
    horizon : sympy expression, int or ``sp.oo``
        The symbol ``H`` (default: every finite horizon), an integer, or ``sp.oo`` / ``"inf"``.

    Returns
    -------
    sympy.Piecewise
        Finite horizon: the branches $\gamma=L=1$, $\gamma=1$, $L=1$, $\gamma L=1$ and the general
        form, in that order. Infinite horizon: $\varepsilon_{rew}/(1-\gamma)$ when the dynamics term
        vanishes, the closed form under $\gamma L<1$, and $\infty$ otherwise.

    References
    ----------
    ``docs/theory.md`` E3; Asadi, Misra and Littman (2018), Thm. 2.

    Examples
    --------
    >>> B = bound_piecewise(sp.oo)
    >>> substitute(B, gamma=0.5, L=4, K_rpi=1, eps_dyn=1, eps_rew=0)
    oo
    """
    if _is_infinite(horizon):
        return sp.Piecewise(
            (c_rew_closed()["infinite"] * eps_rew, sp.Eq(eps_dyn * K_rpi * gamma, 0)),
            (branch_expr("infinite"), gamma * L < 1),
            (sp.oo, True),
        )
    conditions = {"gamma=1,L=1": sp.Eq(gamma, 1) & sp.Eq(L, 1), "gamma=1": sp.Eq(gamma, 1), "L=1": sp.Eq(L, 1),
                  "gammaL=1": sp.Eq(gamma * L, 1), "general": True}
    piecewise = sp.Piecewise(*((branch_expr(name), cond) for name, cond in conditions.items()))
    return piecewise if horizon is H else piecewise.subs(H, horizon)


def branch_expr(branch: str) -> sp.Expr:
    """One branch of :func:`bound_piecewise` by the name :func:`branch_of` returns (``"infinite bound"`` is ``oo``)."""
    if branch == "infinite bound":
        return sp.oo
    rew = c_rew_closed()
    c_r = rew["infinite"] if branch == "infinite" else (rew["gamma=1"] if branch.startswith("gamma=1") else rew["general"])
    return c_r * eps_rew + c_dyn_closed()[branch] * eps_dyn


def branch_of(gamma_value: float, horizon, L_value: float) -> str:
    """Which branch of :func:`bound_piecewise` applies at these numbers (exact rational comparison)."""
    if _is_infinite(horizon):
        return "infinite" if Fraction(gamma_value) * Fraction(L_value) < 1 else "infinite bound"
    g1, l1 = gamma_value == 1, L_value == 1
    if g1 and l1:
        return "gamma=1,L=1"
    if g1:
        return "gamma=1"
    if l1:
        return "L=1"
    if Fraction(gamma_value) * Fraction(L_value) == 1:
        return "gammaL=1"
    return "general"


def _to_sympy_number(name: str, value):
    if isinstance(value, (str, bytes, bool, np.bool_)) or not isinstance(value, (int, float, Fraction, sp.Basic, np.number)):
        raise V.InputError(f"{name} must be a number or a SymPy expression, got {value!r}")
    if isinstance(value, float) and math.isinf(value):
        value = sp.oo
    out = sp.nsimplify(value) if isinstance(value, (float, np.floating)) else sp.S(value)
    if out.is_number:  # a number outside the symbol's range is refused, as the numeric API refuses it
        _check_range(name, out)
    return out


def _check_range(name: str, v: sp.Expr) -> None:
    if name == "gamma" and not (v.is_real and 0 <= v <= 1):
        raise V.InputError(f"gamma must lie in [0, 1], got {v}")
    if name == "H" and not (v == sp.oo or (v.is_integer and v >= 1)):
        raise V.InputError(f"H must be an integer >= 1 or oo, got {v}")
    if name not in ("gamma", "H") and not (v.is_real and v.is_finite and v >= 0):
        raise V.InputError(f"{name} must be finite and >= 0, got {v}")


def substitute(expr: sp.Expr, **values) -> sp.Expr:
    r"""Substitute numbers for the bound's symbols by name (``gamma=0.9, H=10, L=0.5, ...``).

    Names are those of :data:`SYMBOLS`; an unknown name is an error, so a typo cannot leave a
    symbol silently unsubstituted. Floats become exact rationals.

    Parameters
    ----------
    expr : sympy.Expr
        An expression in the symbols of :data:`SYMBOLS`.
    **values
        Numbers by symbol name.

    Returns
    -------
    sympy.Expr
        ``expr`` with the named symbols replaced by exact numbers.

    References
    ----------
    ``docs/theory.md`` E3.
    """
    unknown = sorted(set(values) - set(SYMBOLS))
    if unknown:
        raise V.InputError(f"unknown symbol name(s) {unknown}; valid names are {sorted(SYMBOLS)}")
    return expr.subs({SYMBOLS[k]: _to_sympy_number(k, v) for k, v in values.items()})


def lambdify_bound(structured: bool = False):
    r"""A NumPy function of the bound :func:`bound_piecewise` that is safe everywhere.

    Returns ``f(gamma, H, L, K_rpi, eps_dyn, eps_rew)`` (or ``f(gamma, H, K_f, K_r, K_pi, eps_dyn,
    eps_rew)`` when ``structured``), broadcasting over arrays, with ``H`` an integer or ``inf``. It
    evaluates the ``Piecewise`` through the cancellation-free kernels of ``theory.maths.coefficients``
    (the tests hold the two equal): never negative, never NaN, ``inf`` only where $B$ is infinite or
    beyond the float range. Invalid input raises :class:`theory.InputError`. A plain
    ``sympy.lambdify`` of the ``Piecewise`` loses all accuracy within about $10^{-3}$ of the branch
    points; use this instead.

    Parameters
    ----------
    structured : bool
        Take $K_f$, $K_r$, $K_\pi$ instead of $L$, $K_{r\pi}$.

    Returns
    -------
    callable
        The bound as a NumPy function.

    References
    ----------
    ``docs/theory.md`` E3.

    Examples
    --------
    >>> f = lambdify_bound()
    >>> float(f(0.9, 2, 1e300, 1.0, 1.0, 0.0))  # overflows in the general closed form
    0.9
    """
    from theory.maths.bound import return_bound

    if structured:
        def bound(gamma, H, K_f, K_r, K_pi, eps_dyn, eps_rew):
            return return_bound(gamma, H, eps_dyn, eps_rew, K_f=K_f, K_r=K_r, K_pi=K_pi).bound
    else:
        def bound(gamma, H, L, K_rpi, eps_dyn, eps_rew):
            return return_bound(gamma, H, eps_dyn, eps_rew, L=L, K_rpi=K_rpi).bound
    bound.__doc__ = "The return-error bound B (docs/theory.md E3), evaluated stably."
    return bound
