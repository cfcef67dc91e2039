r"""The explorer's formulas, printed from the package's SymPy expressions: JavaScript to evaluate, MathML to show.

Nothing here is typed twice. Each closed form the page evaluates comes from the same expression the
derivations check (:mod:`theory.maths.bound_symbolic`, :mod:`theory.maths.allocation_symbolic`,
:mod:`theory.derivations.noise`), printed with SymPy's JavaScript code printer; derivatives
(the E6 partials, the slopes of E11 and E18) are taken by SymPy, not by hand. What is delicate near
the branch points ($L=1$, $\gamma=1$, $\gamma L=1$) is not a closed form: the page evaluates $C_{rew}$
and $C_{dyn}$ by a port of :mod:`theory.maths.coefficients` (``kernels.js``), and the tests hold the
two to $10^{-9}$ in a real browser.
"""

from __future__ import annotations

import json
from functools import cache

import sympy as sp

from theory.derivations.noise import mse as mse_of
from theory.maths import allocation_symbolic as AS
from theory.maths import bound_symbolic as BS
from theory.symbols import (A, C_dyn, C_rew, H, K_f, K_pi, K_r, K_rpi, L, N, V_0, W, a_d, a_r, alpha_d,
                            alpha_r, c, c_0, c_max, e_d, e_r, eps_dyn, eps_rew, gamma, k, kappa_d, kappa_r,
                            n_d, n_r, p, rollout_budget, sigma2, sigma2_0, sigma2_1, sigma2_f, x)

__all__ = ["javascript", "mathml_blocks"]

def _page_names() -> dict[sp.Symbol, str]:
    """JavaScript argument names of the package's symbols: the vocabulary's name of the concept whose Python name is
    the symbol's (``K_f`` -> ``lip_dyn``, the page's state key), else the symbol's own Python name (``C_dyn``, ``x``)."""
    from theory import symbols
    from theory.vocabulary import CONCEPTS

    by_python = {c.python or c.name: c.name for c in CONCEPTS}
    return {value: by_python.get(name, name) for name, value in vars(symbols).items() if isinstance(value, sp.Symbol)}


JS_NAMES: dict[sp.Symbol, str] = _page_names()

# Names as they are printed (MathML splits a name at "_" into a subscript).
SHOWN: dict[sp.Symbol, sp.Symbol] = {K_rpi: sp.Symbol("K_rπ"), K_pi: sp.Symbol("K_π"), rollout_budget: sp.Symbol("𝓑"),
                                     sigma2: sp.Symbol("σ^2"), sigma2_0: sp.Symbol("σ_0^2"), sigma2_f: sp.Symbol("σ_f^2"),
                                     sigma2_1: sp.Symbol("σ_1^2"), c_max: sp.Symbol("c_perfect")}

_LX, _L1X = sp.symbols("logx log1mx", real=True)  # log x and log(1 - x) of E11


def _function(name: str, expr: sp.Expr, args: list[sp.Symbol]) -> str:
    """``function name(args) { return <jscode>; }`` with the page's argument names."""
    names = {s: sp.Symbol(JS_NAMES.get(s, str(s))) for s in args}
    free = expr.free_symbols - set(args)
    if free:
        raise ValueError(f"{name}: unbound symbols {sorted(map(str, free))}")
    body = sp.jscode(expr.subs(names, simultaneous=True))
    return f"function {name}({', '.join(str(names[s]) for s in args)}) {{\n  return {body};\n}}"


def _sensitivity_partials() -> dict[str, sp.Expr]:
    r"""E6: $\partial B/\partial\theta$ for $\theta\in\{K_f,K_r,K_\pi\}$ with $c=C_{dyn}/K_{r\pi}$ a function of $L$."""
    unit = sp.Function("c")
    Lc, Kc = BS.closed_loop_expressions()
    bound = C_rew * eps_rew + Kc * unit(Lc) * eps_dyn
    value, slope = sp.symbols("c dc_dL")
    out = {}
    for theta in (K_f, K_r, K_pi):
        d = sp.diff(bound, theta).doit()
        d = d.replace(lambda e: isinstance(e, (sp.Subs, sp.Derivative)), lambda e: slope)
        out[str(theta)] = sp.factor(d.replace(lambda e: isinstance(e, sp.core.function.AppliedUndef), lambda e: value))
    return out


