r"""Curvature of latent trajectories and Lipschitz estimators (``docs/theory.md`` E13, E14, E14b).

Curvature (temporal straightening, Wang et al. 2026): for steps $v_t=z_{t+1}-z_t$,
$\kappa_t=1-\cos(v_t,v_{t+1})\in[0,2]$ (0 straight on, 1 a right angle, 2 a reversal); $\bar\kappa$ its mean.

Zero-length steps (rule): a step whose length is at most ``atol`` times the largest step of its
trajectory has no direction and is dropped, so a trajectory that pauses and moves on is measured by
its moving steps; $\kappa_t$ is defined between consecutive kept steps. A trajectory with fewer than
two kept steps has no curvature (NaN, left out of batch means).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.results import Result


class LowerEstimateWarning(UserWarning):
    """A sampled Lipschitz estimate is a lower bound on the true constant."""


@dataclass(frozen=True)
class Curvature(Result):
    r"""Curvature of trajectories (``docs/theory.md`` E14).

    Parameters
    ----------
    per_step : ndarray
        ``(B, T-2)``: $1-\cos$ between consecutive steps, one row per trajectory, NaN-padded.
    per_trajectory_mean : ndarray
        Mean curvature per trajectory.
    mean_curvature : float
        Mean over all steps.
    message : str
        What could not be computed (too short a trajectory, a zero step), or empty.
    """

    per_step: np.ndarray
    per_trajectory_mean: np.ndarray
    mean_curvature: float
    message: str = ""


def curvature(z, atol: float = 1e-12) -> Curvature:
    r"""E14: $\kappa_t=1-\cos(z_{t+1}-z_t,\,z_{t+2}-z_{t+1})$ for ``z`` of shape ``(T, d)`` or ``(B, T, d)``.

    Parameters
    ----------
    z : array_like
        ``(T, d)`` or ``(B, T, d)`` real trajectories.
    atol : float
        Relative length below which a step has no direction.

    Returns
    -------
    Curvature
        Per step, per trajectory and overall.

    References
    ----------
    ``docs/theory.md`` E14; Wang et al. (2026) on temporal straightening.

    Examples
    --------
    >>> curvature([[0, 0], [1, 0], [1, 1], [0, 1]]).per_step  # two right-angle turns
    array([[1., 1.]])
    """
    z = V.as_array("trajectory", z)
    if z.ndim == 2:
        z = z[None]
    if z.ndim != 3:
        raise V.InputError(f"trajectory must have shape (T, d) or (batch, T, d), got {z.shape}")
    if z.shape[1] < 3:
        raise V.InputError(f"a trajectory needs at least 3 points for a curvature, got {z.shape[1]}")
    if not np.isfinite(z).all():
        raise V.InputError("trajectory must be finite")
    B, T, _ = z.shape
    per = np.full((B, T - 2), np.nan)
    for b in range(B):
        steps = np.diff(z[b], axis=0)
        norms = np.linalg.norm(steps, axis=1)
        keep = norms > atol * max(norms.max(), 1e-300)
        u = steps[keep] / norms[keep, None]
        if len(u) >= 2:
            k = 1 - np.clip((u[:-1] * u[1:]).sum(1), -1, 1)
            per[b, : len(k)] = k
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
        means = np.nanmean(per, axis=1)
    if np.isfinite(per).any():
        skipped = int(np.isnan(per).sum())
        message = (f"{skipped} step pair(s) skipped: a zero-length step has no direction" if skipped else "")
        return Curvature(per, means, float(np.nanmean(per)), message)
    return Curvature(per, means, float("nan"), "undefined: no two consecutive steps of nonzero length "
                                                "(the trajectory does not move)")


def linear_lipschitz(M) -> float:
    """E13: the exact Lipschitz constant of $x\\mapsto Mx$ in the Euclidean norm, the largest singular value.

    Parameters
    ----------
    M : array_like
        A matrix.

    Returns
    -------
    float
        $\\|M\\|_2$.

    References
    ----------
    ``docs/theory.md`` E13.
    """
    return float(np.linalg.norm(np.asarray(M, dtype=float), 2))


@dataclass(frozen=True)
class ClosedLoopLinear:
    r"""$s'=As+Ba$, $a=Ks$: exact $\|A+BK\|_2$ beside the structured $\max(\|A\|,\|B\|)(1+\|K\|)$ (sum metric)
    and the product bound $\|A\|+\|B\|\|K\|$."""

    exact: float
    triangle: float
    structured: float


def closed_loop_linear(A, B, K) -> ClosedLoopLinear:
    r"""E13 on a closed loop $s\mapsto(A+BK)s$: the exact constant beside two bounds.

    The exact $\|A+BK\|_2$, the triangle bound $\|A\|+\|B\|\|K\|$ and the structured
    $\max(\|A\|,\|B\|)(1+\|K\|)$.

    Parameters
    ----------
    A, B, K : array_like
        Dynamics, input and gain matrices.

    Returns
    -------
    ClosedLoopLinear
        Exact, triangle and structured constants.

    References
    ----------
    ``docs/theory.md`` E13, section 0.
    """
    A, B, K = (np.asarray(X, dtype=float) for X in (A, B, K))
    nA, nB, nK = linear_lipschitz(A), linear_lipschitz(B), linear_lipschitz(K)
    return ClosedLoopLinear(linear_lipschitz(A + B @ K), nA + nB * nK, max(nA, nB) * (1 + nK))


@dataclass(frozen=True)
class SampledLipschitz:
    """A lower estimate of a black-box map's Lipschitz constant: the largest ratio over sampled pairs."""

    estimate: float
    pairs: int
    best_pair: tuple[np.ndarray, np.ndarray]


