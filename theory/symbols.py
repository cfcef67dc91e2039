"""The symbol registry: every symbol of ``docs/theory.md`` section 0, defined once.

All modules import their SymPy symbols from here, so that assumptions
(``positive=True``, ``nonnegative=True``) and LaTeX names are shared and the
printed derivations are stable.  Python names follow the maths:
``gamma``, ``H``, ``K_f``, ``K_r``, ``K_pi``, ``L``, ``K_rpi``, ``eps_dyn``,
``eps_rew`` and so on.
"""

from __future__ import annotations

import sympy as sp

# Discount and horizon. gamma may be 0 or 1, so it is only nonnegative.
gamma = sp.Symbol("gamma", nonnegative=True)
H = sp.Symbol("H", integer=True, positive=True)

# Summation indices.
t = sp.Symbol("t", integer=True, nonnegative=True)
u = sp.Symbol("u", integer=True, positive=True)
i = sp.Symbol("i", integer=True, nonnegative=True)

# Structured Lipschitz constants of the learned (or true) model and policy.
K_f = sp.Symbol("K_f", nonnegative=True)
K_r = sp.Symbol("K_r", nonnegative=True)
K_pi = sp.Symbol("K_pi", nonnegative=True)

# Closed-loop constants L = K_f (1 + K_pi), K_rpi = K_r (1 + K_pi).
L = sp.Symbol("L", nonnegative=True)
K_rpi = sp.Symbol("K_rpi", nonnegative=True)

# One-step model errors.
eps_dyn = sp.Symbol("epsilon_dyn", nonnegative=True)
eps_rew = sp.Symbol("epsilon_rew", nonnegative=True)

# Scaling laws (E7) and the budget (E8).
n_d = sp.Symbol("n_d", positive=True)
n_r = sp.Symbol("n_r", positive=True)
a_d = sp.Symbol("a_d", positive=True)
a_r = sp.Symbol("a_r", positive=True)
alpha_d = sp.Symbol("alpha_d", positive=True)
alpha_r = sp.Symbol("alpha_r", positive=True)
alpha = sp.Symbol("alpha", positive=True)
e_d = sp.Symbol("e_d", nonnegative=True)
e_r = sp.Symbol("e_r", nonnegative=True)
kappa_d = sp.Symbol("kappa_d", positive=True)
kappa_r = sp.Symbol("kappa_r", positive=True)
N = sp.Symbol("N", positive=True)
x = sp.Symbol("x", positive=True)  # dynamics budget share, in (0, 1)
C_dyn = sp.Symbol("C_dyn", positive=True)
C_rew = sp.Symbol("C_rew", positive=True)

# Noisy-reward REINFORCE (section 4).
c = sp.Symbol("c", positive=True)  # price of one rollout's reward labels
c_0 = sp.Symbol("c_0", nonnegative=True)
V_0 = sp.Symbol("V_0", nonnegative=True)
W = sp.Symbol("W", positive=True)
A = sp.Symbol("A", positive=True)
p = sp.Symbol("p", positive=True)
sigma2 = sp.Symbol("sigma^2", positive=True)
sigma2_0 = sp.Symbol("sigma_0^2", positive=True)
sigma2_f = sp.Symbol("sigma_f^2", positive=True)
sigma2_1 = sp.Symbol("sigma_1^2", positive=True)
c_max = sp.Symbol("c_max", positive=True)
k = sp.Symbol("k", positive=True)
m = sp.Symbol("m", positive=True)
rollout_budget = sp.Symbol(r"\mathcal{B}", positive=True)

LATEX_NAMES: dict[sp.Symbol, str] = {
    gamma: r"\gamma",
    K_f: r"K_f",
    K_r: r"K_r",
    K_pi: r"K_\pi",
    L: r"L",
    K_rpi: r"K_{r\pi}",
    eps_dyn: r"\varepsilon_{dyn}",
    eps_rew: r"\varepsilon_{rew}",
    alpha_d: r"\alpha_d",
    alpha_r: r"\alpha_r",
    kappa_d: r"\kappa_d",
    kappa_r: r"\kappa_r",
    C_dyn: r"C_{dyn}",
    C_rew: r"C_{rew}",
    rollout_budget: r"\mathcal{B}",
}


def latex(expr: sp.Basic) -> str:
    """LaTeX of ``expr`` with the registry's names (``docs/theory.md`` notation), in the order people write
    (``1 - \\gamma L``, not SymPy's ``- L \\gamma + 1``)."""
    return sp.latex(expr, symbol_names=LATEX_NAMES, order="rev-lex")
