r"""The split of a budget between dynamics samples and reward labels (``docs/theory.md`` E8 to E11).

Minimise $B(n_d,n_r)=C_{dyn}\varepsilon_{dyn}(n_d)+C_{rew}\varepsilon_{rew}(n_r)$ subject to
$\kappa_d n_d+\kappa_r n_r=N$, with the power laws of E7. In the dynamics budget share
$x=\kappa_d n_d/N$ the optimality condition E9,

.. math:: \frac{\alpha_d C_{dyn} a_d n_d^{-\alpha_d-1}}{\kappa_d}=\frac{\alpha_r C_{rew} a_r n_r^{-\alpha_r-1}}{\kappa_r},

has a left side decreasing and a right side increasing in $x$, so its root is unique (E11). We solve
$g(u)=\log\mathrm{LHS}-\log\mathrm{RHS}=0$ in $u=\log\frac{x}{1-x}$ by safeguarded Newton steps inside
a bisection bracket, vectorised over arrays of budgets and parameters. At least one sample of each
kind is required, so $x\in[\kappa_d/N,\,1-\kappa_r/N]$; a root outside is a corner and is reported.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from theory import _validate as V
from theory.results import NOT_JSON, Result
from theory.maths.scaling import PowerLaw


@dataclass(frozen=True)
class Prices:
    r"""Price per dynamics sample $\kappa_d$ and per reward label $\kappa_r$ (E8).

    Either may be an array (say a sweep of the price ratio $\kappa_r/\kappa_d$): :func:`optimal_split`
    broadcasts it with the budget and the coefficients.

    Parameters
    ----------
    kappa_d : float or ndarray
        Price of one dynamics sample, $\kappa_d>0$.
    kappa_r : float or ndarray
        Price of one reward label, $\kappa_r>0$.

    Examples
    --------
    >>> import numpy as np
    >>> ratios = np.array([1.0, 10.0, 100.0])
    >>> s = optimal_split(1e5, Prices(1.0, ratios), PowerLaw(1.0, 0.5), PowerLaw(1.0, 0.5), 1.0, 1.0)
    >>> (s.n_dyn / s.n_rew).round(3).tolist()  # dearer labels buy more samples per label, E10: ratio^(1/1.5)
    [1.0, 4.642, 21.544]
    >>> s.share_dyn.round(3).tolist()  # ... yet a smaller share of the money goes to dynamics
    [0.5, 0.317, 0.177]
    """

    kappa_d: float | np.ndarray
    kappa_r: float | np.ndarray

    def __post_init__(self):
        object.__setattr__(self, "kappa_d", _price("kappa_d (price of a dynamics sample)", self.kappa_d))
        object.__setattr__(self, "kappa_r", _price("kappa_r (price of a reward label)", self.kappa_r))


def _price(name: str, value):
    arr = V.positive(name, value)
    return float(arr) if arr.ndim == 0 else arr


@dataclass(frozen=True)
class Allocation(Result):
    r"""The optimal split of E9-E11 and its diagnostics, in SciPy's style; arrays broadcast over the inputs.

    Parameters
    ----------
    n_dyn, n_rew : ndarray
        Dynamics samples $n_d$ and reward labels $n_r$ of the split.
    share_dyn : ndarray
        The share of the budget spent on dynamics samples, $\kappa_dn_d/N$.
    bound : ndarray
        The bound at the split (E8).
    sample_ratio : ndarray
        $n_d/n_r$.
    corner_code : ndarray of int8
        0 interior, 1 where the one-sample limit of the dynamics binds (the share at the low end of its range),
        2 where that of the reward labels binds (the high end); ``corner`` names them ``None``, ``"low"`` and
        ``"high"``.
    iterations : int
        Newton iterations taken.
    residual : ndarray
        $|\log\mathrm{LHS}-\log\mathrm{RHS}|$ of E9's first-order condition at the answer (0 at an interior
        root, NaN at a corner).
    integer : bool
        Whether the split was rounded to the best whole numbers of samples.
    success : bool
        False (and ``message`` says why) where the root was not found to ``tol`` within ``max_iter`` iterations.
    message : str
        What went wrong, or empty.
    """

    json_properties = ("corner",)

    n_dyn: np.ndarray
    n_rew: np.ndarray
    share_dyn: np.ndarray
    bound: np.ndarray
    sample_ratio: np.ndarray
    corner_code: np.ndarray = field(metadata=NOT_JSON)  # int8: 0 interior, 1 low, 2 high (names in CORNERS)
    iterations: int
    residual: np.ndarray  # |log LHS - log RHS| of E9 at the answer (0 at the root)
    integer: bool
    success: bool = True
    message: str = "converged"

    @property
    def corner(self):
        """Where the share sits in its range: ``None`` (inside), ``"low"`` (the one-sample limit of the dynamics
        binds) or ``"high"`` (that of the reward labels); an object array of them, or one for a scalar problem.
        Stored as small integer codes, named only when asked."""
        code = self.corner_code
        return CORNERS[int(code)] if np.ndim(code) == 0 else np.asarray(CORNERS, dtype=object)[code]


def bound_at(n_d, n_r, dyn: PowerLaw, rew: PowerLaw, c_dyn, c_rew) -> np.ndarray:
    r"""$B=C_{dyn}\varepsilon_{dyn}(n_d)+C_{rew}\varepsilon_{rew}(n_r)$ (E8)."""
    return np.asarray(c_dyn) * dyn(n_d) + np.asarray(c_rew) * rew(n_r)


def _check(budget, prices: Prices, c_dyn, c_rew):
    N = V.positive("budget", budget)
    cd = V.positive("c_dyn", c_dyn)
    cr = V.positive("c_rew", c_rew)
    minimum = prices.kappa_d + prices.kappa_r
    with np.errstate(over="ignore"):
        most = N / np.minimum(prices.kappa_d, prices.kappa_r)
    if not np.isfinite(most).all():
        raise V.InputError("budget / price exceeds the float range (about 1.8e308 samples): scale the budget and "
                           "the prices down together")
    if ((N - prices.kappa_d < prices.kappa_r) | (N - prices.kappa_r < prices.kappa_d)).any():
        raise V.InputError(f"budget must be at least price_dyn + price_rew = {np.max(minimum):g} (one sample of each kind), "
                           f"got {float(N.min()):g}")
    return N, cd, cr


CHUNK = 1 << 17  # budgets per pass: 1 MiB a float array, cache-friendly, and 1e5 budgets in one pass
CORNERS = (None, "low", "high")


def optimal_split(budget, prices: Prices, dyn: PowerLaw, rew: PowerLaw, c_dyn, c_rew, *,
                  integer: bool = False, tol: float = 1e-12, max_iter: int = 200) -> Allocation:
    r"""The split minimising the bound (E9, E11), continuous or integer.

    Parameters
    ----------
    budget : array_like
        $N\ge\kappa_d+\kappa_r$; broadcasts with ``c_dyn`` and ``c_rew``.
    prices : Prices
        Price per dynamics sample and per reward label.
    dyn, rew : PowerLaw
        $\varepsilon_{dyn}(n_d)$ and $\varepsilon_{rew}(n_r)$; floors do not move the optimum (E9).
    c_dyn, c_rew : array_like
        $C_{dyn}$, $C_{rew}$ of E3 (positive).
    integer : bool
        Whole samples: the exact whole-sample optimum, found by enumerating the whole splits that
        cannot afford one more sample and whose bound can beat the best neighbour of the continuous
        optimum (a loop over elements: use it for tens of thousands of budgets, not millions).
    tol : float
        Relative tolerance of the Newton iteration on the first-order condition of E9.
    max_iter : int
        Newton iterations at most; elements not converged by then have ``success`` False.

    Returns
    -------
    Allocation
        The split with its diagnostics (``success``, ``message``, residual, corner).

    References
    ----------
    ``docs/theory.md`` E8-E11.

    Examples
    --------
    >>> s = optimal_split(1000.0, Prices(1.0, 1.0), PowerLaw(1.0, 0.5), PowerLaw(1.0, 0.5), 1.0, 1.0)
    >>> float(s.share_dyn)  # symmetric problem: half each
    0.5
    """
    N, cd, cr = _check(budget, prices, c_dyn, c_rew)
    given = (N, cd, cr, np.asarray(prices.kappa_d, dtype=float), np.asarray(prices.kappa_r, dtype=float))
    shape = np.broadcast_shapes(*(a.shape for a in given))
    if int(np.prod(shape)) > CHUNK:
        return _in_chunks(given, shape, dyn, rew, integer=integer, tol=tol, max_iter=max_iter)
    ad, xd, ar, xr = dyn.a, dyn.alpha, rew.a, rew.alpha
    # flat arrays for the solver (an active set is an index array); an input of one value stays a scalar, so
    # its logarithm is taken once, not once per budget; the answer gets the shape back
    N, cd, cr, kd, kr = (a.reshape(()) if a.size == 1 else np.ravel(np.broadcast_to(a, shape)) for a in given)
    N = np.broadcast_to(N, (max(int(np.prod(shape)), 1),)) if N.ndim == 0 else N
    logN = np.log(N)
    # g(u) = const - (xd+1) log x + (xr+1) log(1-x), with x = sigmoid(u)
    # sums of logarithms, not logarithms of products, so extreme inputs cannot underflow to log(0)
    const = (np.log(xd) + np.log(cd) + np.log(ad) - np.log(kd) - (xd + 1) * (logN - np.log(kd))
             - np.log(xr) - np.log(cr) - np.log(ar) + np.log(kr) + (xr + 1) * (logN - np.log(kr)))

    def evaluate(u, c):
        logx = -np.logaddexp(0.0, -u)
        log1mx = -np.logaddexp(0.0, u)
        return c - (xd + 1) * logx + (xr + 1) * log1mx, -(xd + 1) - (xr - xd) * np.exp(logx), logx, log1mx

    # g is asymptotically linear in u with slope -(xd+1) (u -> -inf) or -(xr+1) (u -> +inf): start there
    u = np.clip(np.where(const < 0, const / (xd + 1), const / (xr + 1)), -700, 700)
    g, slope, logx, log1mx = evaluate(u, const)
    lo = np.full(N.shape, -1500.0)
    hi = np.full(N.shape, 1500.0)
    const = np.broadcast_to(const, N.shape)
    limit = tol * (1.0 + np.abs(const))
    active = np.flatnonzero(np.abs(g) > limit)
    iterations = 1
    # safeguarded Newton on the unconverged budgets only: after a few steps most have converged, and the
    # last evaluation of g is the residual (no second pass)
    while active.size and iterations < max_iter:
        iterations += 1
        if 2 * active.size > u.size:  # most still moving: whole arrays (a gather and a scatter cost more than a step)
            lo = np.where(g > 0, u, lo)
            hi = np.where(g < 0, u, hi)
            step = u - g / slope
            u = np.where((step >= lo) & (step <= hi), step, 0.5 * (lo + hi))
            g, slope, logx, log1mx = evaluate(u, const)
            active = np.flatnonzero(np.abs(g) > limit)
            continue
        ua, ga = u[active], g[active]
        loa = np.where(ga > 0, ua, lo[active])
        hia = np.where(ga < 0, ua, hi[active])
        step = ua - ga / slope[active]
        ua = np.where((step >= loa) & (step <= hia), step, 0.5 * (loa + hia))
        lo[active], hi[active], u[active] = loa, hia, ua
        ga, sa, la, l1a = evaluate(ua, const[active])
        g[active], slope[active], logx[active], log1mx[active] = ga, sa, la, l1a
        active = active[np.abs(ga) > limit[active]]
    # both shares from the logit, so that 1 - x keeps its precision when x -> 1 (E11 at huge budgets)
    x = np.exp(logx)
    n_d = x * (N / kd)
    n_r = np.exp(log1mx) * (N / kr)
    low_d, low_r = n_d < 1, n_r < 1
    if low_d.any() or low_r.any():  # corners are rare: the arrays are touched again only when there is one
        code = np.where(low_d, np.int8(1), np.where(low_r, np.int8(2), np.int8(0))).astype(np.int8)
        residual = np.where(code == 0, np.abs(g), np.nan)
        n_d = np.where(code == 1, 1.0, np.where(code == 2, (N - kr) / kd, n_d))
        n_r = np.where(code == 2, 1.0, np.where(code == 1, (N - kd) / kr, n_r))
        x = kd * n_d / N
    else:
        code = np.zeros(N.shape, dtype=np.int8)
        residual = np.abs(g)
    if integer:
        most = float(np.max(N / np.minimum(kd, kr)))
        if most > 2.0**53:
            raise V.InputError(f"integer: budget / price = {most:.3g} samples is beyond 2**53 = 9.0e15, where floats cannot "
                               "tell whole numbers apart; the continuous split (without --integer) is the answer there")
        n_d, n_r = _integer_optimum(*np.broadcast_arrays(N, n_d, n_r, kd, kr), dyn, rew, *np.broadcast_arrays(cd, cr, N)[:2])
        x = kd * n_d / N
    b = bound_at(n_d, n_r, dyn, rew, cd, cr)
    sq = lambda a: a.reshape(shape)[()] if not shape else a.reshape(shape)  # noqa: E731
    unconverged = active[code[active] == 0]  # the last evaluation of g decided it: nothing is recomputed
    success = unconverged.size == 0
    message = "converged" if success else (f"{unconverged.size} of {code.size} roots not within tol={tol:g} "
                                           f"after max_iter={max_iter} iterations")
    return Allocation(sq(n_d), sq(n_r), sq(x), sq(b), sq(n_d / n_r), sq(code), iterations, sq(residual), integer,
                      success, message)


def _in_chunks(given: tuple, shape: tuple, dyn: PowerLaw, rew: PowerLaw, **options) -> Allocation:
    """:func:`optimal_split` in cache-sized chunks written into the answer's arrays, so that memory beyond the
    answer stays flat and 1e7 budgets cost about as much per budget as 1e5."""
    size = int(np.prod(shape))
    # a scalar stays a scalar and an array of the full shape is only viewed; raveling a broadcast view copies it
    flat = [a.reshape(()) if a.size == 1 else np.ravel(np.broadcast_to(a, shape)) for a in given]
    floats = ("n_dyn", "n_rew", "share_dyn", "bound", "sample_ratio", "residual")
    out = {name: np.empty(size) for name in floats} | {"corner_code": np.empty(size, dtype=np.int8)}
    iterations, failed = 0, []
    for k in range(0, size, CHUNK):
        N, cd, cr, kd, kr = (a if a.ndim == 0 else a[k:k + CHUNK] for a in flat)
        part = optimal_split(np.broadcast_to(N, (min(CHUNK, size - k),)), Prices(kd, kr), dyn, rew, cd, cr, **options)
        for name, arr in out.items():
            arr[k:k + CHUNK] = getattr(part, name)
        iterations = max(iterations, part.iterations)
        if not part.success:
            failed.append(part.message)
    return Allocation(*(out[f].reshape(shape) for f in ("n_dyn", "n_rew", "share_dyn", "bound", "sample_ratio", "corner_code")),
                      iterations, out["residual"].reshape(shape), options["integer"], not failed,
                      "; ".join(failed) if failed else "converged")


def _integer_optimum(N, n_d, n_r, kd, kr, dyn, rew, cd, cr):
    """The exact whole-sample optimum, element by element.

    A whole split that cannot afford one more sample is fixed by its n_r (then n_d = floor((N - kr n_r)/kd)),
    and its bound is at least f(n_r), the bound of the continuous split that spends the whole budget with
    the same n_r. f is convex in n_r, so every n_r that can beat a candidate bound B_c lies in the interval
    {f <= B_c} around the continuous optimum; all integers in it are enumerated."""
    out_d, out_r = np.empty(N.shape), np.empty(N.shape)
    for idx in np.ndindex(N.shape):
        budget, c_d, c_r = float(N[idx]), float(cd[idx]), float(cr[idx])
        kd_i, kr_i = float(kd[idx]), float(kr[idx])
        m_max = np.floor((budget - kd_i) / kr_i + 1e-9)
        f = lambda m: c_d * dyn((budget - kr_i * m) / kd_i) + c_r * rew(m)  # noqa: E731

        def whole(m):
            m = np.clip(np.asarray(m, dtype=float), 1, m_max)
            d = np.floor((budget - kr_i * m) / kd_i + 1e-9)
            return d, m, np.where(d >= 1, bound_at(np.maximum(d, 1), m, dyn, rew, c_d, c_r), np.inf)

        start = np.clip(float(n_r[idx]), 1, m_max)
        d0, m0, b0 = whole(np.array([np.floor(start), np.ceil(start)]))
        b_c = b0.min()
        lo = _level_crossing(f, 1.0, start, b_c, decreasing=True)
        hi = _level_crossing(f, start, m_max, b_c, decreasing=False)
        if np.ceil(hi) - np.floor(lo) > 2e7:
            raise V.InputError(f"integer: {np.ceil(hi) - np.floor(lo):.3g} whole splits tie with the continuous optimum "
                               "to rounding here; the continuous split (without --integer) is the answer")
        d, m, b = whole(np.arange(np.floor(lo), np.ceil(hi) + 1))
        j = int(np.argmin(b))
        out_d[idx], out_r[idx] = d[j], m[j]
    return out_d, out_r


def _level_crossing(f, a: float, b: float, level: float, decreasing: bool, iters: int = 100) -> float:
    """Where the monotone piece of convex f on [a, b] crosses ``level`` (the end of the interval if it does not)."""
    outer = a if decreasing else b
    if f(outer) <= level:
        return outer
    inner = b if decreasing else a
    for _ in range(iters):
        mid = (outer + inner) / 2
        if f(mid) <= level:
            inner = mid
        else:
            outer = mid
    return outer


def equal_exponent_ratio(prices: Prices, dyn: PowerLaw, rew: PowerLaw, c_dyn, c_rew) -> np.ndarray:
    r"""E10: $n_d/n_r=\big(C_{dyn}a_d\kappa_r/(C_{rew}a_r\kappa_d)\big)^{1/(1+\alpha)}$, valid when $\alpha_d=\alpha_r=\alpha$.

    Parameters
    ----------
    prices : Prices
        Price per dynamics sample and per reward label.
    dyn, rew : PowerLaw
        Laws with equal exponents.
    c_dyn, c_rew : array_like
        $C_{dyn}$, $C_{rew}$ of E3.

    Returns
    -------
    ndarray
        $n_d/n_r$.

    References
    ----------
    ``docs/theory.md`` E10.
    """
    if not math.isclose(dyn.alpha, rew.alpha, rel_tol=1e-12):
        raise V.InputError(f"E10 needs equal exponents, got alpha_dyn={dyn.alpha:g} and alpha_rew={rew.alpha:g}")
    return (np.asarray(c_dyn) * dyn.a * prices.kappa_r / (np.asarray(c_rew) * rew.a * prices.kappa_d)) ** (1 / (1 + dyn.alpha))


def split_interval(budget: float, prices: Prices, dyn_boot: np.ndarray, rew_boot: np.ndarray, c_dyn: float,
                   c_rew: float, *, level: float = 0.95) -> dict[str, tuple[float, float]]:
    """Percentile intervals of the optimal share and ratio over paired bootstrap replicates of both laws.

    Carries the fits' uncertainty through to the split (E12).

    Parameters
    ----------
    budget : float
        The budget $N$.
    prices : Prices
        Price per dynamics sample and per reward label.
    dyn_boot, rew_boot : ndarray
        Bootstrap replicates of the two laws, rows ``(a, alpha, e)``.
    c_dyn, c_rew : float
        $C_{dyn}$, $C_{rew}$ of E3.
    level : float
        Confidence level.

    Returns
    -------
    dict
        ``share_dyn`` and ``sample_ratio`` intervals.

    References
    ----------
    ``docs/theory.md`` E11, E12.
    """
    k = min(len(dyn_boot), len(rew_boot))
    if k == 0:
        raise V.InputError("need bootstrap replicates of both laws")
    dyn_boot, rew_boot = np.asarray(dyn_boot, dtype=float), np.asarray(rew_boot, dtype=float)
    shares, ratios = np.empty(k), np.empty(k)
    for j in range(k):
        s = optimal_split(budget, prices, PowerLaw(*dyn_boot[j]), PowerLaw(*rew_boot[j]), c_dyn, c_rew)
        shares[j], ratios[j] = s.share_dyn, s.sample_ratio
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    return {"share_dyn": tuple(np.percentile(shares, q)), "sample_ratio": tuple(np.percentile(ratios, q))}