def sampled_lipschitz(f: Callable[[np.ndarray], np.ndarray], points, pairs: int = 10_000,
                      rng: np.random.Generator | int | None = 0, local: float | None = None) -> SampledLipschitz:
    r"""E13: $\max\|f(x)-f(y)\|/\|x-y\|$ over random pairs of ``points (n, d)``, a lower estimate.

    With ``local``, over pairs $(x, x+\delta)$ with $\|\delta\|=$ ``local``. Always at most the true constant:
    a warning says so. ``f`` maps an ``(n, d)`` array to ``(n, k)``; it is a Python callable, never a string.

    Parameters
    ----------
    f : callable
        A black-box map on rows of points.
    points : array_like
        Where to sample.
    pairs : int
        Number of pairs.
    rng : Generator or int, optional
        Randomness.
    local : float, optional
        The length of $\delta$ for local pairs (default: random pairs of points).

    Returns
    -------
    SampledLipschitz
        A lower estimate.

    References
    ----------
    ``docs/theory.md`` E13.
    """
    if not callable(f):
        raise V.InputError("f must be a Python callable")
    X = V.as_array("points", points)
    if X.ndim != 2 or X.shape[0] < 2:
        raise V.InputError(f"points must have shape (n >= 2, d), got {X.shape}")
    rng = np.random.default_rng(rng)
    i = rng.integers(0, X.shape[0], pairs)
    if local is None:
        j = rng.integers(0, X.shape[0], pairs)
        keep = i != j
        x, y = X[i[keep]], X[j[keep]]
    else:
        d = rng.standard_normal((pairs, X.shape[1]))
        x = X[i]
        y = x + local * d / np.linalg.norm(d, axis=1, keepdims=True)
    dist = np.linalg.norm(x - y, axis=1)
    ok = dist > 0
    ratio = np.linalg.norm(np.asarray(f(x)) - np.asarray(f(y)), axis=-1)[ok] / dist[ok]
    k = int(np.argmax(ratio))
    warnings.warn(f"sampled Lipschitz estimate from {ok.sum()} pairs is a lower estimate of the true constant",
                  LowerEstimateWarning, stacklevel=2)
    return SampledLipschitz(float(ratio[k]), int(ok.sum()), (x[ok][k], y[ok][k]))


def straightening_bound(eps_velocity: float) -> float:
    r"""E14b: if the velocity map $v=f-\mathrm{id}$ is $\varepsilon$-Lipschitz ($\varepsilon<1$), $\kappa_t\le\varepsilon^2/(2(1-\varepsilon))$.

    Parameters
    ----------
    eps_velocity : float
        Lipschitz constant $\varepsilon<1$ of the velocity map.

    Returns
    -------
    float
        $\varepsilon^2/(2(1-\varepsilon))$.

    References
    ----------
    ``docs/theory.md`` E14b.
    """
    e = float(V.nonnegative("eps_velocity", eps_velocity))
    if e >= 1:
        raise V.InputError(f"eps_velocity must be < 1 for E14b, got {e:g}")
    return e**2 / (2 * (1 - e))
