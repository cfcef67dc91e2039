r"""Derivation of the optimal split E8 to E11, every step checked."""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.maths import allocation as A
from theory.maths import allocation_symbolic as S
from theory.maths.scaling import PowerLaw
from theory.symbols import C_dyn, C_rew, N, a_d, a_r, alpha, alpha_d, alpha_r, e_d, e_r, kappa_d, kappa_r, latex, n_d, n_r, x
from theory.derivations import Derivation


def _unique_root_spot_check() -> tuple[int, float]:
    """E11: the two sides of E9 move in opposite directions in x; slack = min over random laws of
    -(d/dx)(log LHS - log RHS), by finite differences on a grid."""
    rng = np.random.default_rng(3)
    worst = np.inf
    xs = np.linspace(0.01, 0.99, 99)
    for _ in range(300):
        ad, ar, xd, xr, kd, kr, cd, cr = rng.uniform(0.1, 3, 8)
        Nv = 10 ** rng.uniform(2, 6)
        lhs = np.log(xd * cd * ad / kd) - (xd + 1) * np.log(xs * Nv / kd)
        rhs = np.log(xr * cr * ar / kr) - (xr + 1) * np.log((1 - xs) * Nv / kr)
        worst = min(worst, float(np.min(-np.diff(lhs - rhs))))
    return 300, worst


def _brute_force_spot_check() -> tuple[int, float]:
    """The numeric root is a minimum: no split on a fine grid of the budget line has a smaller bound."""
    rng = np.random.default_rng(4)
    worst = np.inf
    for _ in range(100):
        dyn = PowerLaw(rng.uniform(0.1, 3), rng.uniform(0.05, 1.5), rng.uniform(0, 0.1))
        rew = PowerLaw(rng.uniform(0.1, 3), rng.uniform(0.05, 1.5), rng.uniform(0, 0.1))
        prices = A.Prices(rng.uniform(0.5, 5), rng.uniform(0.5, 5))
        Nv = 10 ** rng.uniform(3, 6)
        s = A.optimal_split(Nv, prices, dyn, rew, 2.0, 1.0)
        grid = np.linspace(prices.kappa_d / Nv, 1 - prices.kappa_r / Nv, 20001)
        brute = A.bound_at(grid * Nv / prices.kappa_d, (1 - grid) * Nv / prices.kappa_r, dyn, rew, 2.0, 1.0).min()
        worst = min(worst, float(brute - s.bound) / float(s.bound) + 1e-12)
    return 100, worst