def _noise_families() -> dict[str, sp.Expr]:
    """$\\sigma^2(c)$ of each family the page offers (docs/theory.md E19)."""
    return {"power": A * c ** (-p), "floor": sigma2_f + A / c,
            "bounded": sp.Piecewise((sigma2_0 * (1 - c / c_max), c < c_max), (0, True)),
            "averaging": sigma2_1 * k / c}


_FAMILY_ARGS = {"power": [A, p], "floor": [sigma2_f, A], "bounded": [sigma2_0, c_max], "averaging": [sigma2_1, k]}


@cache
def javascript() -> str:
    """Every closed form the page evaluates, as JavaScript functions generated from SymPy."""
    Lc, Kc = BS.closed_loop_expressions()
    parts = [_function("closedLoopL", Lc, [K_f, K_pi]), _function("closedLoopK", Kc, [K_r, K_pi])]
    parts.append(_function("boundTotal", C_rew * eps_rew + C_dyn * eps_dyn, [C_rew, C_dyn, eps_rew, eps_dyn]))
    value, slope = sp.symbols("c dc_dL")
    for theta, d in _sensitivity_partials().items():
        parts.append(_function(f"partial_{theta}", d, [eps_dyn, K_f, K_r, K_pi, value, slope]))
    # E11: g = log LHS - log RHS of E9 on the budget line, in log x and log(1 - x), and its slope in u = logit x
    lhs, rhs = AS.optimality_condition()
    on_line = {n_d: x * N / kappa_d, n_r: (1 - x) * N / kappa_r}
    g = sp.expand_log(sp.log(lhs.subs(on_line)) - sp.log(rhs.subs(on_line)), force=True)
    g = sp.expand(g.subs({sp.log(x): _LX, sp.log(1 - x): _L1X}))
    g_args = [alpha_d, alpha_r, C_dyn, C_rew, a_d, a_r, kappa_d, kappa_r, N]
    const = g.subs({_LX: 0, _L1X: 0})
    parts.append(_function("splitConst", const, g_args))
    parts.append(_function("splitG", g - const + sp.Symbol("g0"), [sp.Symbol("g0"), alpha_d, alpha_r, _LX, _L1X]))
    dg = sp.diff(g, _LX) * (1 - x) - sp.diff(g, _L1X) * x  # d log x / du = 1 - x, d log(1-x) / du = -x
    parts.append(_function("splitSlope", dg, [alpha_d, alpha_r, x]))
    line = AS.bound_on_budget_line().subs({e_d: 0, e_r: 0})
    parts.append(_function("boundOnLine", line, [x, N, kappa_d, kappa_r, C_dyn, C_rew, a_d, alpha_d, a_r, alpha_r]))
    # E18 and the paper's reduction, per noise family, with the slopes SymPy takes
    for fam, s2 in _noise_families().items():
        args = _FAMILY_ARGS[fam]
        full = mse_of(s2)
        parts += [_function(f"noiseVariance_{fam}", s2, [c, *args]),
                  _function(f"mse_{fam}", full, [c, c_0, V_0, W, rollout_budget, *args]),
                  _function(f"mseSlope_{fam}", sp.diff(full, c), [c, c_0, V_0, W, rollout_budget, *args]),
                  _function(f"phi_{fam}", c * s2, [c, *args]),
                  _function(f"phiSlope_{fam}", sp.diff(c * s2, c), [c, *args])]
    return "\n".join(parts) + "\n"


