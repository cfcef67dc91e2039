r"""The return-error bound for training in imagination (``DESIGN.md`` E1 to E5).

Extends Asadi, Misra and Littman (2018), "Lipschitz Continuity in Model-based
Reinforcement Learning", ICML, Thm. 1 (compounding error) and Thm. 2 (value gap for
$H=\infty$), to a learned reward model and to finite horizons:

.. math::
    |J(\pi)-\hat J(\pi)| \le B = C_{rew}\,\varepsilon_{rew} + C_{dyn}\,\varepsilon_{dyn},
    \quad C_{rew}=\sum_{t=0}^{H-1}\gamma^t,
    \quad C_{dyn}=K_{r\pi}\sum_{u=1}^{H-1}\gamma^u\sum_{i=0}^{u-1}L^i .

The symbolic layer (functions returning SymPy expressions) is derived once and
cached; :func:`return_bound` evaluates the lambdified closed forms on NumPy arrays.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cache

import numpy as np
import sympy as sp

from . import _validate as V
from .symbols import H, K_f, K_pi, K_r, K_rpi, L, eps_dyn, eps_rew, gamma, i, t, u

# Below this distance from a removable singularity (L = 1, gamma = 1, gamma L = 1)
# the branch formula is used: the general form loses about eps_machine / |x - 1|
# relative accuracy there, the branch about |x - 1| * H.
BRANCH_TOL = 1e-9


# --------------------------------------------------------------------------- symbolic
def closed_loop_constants() -> tuple[sp.Expr, sp.Expr]:
    r"""$L=K_f(1+K_\pi)$ and $K_{r\pi}=K_r(1+K_\pi)$ (``DESIGN.md`` section 0)."""
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


def bound_expr(branch: str = "general") -> sp.Expr:
    r"""$B=C_{rew}\varepsilon_{rew}+C_{dyn}\varepsilon_{dyn}$ (E3) for a named branch of :func:`c_dyn_closed`."""
    rew = c_rew_closed()
    c_r = rew["infinite"] if branch == "infinite" else (rew["gamma=1"] if "gamma=1" in branch else rew["general"])
    return c_r * eps_rew + c_dyn_closed()[branch] * eps_dyn


def compounding_closed() -> sp.Expr:
    r"""E4: $\delta_t\le\varepsilon_{dyn}\sum_{i=0}^{t-1}L^i=\varepsilon_{dyn}\frac{L^t-1}{L-1}$ ($t\varepsilon_{dyn}$ at $L=1$)."""
    return sp.Piecewise((eps_dyn * t, sp.Eq(L, 1)), (eps_dyn * (L**t - 1) / (L - 1), True))


# --------------------------------------------------------------------------- numeric
@cache
def _numeric_forms():
    """The closed forms lambdified once (``cse=True``); arguments (gamma, H, L, K_rpi)."""
    args = (gamma, H, L, K_rpi)
    dyn = {name: sp.lambdify(args, e, modules="numpy", cse=True) for name, e in c_dyn_closed().items()}
    rew = {name: sp.lambdify(args, e, modules="numpy", cse=True) for name, e in c_rew_closed().items()}
    return rew, dyn


@dataclass(frozen=True)
class BoundResult:
    r"""Result of :func:`return_bound` (E3). Arrays broadcast over the inputs.

    ``bound`` is ``inf`` where the bound is infinite (``finite`` False): $H=\infty$ with
    $\gamma L\ge1$ and a dynamics term that does not vanish; ``reason`` says why.
    """

    c_rew: np.ndarray
    c_dyn: np.ndarray
    reward_term: np.ndarray
    dynamics_term: np.ndarray
    bound: np.ndarray
    L: np.ndarray
    K_rpi: np.ndarray
    finite: np.ndarray
    reason: str | None

    def to_dict(self) -> dict:
        """JSON-ready dict: floats (or lists), with ``None`` for infinities."""
        out = {}
        for key, value in asdict(self).items():
            out[key] = _jsonable(value)
        return out


def _jsonable(value):
    if isinstance(value, np.ndarray):
        value = value.tolist() if value.ndim else value.item()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return None
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def resolve_constants(*, L=None, K_rpi=None, K_f=None, K_r=None, K_pi=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Closed-loop constants from either ($L$, $K_{r\pi}$) or ($K_f$, $K_r$, $K_\pi$).

    $L=K_f(1+K_\pi)$, $K_{r\pi}=K_r(1+K_\pi)$ (``DESIGN.md`` section 0). Mixing the two
    forms is an error, so the constants of one model are never combined with another's.
    """
    structured = (K_f, K_r, K_pi)
    if L is not None or K_rpi is not None:
        if any(v is not None for v in structured):
            raise V.InputError("give either L and K_rpi (closed loop) or K_f, K_r, K_pi (structured), not both")
        if L is None or K_rpi is None:
            raise V.InputError("closed-loop constants need both L and K_rpi")
        return V.nonnegative("L", L), V.nonnegative("K_rpi", K_rpi)
    if any(v is None for v in structured):
        raise V.InputError("give K_f, K_r and K_pi (structured) or L and K_rpi (closed loop)")
    kf, kr, kp = V.nonnegative("K_f (lip-dyn)", K_f), V.nonnegative("K_r (lip-rew)", K_r), V.nonnegative("K_pi (lip-pi)", K_pi)
    return kf * (1 + kp), kr * (1 + kp)


