r"""Power laws of model error in sample count, and fitting them (``docs/theory.md`` E7, E12).

$\varepsilon(n)=e+a\,n^{-\alpha}$ with $a>0$, $\alpha>0$, floor $e\ge0$.

Without a floor the fit is ordinary least squares of $\log\varepsilon$ on $\log n$. With a floor it is
a robust fit: the Huber loss of the log residuals $\log\varepsilon_i-\log(e+a n_i^{-\alpha})$, *summed*
(averaging shrinks the gradient and stops L-BFGS early, the error found in replications of the
Chinchilla fit), minimised by L-BFGS-B from a grid of starting exponents; a fit that does not
converge raises :class:`FitError`. Intervals come from a residual bootstrap in log space (the sample
sizes are a design, not a sample): bootstrap-t intervals for both fits, the floored fit's in the
coordinates it is fitted in ($\log a$, $\alpha$, $\log e$) with Gauss-Newton standard errors.
"""

from __future__ import annotations

import csv
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import optimize

from theory import _validate as V
from theory._progress import Progress
from theory.results import NOT_JSON, Result


class FitError(RuntimeError):
    """The power-law fit did not converge from any starting point."""


class FitWarning(UserWarning):
    """The data cannot separate the parameters well (too short a range, or strongly correlated estimates)."""


@dataclass(frozen=True)
class PowerLaw(Result):
    r"""A power law $\varepsilon(n)=e+a n^{-\alpha}$ (E7).

    Parameters
    ----------
    a : float
        The coefficient $a>0$.
    alpha : float
        The exponent $\alpha>0$.
    e : float
        The floor $e\ge0$ the error approaches (default 0).
    """

    a: float
    alpha: float
    e: float = 0.0

    def __post_init__(self):
        V.positive("a", self.a)
        V.positive("alpha", self.alpha)
        V.nonnegative("e", self.e)

    def __call__(self, n):
        n = np.asarray(n, dtype=float)
        return self.e + self.a * n ** (-self.alpha)


@dataclass(frozen=True)
class PowerLawFit(Result):
    r"""A fitted power law (E12) with its bootstrap replicates and intervals.

    Its JSON has ``law`` (``a``, ``alpha``, ``e``: the one shape of a power law), ``floor``, ``ci``, ``level``,
    ``points`` and ``bootstrap`` (counts), ``success`` and ``message``; the data and the replicates stay out.

    Parameters
    ----------
    law : PowerLaw
        The least-squares fit in log space.
    floor : bool
        Whether the floor $e$ was fitted (else $e=0$).
    ci : dict of str to (float, float)
        Bootstrap intervals at ``level``: parameter name to (low, high); empty without a bootstrap.
    boot : ndarray
        The bootstrap replicates, one row each.
    level : float
        The level of the intervals.
    n, error : ndarray
        The data fitted.
    message : str
        What the data cannot support (a span under a decade, correlated estimates), or empty.
    success : bool
        True: a fit that fails raises :class:`FitError` instead.
    """

    json_properties = ("points", "bootstrap")

    law: PowerLaw
    floor: bool
    ci: dict[str, tuple[float, float]]
    boot: np.ndarray = field(metadata=NOT_JSON)  # (B, 3) columns a, alpha, e
    level: float = 0.95
    n: np.ndarray = field(default=None, metadata=NOT_JSON)
    error: np.ndarray = field(default=None, metadata=NOT_JSON)
    message: str = ""
    success: bool = True

    @property
    def points(self) -> int:
        """Number of (n, error) points fitted."""
        return int(self.n.size)

    @property
    def bootstrap(self) -> int:
        """Number of bootstrap replicates."""
        return int(self.boot.shape[0])


def _check_data(n, error) -> tuple[np.ndarray, np.ndarray]:
    n = V.as_array("n", n).ravel()
    err = V.as_array("error", error).ravel()
    if n.shape != err.shape:
        raise V.InputError(f"n and error must have the same length, got {n.size} and {err.size}")
    if n.size < 3:
        raise V.InputError(f"need at least 3 (n, error) points to fit a power law, got {n.size}")
    if (n <= 0).any() or (err <= 0).any() or not np.isfinite(n).all() or not np.isfinite(err).all():
        raise V.InputError("n and error must be finite and > 0 (the fit works on their logarithms)")
    if np.unique(n).size < 2:
        raise V.InputError("n must take at least two distinct values")
    return n, err


