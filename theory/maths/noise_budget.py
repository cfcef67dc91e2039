r"""Many cheap noisy rollouts or few clean ones? (``docs/theory.md`` E18, E19)

Buying one rollout's reward labels at price $c$ gives noise variance $\sigma^2(c)$; imagination compute
costs $c_0$ per rollout; a budget $\mathcal B$ buys $K=\mathcal B/(c_0+c)$ rollouts
($\lfloor\cdot\rfloor$ in the integer version), and

.. math:: \mathrm{MSE}(c)=\frac{c_0+c}{\mathcal B}\big(V_0+W\sigma^2(c)\big)

over prices $c\in[c_{min},c_{max}]$. The paper's reduction keeps only the noise term and minimises
$\Phi(c)=c\,\sigma^2(c)$; both answers are reported, with where they differ.

Noise families (all decreasing in $c$): ``power`` $Ac^{-p}$, ``bounded`` $\sigma_0^2(1-c/c_{max})$,
``floor`` $\sigma_f^2+A/c$, ``averaging`` $m$ labels of variance $\sigma_1^2$ at price $k$ each
($c=km$, $\sigma^2=\sigma_1^2/m$, $m$ a whole number), ``menu`` a finite list of offers
$(c_j,\sigma_j^2)$, and ``custom``: any Python callable (never a string).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize_scalar

from theory import _validate as V
from theory.results import Result


@dataclass(frozen=True)
class NoiseFamily:
    """$\\sigma^2(c)$ with its name and parameters; ``prices`` lists the only allowed prices of a
    discrete family (a menu), ``step`` the price quantum of label averaging, ``dsigma2`` the
    derivative $\\sigma^{2\\prime}(c)$ where it is known (the optimum is then the root of the
    objective's slope, exact to rounding, rather than the argmin of a flat minimum)."""

    name: str
    sigma2: Callable[[np.ndarray], np.ndarray]
    params: dict = field(default_factory=dict)
    prices: np.ndarray | None = None
    step: float | None = None
    dsigma2: Callable[[np.ndarray], np.ndarray] | None = None


def power(A: float, p: float) -> NoiseFamily:
    """$\\sigma^2=Ac^{-p}$.

    Parameters
    ----------
    A, p : float
        Scale and exponent.

    Returns
    -------
    NoiseFamily
        The map from a label price to the noise variance, with its closed-form optimum where it has one.

    References
    ----------
    ``docs/theory.md`` E19.
    """
    A, p = float(V.positive("A", A)), float(V.positive("p", p))
    return NoiseFamily("power", lambda c: A * np.asarray(c, dtype=float) ** (-p), {"A": A, "p": p},
                       dsigma2=lambda c: -p * A * np.asarray(c, dtype=float) ** (-p - 1))


def bounded(sigma2_0: float, c_max: float) -> NoiseFamily:
    """$\\sigma^2=\\sigma_0^2(1-c/c_{max})$: perfect labels at $c_{max}$.

    Parameters
    ----------
    sigma2_0, c_max : float
        Noise at price 0 and the price of perfect labels.

    Returns
    -------
    NoiseFamily
        The map from a label price to the noise variance, with its closed-form optimum where it has one.

    References
    ----------
    ``docs/theory.md`` E19.
    """
    s0, cm = float(V.positive("sigma2_0", sigma2_0)), float(V.positive("c_max", c_max))
    return NoiseFamily("bounded", lambda c: s0 * np.clip(1 - np.asarray(c, dtype=float) / cm, 0, None),
                       {"sigma2_0": s0, "c_max": cm},
                       dsigma2=lambda c: np.where(np.asarray(c, dtype=float) < cm, -s0 / cm, 0.0))


def floor(sigma2_f: float, A: float) -> NoiseFamily:
    """$\\sigma^2=\\sigma_f^2+A/c$: no price buys below the floor.

    Parameters
    ----------
    sigma2_f, A : float
        The floor and the scale.

    Returns
    -------
    NoiseFamily
        The map from a label price to the noise variance, with its closed-form optimum where it has one.

    References
    ----------
    ``docs/theory.md`` E19.
    """
    sf, A = float(V.nonnegative("sigma2_floor", sigma2_f)), float(V.positive("A", A))
    return NoiseFamily("floor", lambda c: sf + A / np.asarray(c, dtype=float), {"sigma2_floor": sf, "A": A},
                       dsigma2=lambda c: -A / np.asarray(c, dtype=float) ** 2)


def averaging(sigma2_1: float, k: float) -> NoiseFamily:
    """$m$ labels of variance $\\sigma_1^2$ at price $k$ each: $c=km$, $\\sigma^2=\\sigma_1^2/m$, $m=1,2,\\dots$.

    Parameters
    ----------
    sigma2_1, k : float
        Variance and price of one label.

    Returns
    -------
    NoiseFamily
        The map from a label price to the noise variance, with its closed-form optimum where it has one.

    References
    ----------
    ``docs/theory.md`` E19.
    """
    s1, k = float(V.positive("sigma2_1", sigma2_1)), float(V.positive("k", k))
    return NoiseFamily("averaging", lambda c: s1 * k / np.asarray(c, dtype=float), {"sigma2_1": s1, "k": k}, step=k)


def menu(offers) -> NoiseFamily:
    """A finite menu of offers ``[(price, sigma2), ...]``.

    Parameters
    ----------
    offers : sequence of (float, float)
        ``(price, sigma2)`` pairs.

    Returns
    -------
    NoiseFamily
        The map from a label price to the noise variance, with its closed-form optimum where it has one.

    References
    ----------
    ``docs/theory.md`` E19.
    """
    arr = np.asarray(offers, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] < 1:
        raise V.InputError("a menu needs offers as (price, sigma2) pairs")
    V.positive("offer price", arr[:, 0])
    V.nonnegative("offer sigma2", arr[:, 1])
    table = dict(zip(arr[:, 0], arr[:, 1]))
    return NoiseFamily("menu", lambda c: np.vectorize(table.__getitem__)(np.asarray(c, dtype=float)),
                       {"offers": arr.tolist()}, prices=arr[:, 0])


def custom(fn: Callable[[np.ndarray], np.ndarray], name: str = "custom") -> NoiseFamily:
    r"""Any callable $c\mapsto\sigma^2(c)$, assumed non-increasing (strings are refused: nothing is evaluated).

    Parameters
    ----------
    fn : callable
        $c\mapsto\sigma^2(c)$, vectorised, non-increasing.
    name : str
        The family's name in reports.

    Returns
    -------
    NoiseFamily
        The map from a label price to the noise variance, with its closed-form optimum where it has one.

    References
    ----------
    ``docs/theory.md`` E18.
    """
    if not callable(fn):
        raise V.InputError("a custom noise family must be a Python callable, not a string or a number")
    return NoiseFamily(name, fn)


@dataclass(frozen=True)
class BudgetProblem:
    r"""The budget tradeoff of E18.

    Parameters
    ----------
    V0 : float
        Clean variance of one rollout's gradient estimate, $V_0>0$.
    W : float
        The noise weight $W>0$: the variance added per unit of label noise.
    budget : float
        The budget $\mathcal B>0$.
    price_min, price_max : float
        The range of label prices per rollout, $0<c_{min}<c_{max}$.
    c0 : float
        The price of a rollout itself, $c_0\ge0$.
    integer : bool
        Whole numbers of rollouts only.
    """

    V0: float
    W: float
    budget: float
    price_min: float
    price_max: float
    c0: float = 0.0
    integer: bool = False

    def __post_init__(self):
        V.nonnegative("v0", self.V0)
        V.positive("w", self.W)
        V.positive("budget", self.budget)
        V.positive("price_min", self.price_min)
        V.positive("price_max", self.price_max)
        V.nonnegative("c0", self.c0)
        if self.price_max < self.price_min:
            raise V.InputError(f"price_max must be >= price_min, got [{self.price_min:g}, {self.price_max:g}]")
        if self.budget < self.c0 + self.price_min:
            raise V.InputError(f"budget must buy at least one rollout: >= c0 + price_min = {self.c0 + self.price_min:g}, "
                               f"got {self.budget:g}")
        if self.budget / (self.c0 + self.price_min) > 1e300:
            raise V.InputError(f"budget / (c0 + price_min) = {self.budget / (self.c0 + self.price_min):g} rollouts is beyond "
                               "the float range this solver works in (at most 1e300)")

    def rollouts(self, c) -> np.ndarray:
        k = self.budget / (self.c0 + np.asarray(c, dtype=float))
        return np.floor(k + 1e-9) if self.integer else k

    def mse(self, c, family: NoiseFamily) -> np.ndarray:
        """E18: $\\mathrm{MSE}(c)=(V_0+W\\sigma^2(c))/K(c)$ ($\\infty$ where no whole rollout is affordable)."""
        K = self.rollouts(c)
        with np.errstate(divide="ignore"):
            return np.where(K >= (1 if self.integer else 0), (self.V0 + self.W * family.sigma2(c)) / K, np.inf)


@dataclass(frozen=True)
class BudgetOptimum(Result):
    r"""The solution of E18 with the paper's noise-only answer beside it (E19).

    Parameters
    ----------
    price : float
        The label price per rollout that minimises the gradient MSE.
    sigma2 : float
        The noise variance at that price.
    rollouts : float
        Rollouts the budget buys at that price.
    mse : float
        The gradient MSE at the optimum.
    corner : str or None
        ``"low"`` or ``"high"`` when the optimum is at the cheapest or the dearest end of the price range, else
        ``None``.
    noise_only_price : float
        The paper's answer: the price minimising the noise term $c\,\sigma^2(c)$ alone.
    noise_only_corner : str or None
        As ``corner``, for the noise-only answer, or ``"indifferent"`` where its objective is flat.
    noise_only_mse : float
        The gradient MSE of the noise-only answer under the full objective.
    closed_form_price : float or None
        The closed form of E19 where the family has one.
    message : str
        What the comparison shows, or why a value is missing.
    success : bool
        True: the minimiser always returns a price in the range (bad input raises instead).
    """

    price: float
    sigma2: float
    rollouts: float
    mse: float
    corner: str | None
    noise_only_price: float
    noise_only_corner: str | None
    noise_only_mse: float  # the full objective at the paper's price (inf where it buys no whole rollout)
    closed_form_price: float | None
    message: str
    success: bool = True


def _corner(c: float, lo: float, hi: float) -> str | None:
    if math.isclose(c, lo, rel_tol=1e-7):
        return "low"
    if math.isclose(c, hi, rel_tol=1e-7):
        return "high"
    return None


def _candidates(family: NoiseFamily, lo: float, hi: float, integer_budget: BudgetProblem | None) -> np.ndarray:
    """Prices worth evaluating: a menu's offers, every label count of averaging, or a dense log grid."""
    if family.prices is not None:
        c = family.prices[(family.prices >= lo * (1 - 1e-12)) & (family.prices <= hi * (1 + 1e-12))]
        if c.size == 0:
            raise V.InputError(f"no offer of the menu lies in the price range [{lo:g}, {hi:g}]")
        return c
    if family.step is not None:
        m = np.arange(max(math.ceil(lo / family.step - 1e-9), 1), math.floor(hi / family.step + 1e-9) + 1)
        if m.size == 0:
            raise V.InputError(f"no whole number of labels at price {family.step:g} each fits in [{lo:g}, {hi:g}]")
        if m.size > 2_000_000:
            raise V.InputError("more than 2e6 label counts in the price range: narrow it")
        return m * family.step
    grid = np.geomspace(lo, hi, 4001) if hi > lo else np.array([lo])
    if integer_budget is not None:  # within a fixed K the dearest price is best: add those break points
        p = integer_budget
        k_lo, k_hi = p.budget / (p.c0 + hi), p.budget / (p.c0 + lo)
        if np.isfinite(k_hi) and k_hi - k_lo <= 2_000_000:  # beyond that the break points are a continuum
            K = np.arange(max(math.floor(k_lo + 1e-9), 1), math.floor(k_hi + 1e-9) + 1)
            grid = np.concatenate([grid, np.clip(p.budget / K - p.c0, lo, hi)])
    return grid


def _minimise(objective, family, lo, hi, integer_budget=None, slope=None) -> float:
    """The best candidate price, refined between its grid neighbours: by bisection on ``slope`` where it
    changes sign there (the root is exact to rounding), else by bounded Brent on ``objective``."""
    cands = _candidates(family, lo, hi, integer_budget)
    vals = objective(cands)
    j = int(np.argmin(vals))
    best = float(cands[j])
    if family.prices is None and family.step is None and integer_budget is None and cands.size > 2:
        a, b = float(cands[max(j - 1, 0)]), float(cands[min(j + 1, cands.size - 1)])
        if slope is not None:
            if slope(a) < 0 < slope(b):
                return _bisect_slope(slope, a, b)
            return best
        res = minimize_scalar(lambda c: float(objective(np.array([c]))[0]), bounds=(a, b), method="bounded",
                              options={"xatol": 1e-12 * max(b, 1.0)})
        if res.fun <= vals[j]:
            best = float(res.x)
    return best


def _bisect_slope(slope, a: float, b: float) -> float:
    """The sign change of ``slope`` in ``[a, b]`` (negative at ``a``, positive at ``b``) to the last bit;
    the explorer page runs the same loop, so the two agree to rounding."""
    while True:
        m = 0.5 * (a + b)
        if m <= a or m >= b:
            return m
        if float(slope(m)) < 0:
            a = m
        else:
            b = m


def closed_form_price(family: NoiseFamily, problem: BudgetProblem) -> float | None:
    r"""E19 closed forms of the full objective where they exist (clipped to the price range):
    power with $c_0=0$ ($p\le1$: cheapest; $p>1$: $c^*=((p-1)WA/V_0)^{1/p}$), and label averaging with
    $c_0>0$ ($m^{*2}=c_0W\sigma_1^2/(kV_0)$, as a continuous $m$)."""
    lo, hi = problem.price_min, problem.price_max
    if problem.integer or problem.V0 == 0:
        return None
    if family.name == "power" and problem.c0 == 0:
        A, p = family.params["A"], family.params["p"]
        return lo if p <= 1 else float(np.clip(((p - 1) * problem.W * A / problem.V0) ** (1 / p), lo, hi))
    if family.name == "averaging" and problem.c0 > 0:
        s1, k = family.params["sigma2_1"], family.params["k"]
        m = math.sqrt(problem.c0 * problem.W * s1 / (k * problem.V0))
        return float(np.clip(k * m, lo, hi))
    return None


def solve(family: NoiseFamily, problem: BudgetProblem) -> BudgetOptimum:
    r"""The price minimising E18 (full objective) and the paper's noise-only optimum of $\Phi(c)=c\sigma^2(c)$.

    Prices where the MSE exceeds the float range are never optimal; if it does at every price the
    problem is refused (scale $V_0$, $W$ or the noise down).

    Parameters
    ----------
    family : NoiseFamily
        $\sigma^2(c)$.
    problem : BudgetProblem
        $V_0$, $W$, budget, $c_0$ and the price range.

    Returns
    -------
    BudgetOptimum
        Both answers, the full objective's and the paper's noise-only one.

    References
    ----------
    ``docs/theory.md`` E18, E19.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        out = _solve(family, problem)
    # the paper's noise-only price may buy no whole rollout (integer version): its MSE is then inf (null in
    # JSON) and the note says so; only the full objective must be finite
    if not (math.isfinite(out.mse) and math.isfinite(out.sigma2)):
        raise V.InputError("the gradient MSE exceeds the float range at these prices: scale V0, W or the noise down")
    return out


def _solve(family: NoiseFamily, problem: BudgetProblem) -> BudgetOptimum:
    lo, hi = problem.price_min, problem.price_max
    mse_slope = phi_slope = None
    if family.dsigma2 is not None and not problem.integer:
        B, V0, W, c0 = problem.budget, problem.V0, problem.W, problem.c0
        # d/dc of (c0 + c)(V0 + W sigma2(c)) / B and of c sigma2(c)
        mse_slope = lambda x: (V0 + W * family.sigma2(x) + (c0 + x) * W * family.dsigma2(x)) / B  # noqa: E731
        phi_slope = lambda x: family.sigma2(x) + x * family.dsigma2(x)  # noqa: E731
    c = _minimise(lambda x: problem.mse(x, family), family, lo, hi, problem if problem.integer else None, mse_slope)
    phi_of = lambda x: np.asarray(x, dtype=float) * family.sigma2(x)  # noqa: E731
    note = ""
    candidates = _candidates(family, lo, hi, None)
    values = phi_of(candidates)
    flat = np.ptp(values) <= 1e-12 * max(float(np.max(np.abs(values))), 1e-300)
    if flat:  # power with p = 1, or label averaging: c sigma^2(c) is constant
        phi = float(candidates[0])
        note = "the noise-only objective c sigma^2(c) is flat here (indifferent): its price is arbitrary (reported at the cheapest); "
    else:
        phi = _minimise(phi_of, family, lo, hi, slope=phi_slope)
    agree = math.isclose(c, phi, rel_tol=1e-3)
    phi_mse = float(problem.mse(phi, family))
    if not agree and not math.isfinite(phi_mse) and problem.integer:
        note += (f"they differ: the noise-only reduction picks price {phi:.6g}, which buys no whole rollout of "
                 f"the budget {problem.budget:g}; the full objective picks {c:.6g}")
    else:
        note += "the paper's noise-only answer agrees with the full objective" if agree else (
            f"they differ: the noise-only reduction picks price {phi:.6g} (corner: {_corner(phi, lo, hi)}), "
            f"the full objective {c:.6g}; at the noise-only price the MSE is {phi_mse:.6g} "
            f"instead of {float(problem.mse(c, family)):.6g}")
    return BudgetOptimum(c, float(family.sigma2(c)), float(problem.rollouts(c)), float(problem.mse(c, family)),
                         _corner(c, lo, hi), phi, "indifferent" if flat else _corner(phi, lo, hi), phi_mse,
                         closed_form_price(family, problem), note)