def return_bound(gamma, horizon, eps_dyn, eps_rew, **constants) -> BoundResult:
    r"""Evaluate $B=C_{rew}\varepsilon_{rew}+C_{dyn}\varepsilon_{dyn}$ (``DESIGN.md`` E3) on arrays.

    Parameters
    ----------
    gamma : array_like
        Discount in $[0, 1]$; $\gamma=1$ needs a finite horizon.
    horizon : array_like or ``"inf"``
        Integer $H\ge1$, or ``inf``.
    eps_dyn, eps_rew : array_like
        One-step errors $\varepsilon_{dyn}$ (sup $W_1$) and $\varepsilon_{rew}$ (sup abs), $\ge0$.
    **constants
        ``L`` and ``K_rpi`` (closed loop), or ``K_f``, ``K_r`` and ``K_pi`` (structured).

    All inputs broadcast; a grid of a million points is one call.

    Examples
    --------
    >>> r = return_bound(0.9, "inf", 0.01, 0.02, K_f=0.5, K_r=1.0, K_pi=0.5)
    >>> round(float(r.bound), 6)  # 0.02/0.1 + 0.9*1.5/(0.1*(1-0.675)) * 0.01
    0.615385
    """
    g = V.in_closed_interval("gamma", gamma, 0.0, 1.0)
    h = V.horizon(horizon)
    ed = V.nonnegative("eps_dyn (eps-dyn)", eps_dyn)
    er = V.nonnegative("eps_rew (eps-rew)", eps_rew)
    Lc, Kc = resolve_constants(**constants)
    inf_h = np.isinf(h)
    if (inf_h & (g >= 1)).any():
        raise V.InputError("gamma must be < 1 when the horizon is infinite (the discounted return diverges at gamma = 1)")
    g, h, ed, er, Lc, Kc, inf_h = np.broadcast_arrays(g, h, ed, er, Lc, Kc, inf_h)
    c_rew, c_dyn = _coefficients(g, h, Lc, Kc, inf_h)
    infinite = np.isinf(c_dyn)
    # 0 * inf: no dynamics error (or no reward sensitivity) means no dynamics term at all.
    dyn_term = np.where(ed == 0, 0.0, c_dyn * np.where(infinite, 1.0, ed))
    dyn_term = np.where(infinite & (ed > 0), np.inf, dyn_term)
    rew_term = c_rew * er
    total = rew_term + dyn_term
    finite = np.isfinite(total)
    reason = None
    if not finite.all():
        reason = "infinite horizon with gamma * L >= 1: the dynamics term compounds without bound (DESIGN.md E3)"
    squeeze = (lambda a: a[()] if a.ndim == 0 else a)
    return BoundResult(*(squeeze(np.asarray(a)) for a in (c_rew, c_dyn, rew_term, dyn_term, total, Lc, Kc, finite)), reason)