def _gauss_legendre() -> str:
    """The 16-point rule of :mod:`theory.maths.coefficients`, on [0, 1], as exact decimal literals."""
    from theory.maths.coefficients import _GL_NODES, _GL_WEIGHTS

    return (f"const GL_NODES = {json.dumps([float(v) for v in _GL_NODES])};\n"
            f"const GL_WEIGHTS = {json.dumps([float(v) for v in _GL_WEIGHTS])};\n")


def constants() -> str:
    """Numeric constants the kernels share with Python (the quadrature rule, the cluster threshold)."""
    from theory.maths.coefficients import _CLUSTER, _SPLIT

    return _gauss_legendre() + f"const CLUSTER = {float(_CLUSTER)!r};\nconst SPLIT = {float(_SPLIT)!r};\n"


def _mathml(expr) -> str:
    shown = expr.subs(SHOWN, simultaneous=True) if isinstance(expr, sp.Basic) else expr
    return sp.mathml(shown, printer="presentation")


def _eq(lhs, rhs) -> str:
    return f'<math display="block"><mrow>{lhs}<mo>=</mo>{_mathml(rhs)}</mrow></math>'


def _mi(name: str, sub: str | None = None) -> str:
    return f"<msub><mi>{name}</mi><mi>{sub}</mi></msub>" if sub else f"<mi>{name}</mi>"


@cache
def mathml_blocks() -> dict[str, list[tuple[str, str]]]:
    """The formulas each panel shows, ``(caption, <math>...</math>)``, printed from the package's expressions."""
    Lc, Kc = BS.closed_loop_expressions()
    rew, dyn = BS.c_rew_closed(), BS.c_dyn_closed()
    lhs, rhs = AS.optimality_condition()
    fam = _noise_families()
    sigma = "<msup><mi>σ</mi><mn>2</mn></msup><mo>(</mo><mi>c</mi><mo>)</mo>"
    return {
        "bound": [
            ("closed loop (section 0)", _eq(_mi("L"), Lc) + _eq(_mi("K", "rπ"), Kc)),
            ("E3, the bound", _eq(_mi("B"), C_rew * eps_rew + C_dyn * eps_dyn)),
            ("E3, γ < 1", _eq(_mi("C", "rew"), rew["general"])),
            ("E3, general branch", _eq(_mi("C", "dyn"), dyn["general"])),
            ("E3, H = ∞ and γL < 1", _eq(_mi("C", "dyn"), dyn["infinite"])),
        ],
        "split": [
            ("E8, the bound on the budget line (no floors)", _eq(_mi("B") + "<mo>(</mo><mi>x</mi><mo>)</mo>",
                                                                 AS.bound_on_budget_line().subs({e_d: 0, e_r: 0}))),
            ("E9, equal marginal reduction per unit of money", f'<math display="block">{_mathml(sp.Eq(lhs, rhs))}</math>'),
            ("E10, α_d = α_r = α", _eq("<mfrac>" + _mi("n", "d") + _mi("n", "r") + "</mfrac>", AS.equal_exponent_ratio())),
        ],
        "noise": [
            ("E18, the gradient MSE at price c", _eq("<mi>MSE</mi><mo>(</mo><mi>c</mi><mo>)</mo>", mse_of(sigma2))),
            ("power", _eq(sigma, fam["power"])),
            ("floor", _eq(sigma, fam["floor"])),
            ("bounded", _eq(sigma, sigma2_0 * sp.Max(0, 1 - c / c_max))),  # the Piecewise, as MathML can print it
            ("averaging (c = k m)", _eq(sigma, fam["averaging"])),
            ("E19, power with c₀ = 0 and p > 1", _eq("<msup><mi>c</mi><mo>*</mo></msup>", _power_price())),
        ],
    }


def _power_price() -> sp.Expr:
    """E19: the interior root of the slope of E18 for $Ac^{-p}$ with $c_0=0$, solved by SymPy."""
    roots = sp.solve(sp.diff(mse_of(A * c ** (-p)).subs(c_0, 0), c), c)
    if len(roots) != 1:
        raise RuntimeError(f"expected one root for E19, got {roots}")
    return roots[0]

