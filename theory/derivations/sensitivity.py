r"""Derivation of E6: the bound rises with every Lipschitz constant, and by how much."""

from __future__ import annotations

import sympy as sp

from theory.derivations import Derivation
from theory.maths import bound_symbolic as B
from theory.symbols import H, K_f, K_pi, K_r, L, K_rpi, eps_dyn, eps_rew, gamma, i, u

LABELS = ("E6",)


def derive_sensitivity(strict: bool = True) -> Derivation:
    d = Derivation("Which Lipschitz constant to lower first (docs/theory.md E6)", strict=strict)
    L_s, K_s = B.closed_loop_expressions()
    Binf = B.branch_expr("infinite").subs({L: L_s, K_rpi: K_s})
    d.define("E6: the bound in the structured constants, H = infinity", "B", Binf,
             note=r"from E3 with $L=K_f(1+K_\pi)$, $K_{r\pi}=K_r(1+K_\pi)$, for $\gamma L<1$.")
    c = gamma / ((1 - gamma) * (1 - gamma * L_s))
    d.identity("E6: the partial derivative in K_r", sp.diff(Binf, K_r), eps_dyn * (1 + K_pi) * c,
               lhs_tex=r"\frac{\partial B}{\partial K_r}",
               note=r"nonnegative: every factor is nonnegative when $\gamma L<1$.")
    d.identity("E6: the partial derivative in K_f", sp.diff(Binf, K_f), lhs_tex=r"\frac{\partial B}{\partial K_f}", rhs=
               eps_dyn * K_s * gamma**2 * (1 + K_pi) / ((1 - gamma) * (1 - gamma * L_s) ** 2),
               note=r"nonnegative, and it grows like $(1-\gamma L)^{-2}$: near $\gamma L=1$ the dynamics constant dominates.")
    d.identity("E6: the partial derivative in K_pi", sp.diff(Binf, K_pi), lhs_tex=r"\frac{\partial B}{\partial K_\pi}", rhs=
               eps_dyn * (K_r * c + K_s * K_f * gamma**2 / ((1 - gamma) * (1 - gamma * L_s) ** 2)),
               note='$K_\\pi$ enters both $L$ and $K_{r\\pi}$, so its derivative has a reward part and a dynamics part, both positive.')
    d.identity("E6: elasticity in K_r is the dynamics share of the bound",
               sp.diff(Binf, K_r) * K_r / Binf, (Binf - eps_rew / (1 - gamma)) / Binf,
               lhs_tex=r"\frac{K_r}{B}\frac{\partial B}{\partial K_r}",
               note=r"$C_{dyn}$ is linear in $K_{r\pi}$, so a 1% cut of $K_r$ removes 1% of the dynamics term.")
    summand = gamma**u * sp.Sum(L**i, (i, 0, u - 1))
    d.identity("E6 at finite H: C_dyn is a polynomial in L with nonnegative coefficients",
               sp.diff(K_rpi * sp.Sum(summand, (u, 1, H - 1)), L),
               K_rpi * sp.Sum(gamma**u * sp.Sum(i * L ** (i - 1), (i, 0, u - 1)), (u, 1, H - 1)),
               lhs_tex=r"\frac{\partial C_{dyn}}{\partial L}",
               note=r"termwise derivatives of $\gamma^uL^i$ are nonnegative for $\gamma,L\ge0$, so the bound is monotone "
                    "in L (hence in K_f and K_pi) for every horizon: SymPy differentiates under the sum for symbolic H.")
    return d