def _ols(logn: np.ndarray, logerr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slope and intercept of log error on log n, vectorised over leading axes."""
    xm = logn.mean(-1, keepdims=True)
    ym = logerr.mean(-1, keepdims=True)
    sxx = ((logn - xm) ** 2).sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = ((logn - xm) * (logerr - ym)).sum(-1) / sxx
    return slope, ym[..., 0] - slope * xm[..., 0]


def _huber(r: np.ndarray, delta: float) -> tuple[np.ndarray, np.ndarray]:
    a = np.abs(r)
    loss = np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))
    grad = np.clip(r, -delta, delta)
    return loss, grad


def _fit_floor(logn: np.ndarray, logerr: np.ndarray, delta: float, starts, warm: np.ndarray | None = None) -> np.ndarray:
    """Robust fit of (log a, alpha, log e) by summed Huber loss; returns (a, alpha, e).

    ``warm`` (a previous fit) is tried alone first; the grid of starts only if it fails."""
    def objective(theta):
        la, alpha, le = theta
        pa = la - alpha * logn  # log of a n^-alpha
        pred = np.logaddexp(pa, le)  # log(e + a n^-alpha)
        r = logerr - pred
        loss, dr = _huber(r, delta)
        w_a = np.exp(pa - pred)  # share of the power-law part
        g = np.array([-(dr * w_a).sum(), (dr * w_a * logn).sum(), -(dr * (1 - w_a)).sum()])
        return loss.sum(), g

    def grid():
        err_min = np.exp(logerr.min())
        for alpha0 in starts:
            for floor_frac in (1e-3, 0.3, 0.9):
                _, icpt = _ols(logn, np.log(np.maximum(np.exp(logerr) - floor_frac * err_min, 1e-300)))
                yield np.array([icpt if np.isfinite(icpt) else 0.0, alpha0, np.log(floor_frac * err_min)])

    best = None
    if warm is not None:
        best = _minimise(objective, np.array([np.log(warm[0]), warm[1], np.log(max(warm[2], 1e-300))]), None)
    if best is None:
        for x0 in grid():
            best = _minimise(objective, x0, best)
    if best is None:
        raise FitError("the floored power-law fit did not converge from any starting exponent")
    la, alpha, le = best.x
    return np.array([np.exp(la), alpha, np.exp(le)])


def _minimise(objective, x0, best):
    """One L-BFGS-B run; returns the better of it and ``best`` among converged runs."""
    res = optimize.minimize(objective, x0, jac=True, method="L-BFGS-B",
                            bounds=[(-50, 50), (1e-4, 10), (-60, 50)],
                            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10})
    if res.success and (best is None or res.fun < best.fun):
        return res
    return best


def fit_power_law(n, error, *, floor: bool = False, bootstrap: int = 200, level: float = 0.95,
                  rng: np.random.Generator | int | None = 0, delta: float = 0.1,
                  starts=(0.1, 0.3, 0.6, 1.0, 1.5)) -> PowerLawFit:
    r"""Fit $\varepsilon(n)=e+a n^{-\alpha}$ (E12) with percentile bootstrap intervals.

    Parameters
    ----------
    n, error : (K,) array_like
        Sample counts and measured errors, all $>0$; at least 3 points.
    floor : bool
        Fit the floor $e$ too (robust Huber fit in log space); otherwise $e=0$ and OLS.
    bootstrap : int
        Residual-bootstrap replicates for the intervals (0 for none).
    level : float
        Confidence level of the intervals.
    rng : Generator or seed
        Randomness of the bootstrap.
    delta : float
        Huber threshold on log residuals (floor fit only).
    starts : sequence of float
        Starting exponents $\alpha_0$ of the floor fit's local optimiser (the best fit of all is kept).

    Returns
    -------
    PowerLawFit
        The law, its bootstrap replicates and intervals, the residual scale and any warnings.

    Warns
    -----
    FitWarning
        When the data span less than a decade of $n$, or when the estimates of $\log a$ and $\alpha$ (or $e$)
        are correlated beyond 0.99 (they cannot be separated).

    References
    ----------
    ``docs/theory.md`` E7, E12; Hoffmann et al. (2022) and its replication (Besiroglu et al., 2024) on
    fitting scaling laws with a summed Huber loss.

    Examples
    --------
    >>> n = np.array([10, 30, 100, 300, 1000])
    >>> fit = fit_power_law(n, 2.0 * n ** -0.5, bootstrap=0)
    >>> round(fit.law.a, 6), round(fit.law.alpha, 6)
    (2.0, 0.5)
    """
    n, err = _check_data(n, error)
    V.in_closed_interval("level", level, 0.5, 0.999)
    least = math.ceil(2 / (1 - level))  # fewer replicates cannot put a replicate beyond each end of the interval
    if int(bootstrap) != bootstrap or bootstrap < 0 or 0 < bootstrap < least:
        raise V.InputError(f"bootstrap must be 0 (no intervals) or an integer >= {least} for a {100 * level:g}% "
                           f"interval, got {bootstrap}")
    rng = np.random.default_rng(rng)
    logn, logerr = np.log(n), np.log(err)
    notes = []
    if np.log10(n.max() / n.min()) < 1:
        notes.append(f"the data span only {np.log10(n.max() / n.min()):.2f} decades of n: the exponent is poorly determined")
    if floor:
        params = _fit_floor(logn, logerr, delta, starts)
    else:
        slope, icpt = _ols(logn, logerr)
        if not slope < 0:
            raise FitError(f"the error does not fall with n (log-log slope {slope:.3g} >= 0): no power law with alpha > 0")
        params = np.array([np.exp(icpt), -slope, 0.0])
    notes += _correlation_notes(logn, params, floor)
    boot, boot_se = np.empty((0, 3)), None
    if bootstrap:
        boot, boot_se = _residual_bootstrap(logn, logerr, params, floor, int(bootstrap), rng, delta, starts)
    if not bootstrap:
        ci = {}
    elif floor:
        ci = _studentized_floor_intervals(logn, logerr, params, boot, boot_se, level)
    else:
        ci = {"e": (0.0, 0.0), **_studentized_ols_intervals(logn, logerr, params, int(bootstrap), rng, level)}
    for note in notes:
        warnings.warn(note, FitWarning, stacklevel=2)
    return PowerLawFit(PowerLaw(*(float(p) for p in params)), floor, ci, boot, level, n, err, "; ".join(notes))


def _log_prediction(logn: np.ndarray, params: np.ndarray, floor: bool) -> np.ndarray:
    a, alpha, e = params
    pa = np.log(a) - alpha * logn
    return np.logaddexp(pa, np.log(e)) if floor and e > 0 else pa


def _residual_bootstrap(logn, logerr, params, floor, reps, rng, delta, starts) -> tuple[np.ndarray, np.ndarray | None]:
    """Residual bootstrap in log space (the design n is fixed): refit to prediction + resampled residuals,
    rescaled by sqrt(K / (K - p)) for the parameters fitted, so the intervals are not too narrow."""
    pred = _log_prediction(logn, params, floor)
    resid = logerr - pred
    k, p = logn.size, 3 if floor else 2
    resid = (resid - resid.mean()) * np.sqrt(k / max(k - p, 1))
    if not floor:
        parts = [_ols(logn, ystar) for ystar in _resampled(pred, resid, reps, rng, "bootstrap")]
        slope, icpt = (np.concatenate(v) for v in zip(*parts))
        return np.column_stack([np.exp(icpt), -slope, np.zeros(reps)])[slope < 0], None
    rows, ses = [], []
    for ystar in _resampled(pred, resid, reps, rng, "bootstrap fits of the floored law"):
        for y in ystar:
            try:
                rows.append(_fit_floor(logn, y, delta, starts, warm=params))
            except FitError:
                continue
            ses.append(_floor_se(logn, y, rows[-1]))
    return np.array(rows).reshape(-1, 3), np.array(ses).reshape(-1, 3)


def _resampled(pred: np.ndarray, resid: np.ndarray, reps: int, rng: np.random.Generator, desc: str):
    """``reps`` rows ``pred + resid[idx]`` (indices drawn with replacement), in blocks of at most 2**22
    numbers so that memory stays flat in the number of points (a million points and 200 replicates
    would be 1.6 GB at once); small problems are one block, drawn exactly as one array."""
    k = pred.size
    per = max(1, (1 << 22) // k)
    with Progress(reps, desc, "replicates") as progress:
        for start in range(0, reps, per):
            b = min(per, reps - start)
            yield pred + resid[rng.integers(0, k, (b, k))]
            progress.update(b)


def _ols_se(logn: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Slope, intercept and their classical standard errors, vectorised over rows of ``y``."""
    slope, icpt = _ols(logn, y)
    k = logn.size
    resid = y - (icpt[..., None] + slope[..., None] * logn)
    s2 = (resid**2).sum(-1) / (k - 2)
    sxx = ((logn - logn.mean()) ** 2).sum()
    se_slope = np.sqrt(s2 / sxx)
    se_icpt = np.sqrt(s2 * (1 / k + logn.mean() ** 2 / sxx))
    return slope, icpt, se_slope, se_icpt


def _studentized_ols_intervals(logn, logerr, params, reps, rng, level) -> dict:
    """Bootstrap-t intervals for alpha and a (no floor): the percentile of the studentized replicates
    t* = (theta* - theta) / se*, which keeps the t-distribution's heavier tails at few points."""
    slope, icpt, se_s, se_i = _ols_se(logn, logerr)
    pred = icpt + slope * logn
    k = logn.size
    resid = (logerr - pred - (logerr - pred).mean()) * np.sqrt(k / (k - 2))
    parts = [_ols_se(logn, ystar) for ystar in _resampled(pred, resid, reps, rng, "bootstrap-t")]
    s_b, i_b, se_sb, se_ib = (np.concatenate(v) for v in zip(*parts))
    ok = (se_sb > 0) & (se_ib > 0)
    lo_q, hi_q = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    t_s = np.percentile((s_b[ok] - slope) / se_sb[ok], [lo_q, hi_q])
    t_i = np.percentile((i_b[ok] - icpt) / se_ib[ok], [lo_q, hi_q])
    slope_ci = (slope - t_s[1] * se_s, slope - t_s[0] * se_s)
    icpt_ci = (icpt - t_i[1] * se_i, icpt - t_i[0] * se_i)
    with np.errstate(over="ignore"):  # three points leave one degree of freedom: an interval may reach inf
        return {"alpha": (float(-slope_ci[1]), float(-slope_ci[0])),
                "a": (float(np.exp(icpt_ci[0])), float(np.exp(icpt_ci[1])))}


def _floor_se(logn: np.ndarray, logerr: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Gauss-Newton standard errors of (log a, alpha, log e) of a floored fit, from the residual variance
    with 3 parameters fitted (``inf`` where the data cannot determine a parameter)."""
    a, alpha, e = params
    pa = np.log(a) - alpha * logn
    pred = np.logaddexp(pa, np.log(max(e, 1e-300)))
    w = np.exp(pa - pred)
    J = np.column_stack([w, -w * logn, 1 - w])
    s2 = float(((logerr - pred) ** 2).sum()) / max(logn.size - 3, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = s2 * np.linalg.pinv(J.T @ J)
    return np.sqrt(np.maximum(np.diag(cov), 0.0))


def _studentized_floor_intervals(logn, logerr, params, boot, boot_se, level) -> dict:
    """Bootstrap-t intervals for the floored fit in the coordinates it is fitted in (log a, alpha, log e):
    each replicate's deviation divided by its own Gauss-Newton standard error. The percentile intervals
    used before under-covered (0.885 to 0.905 for a nominal 0.95 with ten points); see
    ``benchmarks/bench_fit_coverage.py`` for the coverage this gives."""
    theta = np.array([np.log(params[0]), params[1], np.log(max(params[2], 1e-300))])
    se = _floor_se(logn, logerr, params)
    tb = np.column_stack([np.log(boot[:, 0]), boot[:, 1], np.log(np.maximum(boot[:, 2], 1e-300))])
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    out = {}
    for j, name in enumerate(("a", "alpha", "e")):
        ok = np.isfinite(boot_se[:, j]) & (boot_se[:, j] > 0)
        if ok.sum() < 2 or not np.isfinite(se[j]):  # no usable standard errors: percentile interval
            lo, hi = np.percentile(tb[:, j], q)
        else:
            t_lo, t_hi = np.percentile((tb[ok, j] - theta[j]) / boot_se[ok, j], q)
            lo, hi = theta[j] - t_hi * se[j], theta[j] - t_lo * se[j]
        with np.errstate(over="ignore", under="ignore"):
            out[name] = (float(lo), float(hi)) if name == "alpha" else (float(np.exp(lo)), float(np.exp(hi)))
    return out


def _correlation_notes(logn: np.ndarray, params: np.ndarray, floor: bool) -> list[str]:
    """Correlation of the estimates from the Gauss-Newton approximation J^T J at the fit."""
    a, alpha, e = params
    pa = np.log(a) - alpha * logn
    pred = np.logaddexp(pa, np.log(e)) if floor and e > 0 else pa
    w = np.exp(pa - pred)
    cols = [w, -w * logn] + ([1 - w] if floor else [])
    J = np.column_stack(cols)
    try:
        cov = np.linalg.inv(J.T @ J)
    except np.linalg.LinAlgError:
        return ["the parameters cannot be separated by these data (singular information matrix)"]
    sd = np.sqrt(np.abs(np.diag(cov)))
    corr = cov / np.outer(sd, sd)
    names = ["log a", "alpha", "e"][: len(cols)]
    notes = []
    for i in range(len(cols)):
        for j in range(i + 1, len(cols)):
            if abs(corr[i, j]) > 0.99 and not (i == 0 and j == 1 and not floor):
                notes.append(f"estimates of {names[i]} and {names[j]} are correlated at {corr[i, j]:.3f}: too correlated to separate")
    return notes


def read_text(path: str | Path, what: str = "CSV") -> str:
    """The text of a user's file (``-``: standard input): UTF-8 (a byte-order mark is dropped), else Latin-1
    (spreadsheets and old tools write both); a missing file, a folder, binary content or more than
    :data:`theory._validate.TEXT_LIMIT` bytes is an :class:`~theory.InputError`."""
    def text_only(name: str, head: bytes) -> None:
        if b"\x00" in head or head.startswith(b"PK\x03\x04") or head.startswith(b"\x93NUMPY"):
            raise V.InputError(f"{name}: binary content, not a {what} text file")

    path, raw = V.read_input(path, f"a {what}", V.TEXT_LIMIT, text_only)
    text_only(path, raw)
    if b"\x00" in raw:
        raise V.InputError(f"{path}: binary content, not a {what} text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a CSV file with columns ``n,error``; errors name the file and the line.

    A header row names the columns (in any order); lines starting with ``#`` are comments.

    Parameters
    ----------
    path : str or Path
        A CSV with columns ``n`` and ``error`` (``-`` reads standard input).

    Returns
    -------
    n : ndarray
        Sample counts.
    error : ndarray
        Measured errors.

    References
    ----------
    ``docs/theory.md`` E12.
    """
    lines = read_text(path).splitlines()
    numbered = [(k + 1, line) for k, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise V.InputError(f"{path}: no header row (the CSV needs columns 'n' and 'error')")
    header_line, header = numbered[0]
    names = [c.strip().lower() for c in next(csv.reader([header]))]
    repeated = sorted({c for c in names if c and names.count(c) > 1})
    if repeated:
        raise V.InputError(f"{path}, line {header_line}: column(s) {repeated} appear more than once; which one is meant?")
    if "n" not in names or "error" not in names:
        raise V.InputError(f"{path}, line {header_line}: the CSV needs columns 'n' and 'error', found {names}")
    i_n, i_e = names.index("n"), names.index("error")
    n, err = [], []
    for number, line in numbered[1:]:
        row = next(csv.reader([line]))
        try:
            n.append(float(row[i_n]))
            err.append(float(row[i_e]))
        except (IndexError, ValueError):
            raise V.InputError(f"{path}, line {number}: 'n' and 'error' must be numbers, got {line.strip()!r}") from None
        if not (math.isfinite(n[-1]) and math.isfinite(err[-1])):
            raise V.InputError(f"{path}, line {number}: 'n' and 'error' must be finite, got {line.strip()!r}")
    return _check_data(np.array(n), np.array(err))