def _coefficients(g, h, Lc, Kc, inf_h):
    """C_rew and C_dyn with branch selection; each branch evaluated only where it applies."""
    rew_f, dyn_f = _numeric_forms()
    c_rew = np.empty(g.shape)
    c_dyn = np.empty(g.shape)
    fin = ~inf_h
    g1 = np.abs(g - 1) <= BRANCH_TOL
    l1 = np.abs(Lc - 1) <= BRANCH_TOL
    gl1 = np.abs(g * Lc - 1) <= BRANCH_TOL
    masks = {
        "gamma=1,L=1": fin & g1 & l1,
        "gamma=1": fin & g1 & ~l1,
        "L=1": fin & l1 & ~g1,
        "gammaL=1": fin & gl1 & ~g1 & ~l1,
    }
    masks["general"] = fin & ~(masks["gamma=1,L=1"] | masks["gamma=1"] | masks["L=1"] | masks["gammaL=1"])
    for name, mask in masks.items():
        if mask.any():
            c_dyn[mask] = dyn_f[name](g[mask], h[mask], Lc[mask], Kc[mask])
    rew_general = fin & ~g1
    c_rew[rew_general] = rew_f["general"](g[rew_general], h[rew_general], Lc[rew_general], Kc[rew_general])
    c_rew[fin & g1] = h[fin & g1]
    if inf_h.any():
        gi, Li, Ki = g[inf_h], Lc[inf_h], Kc[inf_h]
        c_rew[inf_h] = 1.0 / (1.0 - gi)
        with np.errstate(divide="ignore", invalid="ignore"):
            val = dyn_f["infinite"](gi, np.inf, Li, Ki)
        val = np.where(Ki == 0, 0.0, np.where(gi * Li >= 1, np.inf, val))
        c_dyn[inf_h] = val
    # gamma = 0 or H = 1 make C_dyn an empty sum: guard 0**0 conventions in the closed forms.
    c_dyn[fin & ((h == 1) | (g == 0) | (Kc == 0))] = 0.0
    return c_rew, c_dyn


def exceeds(gap, bound, slack=0.0):
    """Where ``gap`` exceeds ``bound`` by more than float round-off (relative 1e-9, absolute 1e-12) plus
    ``slack`` (for instance a truncation tail): the one test of a bound violation used everywhere."""
    return np.asarray(gap) > np.asarray(bound) * (1 + 1e-9) + slack + 1e-12


def compounding_factor(L, t) -> np.ndarray:
    r"""E4 factor $\sum_{i=0}^{t-1}L^i$: the multi-step state error is at most $\varepsilon_{dyn}$ times this."""
    Lc = V.nonnegative("L", L)
    tt = V.nonnegative("t", t)
    Lc, tt = np.broadcast_arrays(Lc, tt)
    near = np.abs(Lc - 1) <= BRANCH_TOL
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        val = np.where(near, tt, np.expm1(tt * np.log(np.where(near | (Lc == 0), 2.0, Lc))) / (np.where(near | (Lc == 0), 2.0, Lc) - 1))
    val = np.where(Lc == 0, np.minimum(tt, 1.0), val)
    return val[()] if val.ndim == 0 else val


def suboptimality_bound(bound_at_optimum, bound_at_learned) -> np.ndarray:
    r"""E5: $J(\pi^*)-J(\hat\pi)\le B(\pi^*)+B(\hat\pi)$ when $\hat\pi$ maximises $\hat J$."""
    return V.nonnegative("bound_at_optimum", bound_at_optimum) + V.nonnegative("bound_at_learned", bound_at_learned)