def derive_allocation(strict: bool = True) -> Derivation:
    d = Derivation("Splitting a budget between dynamics and reward data (docs/theory.md E7 to E11)", strict=strict)
    d.define("E7: power laws", r"\varepsilon_{dyn}(n_d)", S.power_law(a_d, alpha_d, e_d, n_d),
             note=r"and $\varepsilon_{rew}(n_r)=" + latex(S.power_law(a_r, alpha_r, e_r, n_r)) + r"$, $a,\alpha>0$, $e\ge0$.")
    d.define("E8: the bound on the budget line", r"B(x)", S.bound_on_budget_line(),
             note=r"with $x=\kappa_d n_d/N$ the dynamics share of the budget: $n_d=xN/\kappa_d$, $n_r=(1-x)N/\kappa_r$.")
    lhs, rhs = S.optimality_condition()
    line = {n_d: x * N / kappa_d, n_r: (1 - x) * N / kappa_r}
    d.identity("E9: stationarity is equal marginal reduction per unit of money",
               S.stationarity_from_lagrangian(), (rhs - lhs).subs(line),
               shown=r"$$\frac1N\frac{\partial B}{\partial x}=" + latex(rhs) + " - " + latex(lhs) + "$$",
               note="The floors $e_d$, $e_r$ drop out of the derivative: they do not move the optimum.")
    d.identity("Floors do not move the optimum", sp.diff(S.stationarity_from_lagrangian(), e_d) + sp.diff(S.stationarity_from_lagrangian(), e_r),
               sp.Integer(0), shown=r"$$\frac{\partial}{\partial e_d}\frac{\partial B}{\partial x}=\frac{\partial}{\partial e_r}\frac{\partial B}{\partial x}=0$$",
               note='a floor $e$ adds a constant to the bound, and a constant has no derivative in $n_d$ or $n_r$.')
    d.identity("E9b: spend ratio", (lhs * n_d / (rhs * n_r)),
               (alpha_d * C_dyn * a_d * n_d ** (-alpha_d)) / (alpha_r * C_rew * a_r * n_r ** (-alpha_r)) * kappa_r / kappa_d,
               shown=r"$$\mathrm{LHS}=\mathrm{RHS}\iff\frac{\kappa_d n_d}{\kappa_r n_r}=\frac{\alpha_d C_{dyn}a_dn_d^{-\alpha_d}}{\alpha_r C_{rew}a_rn_r^{-\alpha_r}}$$",
               note="(multiply both sides of E9 by $n_d$ and divide by $n_r$: LHS/RHS times the spend ratio).")
    ratio = S.equal_exponent_ratio()
    d.identity("E10: equal exponents have a closed form, independent of N",
               ratio, (C_dyn * a_d * kappa_r / (C_rew * a_r * kappa_d)) ** (1 / (1 + alpha)),
               shown=r"$$\frac{n_d}{n_r}=" + latex(ratio) + "$$",
               note='with $\\alpha_d=\\alpha_r$ the condition E9 is a power of the ratio $n_d/n_r$ alone.')
    d.inequality("E11: the root is unique (the sides of E9 move in opposite directions)",
                 r"$$\frac{d}{dx}\big(\log\mathrm{LHS}-\log\mathrm{RHS}\big)=-\frac{\alpha_d+1}{x}-\frac{\alpha_r+1}{1-x}<0$$",
                 _unique_root_spot_check, on="300 random exponent pairs and shares x in (0, 1)",
               note='the derivative in the next step is negative, so the difference of the logs crosses zero once.')
    d.identity("E11: that derivative", sp.diff(sp.log(lhs.subs(line)) - sp.log(rhs.subs(line)), x),
               -(alpha_d + 1) / x - (alpha_r + 1) / (1 - x), shown=r"$$\frac{d}{dx}\log\frac{\mathrm{LHS}}{\mathrm{RHS}}=-\frac{\alpha_d+1}{x}-\frac{\alpha_r+1}{1-x}$$",
               note='differentiating the logs of both sides along the budget line $n_d=xN/\\kappa_d$, $n_r=(1-x)N/\\kappa_r$.')
    n_big, delta, c = sp.Symbol("n_d", positive=True), sp.Symbol("delta", positive=True), sp.Symbol("c", positive=True)
    d.identity(r"E11: on the root, $n_r$ grows like a power of $n_d$ below one",
               (1 + alpha_d) / (1 + alpha_d + delta) - 1, -delta / (1 + alpha_d + delta),
               lhs_tex=r"\frac{1+\alpha_d}{1+\alpha_r}-1",
               note=r"E9 on the root gives $n_r^{\alpha_r+1}\propto n_d^{\alpha_d+1}$, so "
                    r"$n_r/n_d\propto n_d^{(1+\alpha_d)/(1+\alpha_r)-1}$; with $\alpha_r=\alpha_d+\delta$, $\delta>0$, "
                    r"the exponent is negative.")
    d.limit(r"E11: so $n_r/n_d\to0$ and the dynamics share $x\to1$", n_big ** (-c), n_big, sp.oo, 0,
            shown=r"$$\lim_{n_d\to\infty}n_d^{-c}=0\quad(c=\delta/(1+\alpha_r)>0)$$",
            note=r"The same limit sends the ratio of the reward term $C_{rew}a_rn_r^{-\alpha_r}$ to the dynamics term "
                 r"$C_{dyn}a_dn_d^{-\alpha_d}$ to 0 (its exponent is $(\alpha_d-\alpha_r)/(1+\alpha_r)<0$), so the "
                 r"optimal bound decays as $N^{-\alpha_d}=N^{-\min(\alpha_d,\alpha_r)}$.")
    d.identity("E11: the exponent of reward term over dynamics term", -(alpha_d + delta) * (1 + alpha_d) / (1 + alpha_d + delta) + alpha_d,
               -delta / (1 + alpha_d + delta), lhs_tex=r"-\alpha_r\frac{1+\alpha_d}{1+\alpha_r}+\alpha_d",
               note='negative when $\\alpha_r>\\alpha_d$, so the reward term vanishes against the dynamics term as $N$ grows.')
    roots = S.rational_closed_form(1, 1)

    def radicals_match_numeric() -> tuple[int, float]:
        rng = np.random.default_rng(5)
        worst = np.inf
        for _ in range(20):
            vals = dict(zip((C_dyn, C_rew, a_d, a_r, kappa_d, kappa_r), rng.uniform(0.2, 3, 6)))
            vals[N] = 10 ** rng.uniform(2, 4)
            cands = [complex(sp.N(r.subs(vals))) for r in roots]
            feasible = [c.real for c in cands if abs(c.imag) < 1e-9 and 0 < c.real < float(vals[N] / vals[kappa_d])]
            s = A.optimal_split(float(vals[N]), A.Prices(float(vals[kappa_d]), float(vals[kappa_r])),
                                PowerLaw(float(vals[a_d]), 1.0), PowerLaw(float(vals[a_r]), 1.0),
                                float(vals[C_dyn]), float(vals[C_rew]))
            worst = min(worst, 1e-8 - min(abs(f - float(s.n_dyn)) / float(s.n_dyn) for f in feasible))
        return 20, worst

    d.inequality("Rational exponents by radicals (alpha_d = alpha_r = 1) agree with the numeric root",
                 r"$$n_d^*\in\{\text{the roots by radicals of the cubic that E9 becomes at }\alpha_d=\alpha_r=1\}$$",
                 radicals_match_numeric, on="20 random problems with alpha_d = alpha_r = 1",
                 note="slack: 1e-8 minus the relative distance between the feasible radical root and the numeric root.")
    d.inequality("The numeric root beats every split on a fine grid",
                 r"$$B(x^*)\le\min_{x\in\text{grid}}B(x)$$", _brute_force_spot_check,
                 on="100 random problems, each against a grid of shares",
               note='the solver against brute force, which knows nothing of E9.')
    return d
