r"""Symbolic side of the allocation (``docs/theory.md`` E8 to E11): the condition, the closed forms.

Exponents stay exact (``Rational``); ``solve`` is never asked to handle float exponents.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from theory import _validate as V
from theory.symbols import C_dyn, C_rew, N, a_d, a_r, alpha, alpha_d, alpha_r, e_d, e_r, kappa_d, kappa_r, n_d, n_r, x


def power_law(a, al, e, n) -> sp.Expr:
    r"""E7: $e+a n^{-\alpha}$."""
    return e + a * n ** (-al)


def bound_on_budget_line() -> sp.Expr:
    r"""E8 in the share $x$: $n_d=xN/\kappa_d$, $n_r=(1-x)N/\kappa_r$."""
    return (C_dyn * power_law(a_d, alpha_d, e_d, x * N / kappa_d)
            + C_rew * power_law(a_r, alpha_r, e_r, (1 - x) * N / kappa_r))


def optimality_condition() -> tuple[sp.Expr, sp.Expr]:
    r"""E9 sides: $\mathrm{LHS}=\alpha_d C_{dyn}a_d n_d^{-\alpha_d-1}/\kappa_d$, $\mathrm{RHS}=\alpha_r C_{rew}a_r n_r^{-\alpha_r-1}/\kappa_r$."""
    return (alpha_d * C_dyn * a_d * n_d ** (-alpha_d - 1) / kappa_d,
            alpha_r * C_rew * a_r * n_r ** (-alpha_r - 1) / kappa_r)


def stationarity_from_lagrangian() -> sp.Expr:
    r"""$\partial B/\partial x\cdot\frac1N$ written at $n_d=xN/\kappa_d$, $n_r=(1-x)N/\kappa_r$: equals $\mathrm{RHS}-\mathrm{LHS}$ of E9."""
    return sp.diff(bound_on_budget_line(), x) / N


@cache
def equal_exponent_ratio() -> sp.Expr:
    r"""E10 solved by SymPy: the root of E9 with $\alpha_d=\alpha_r=\alpha$, as $n_d/n_r$."""
    lhs, rhs = optimality_condition()
    rho = sp.Symbol("rho", positive=True)  # n_d / n_r
    eq = (lhs / rhs).subs({alpha_d: alpha, alpha_r: alpha}).subs(n_d, rho * n_r)
    sol = sp.solve(sp.Eq(sp.powsimp(sp.simplify(eq), force=True), 1), rho)
    if len(sol) != 1:
        raise RuntimeError(f"expected one positive root for E10, got {sol}")
    return sp.simplify(sol[0])


def rational_closed_form(alpha_dyn, alpha_rew, max_degree: int = 3) -> list[sp.Expr] | None:
    r"""Closed-form $n_d^*$ for rational exponents, where SymPy finds one.

    With $y=n_d^{1/q}$ ($q$ the common denominator) E9 on the budget line becomes a polynomial in $y$;
    for degree at most ``max_degree`` SymPy solves it by radicals (quartic radicals run to pages and are skipped). Returns the candidate roots
    (expressions in $N,\kappa,C,a$), or ``None`` when the degree is too high.
    """
    ad_, ar_ = sp.Rational(alpha_dyn), sp.Rational(alpha_rew)
    if ad_ <= 0 or ar_ <= 0:
        raise V.InputError("exponents must be positive rationals")
    q = sp.ilcm(ad_.q, ar_.q)
    y = sp.Symbol("y", positive=True)
    lhs, rhs = optimality_condition()
    # LHS = RHS  <=>  n_r^(alpha_r+1) * alpha_d C_dyn a_d kappa_r = n_d^(alpha_d+1) * alpha_r C_rew a_r kappa_d
    nr = (N - kappa_d * n_d) / kappa_r
    p_exp = (ar_ + 1)
    d_exp = (ad_ + 1) * q
    if not (p_exp.q == 1):
        return None  # (N - kappa_d y^q)^(non-integer): not a polynomial
    poly = (nr.subs(n_d, y**q) ** int(p_exp) * ad_ * C_dyn * a_d * kappa_r
            - y ** int(d_exp) * ar_ * C_rew * a_r * kappa_d)
    degree = sp.degree(sp.expand(poly), y)
    if degree > max_degree:
        return None
    roots = sp.solve(poly, y)
    return [sp.simplify(r**q) for r in roots] if roots else None
