r"""The straightening experiment (``docs/theory.md`` E4, E6, E13, E14): one system, several encoders.

The underlying system moves at constant speed along a line, $x_{t+1}=x_t+v$ on $[0,1]$. Encoders map
it to a plane, from straight to strongly curved: a ``line``, an ``arc`` (a quarter circle), a ``circle``
(a full turn), a ``wave`` (a line with a sine ripple) and a ``spiral`` (a turning, widening curve).
In each latent space a linear model $z_{t+1}=Mz_t+b$ is learned by least squares from ``n`` noisy
transitions. We measure the mean curvature of true latent trajectories (E14), the learned model's
Lipschitz constant $L=\|M\|_2$ (E13), its one-step error $\varepsilon_{dyn}$ (sup over held-out
states), the compounding bound $\varepsilon_{dyn}\sum_{i<T}L^i$ (E4) and the true $T$-step prediction error.

The second lever clips the learned model's singular values at $s_{max}$, trading one-step error for a
smaller $L$.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theory.maths.bound import compounding_factor, exceeds
from theory.maths.straightening import curvature, linear_lipschitz
from theory.results import Result


def _encoders() -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    return {
        "line": lambda x: np.stack([x, np.zeros_like(x)], -1),
        "arc": lambda x: np.stack([np.sin(x * np.pi / 2), 1 - np.cos(x * np.pi / 2)], -1) * (2 / np.pi),
        "circle": lambda x: np.stack([np.sin(2 * np.pi * x), 1 - np.cos(2 * np.pi * x)], -1) / (2 * np.pi),
        "wave": lambda x: np.stack([x, 0.05 * np.sin(6 * np.pi * x)], -1),
        "spiral": lambda x: np.stack([(0.05 + 0.3 * x) * np.cos(6 * np.pi * x), (0.05 + 0.3 * x) * np.sin(6 * np.pi * x)], -1),
    }


ENCODERS = tuple(_encoders())


@dataclass(frozen=True)
class EncoderResult(Result):
    """One encoder of the straightening experiment: its curvature, Lipschitz constant, error and bound."""

    encoder: str
    mean_curvature: float
    lipschitz: float
    eps_dyn: float
    bound: float
    true_error: float


def _fit_linear(Z: np.ndarray, Z1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = np.column_stack([Z, np.ones(len(Z))])
    coef, *_ = np.linalg.lstsq(X, Z1, rcond=None)
    return coef[:-1].T, coef[-1]


def _clip_singular(M: np.ndarray, s_max: float) -> np.ndarray:
    U, s, Vt = np.linalg.svd(M)
    return U @ np.diag(np.minimum(s, s_max)) @ Vt


def _evaluate(phi, M, b, v, T, x_test):
    """One-step sup error over held-out states and the worst T-step error from several starts."""
    z, z1 = phi(x_test), phi(x_test + v)
    eps = float(np.max(np.linalg.norm(z @ M.T + b - z1, axis=1)))
    starts = np.linspace(0, 1 - T * v, 8)
    zt = phi(starts)
    err = 0.0
    for t in range(1, T + 1):
        zt = zt @ M.T + b
        err = max(err, float(np.max(np.linalg.norm(zt - phi(starts + t * v), axis=1))))
    return eps, err


def straightening_experiment(n: int = 200, T: int = 10, v: float = 0.02, noise: float = 1e-3, seed: int = 0,
        clip_levels=(1.2, 1.1, 1.05, 1.0, 0.98, 0.95, 0.9)) -> dict:
    """Both levers; returns per-encoder results and, for the spiral, the clipping lever."""
    rng = np.random.default_rng(seed)
    enc = _encoders()
    x_train = rng.uniform(0, 1 - v, n)
    x_test = np.linspace(0, 1 - v, 400)
    rows = []
    models = {}
    for name, phi in enc.items():
        Z = phi(x_train) + noise * rng.standard_normal((n, 2))
        Z1 = phi(x_train + v) + noise * rng.standard_normal((n, 2))
        M, b = _fit_linear(Z, Z1)
        models[name] = (M, b)
        kappa = curvature(phi(np.arange(0, 1, v))).mean_curvature
        L = linear_lipschitz(M)
        eps, err = _evaluate(phi, M, b, v, T, x_test)
        rows.append(EncoderResult(name, kappa, L, eps, float(eps * compounding_factor(L, T)), err))
    lever = []
    M, b = models["spiral"]
    phi = enc["spiral"]
    for s_max in (float("inf"),) + tuple(clip_levels):
        Mc = M if np.isinf(s_max) else _clip_singular(M, s_max)
        L = linear_lipschitz(Mc)
        eps, err = _evaluate(phi, Mc, b, v, T, x_test)
        lever.append({"s_max": s_max, "lipschitz": L, "eps_dyn": eps, "bound": float(eps * compounding_factor(L, T)),
                      "true_error": err})
    kappas = np.array([r.mean_curvature for r in rows])
    errors = np.array([r.true_error for r in rows])
    bounds = np.array([r.bound for r in rows])
    rank = lambda a: np.argsort(np.argsort(a))  # noqa: E731
    rho_err = float(np.corrcoef(rank(kappas), rank(errors))[0, 1])
    rho_bound = float(np.corrcoef(rank(kappas), rank(bounds))[0, 1])
    return {"encoders": [r.to_dict() for r in rows], "lever": lever, "T": T, "n": n,
            "spearman_curvature_true_error": rho_err, "spearman_curvature_bound": rho_bound,
            "bound_holds": not exceeds(errors, bounds).any(),
            "reading": _reading(rows, lever, rho_err, rho_bound)}


def _reading(rows, lever, rho_err, rho_bound) -> str:
    """What the numbers support, in words, computed from the numbers (not written in advance)."""
    straight = min(rows, key=lambda r: r.mean_curvature)
    curved = max(rows, key=lambda r: r.mean_curvature)
    circle = next(r for r in rows if r.encoder == "circle")
    parts = [f"Across encoders the Spearman correlation of mean curvature with the true multi-step "
             f"error is {rho_err:+.2f} and with the bound {rho_bound:+.2f}.",
             f"The straightest encoder ({straight.encoder}, curvature {straight.mean_curvature:.2g}) has true error "
             f"{straight.true_error:.2g}; the most curved ({curved.encoder}, {curved.mean_curvature:.2g}) {curved.true_error:.2g}."]
    if circle.true_error < 10 * straight.true_error + 1e-3:
        parts.append(f"Curvature alone is not the cause: the circle is curved ({circle.mean_curvature:.2g}) yet its "
                     "dynamics is a rotation, an isometry a linear model represents exactly, so its error stays small. "
                     "What costs is curvature the model class cannot follow.")
    best = min(lever, key=lambda r: r["true_error"])
    parts.append(f"Clipping the spiral model's spectral norm: L from {lever[0]['lipschitz']:.3g} to {lever[-1]['lipschitz']:.3g}; "
                 f"the bound moves from {lever[0]['bound']:.3g} to {lever[-1]['bound']:.3g}, the true error from "
                 f"{lever[0]['true_error']:.3g} to {lever[-1]['true_error']:.3g} (best at s_max = {best['s_max']:g}).")
    return " ".join(parts)


def linear_constants_check(seed: int = 0) -> dict:
    """E13 on a random closed-loop linear system: the exact constant, its product bounds, a sampled lower estimate."""
    import warnings

    from theory.maths.straightening import LowerEstimateWarning, closed_loop_linear, sampled_lipschitz

    rng = np.random.default_rng(seed)
    A, B, K = rng.normal(0, 0.5, (3, 3)), rng.normal(0, 0.5, (3, 2)), rng.normal(0, 0.5, (2, 3))
    cl = closed_loop_linear(A, B, K)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowerEstimateWarning)
        est = sampled_lipschitz(lambda x: x @ (A + B @ K).T, rng.uniform(-1, 1, (500, 3)), pairs=20000, rng=1)
    return {"exact": cl.exact, "triangle": cl.triangle, "structured": cl.structured, "sampled": est.estimate,
            "pairs": est.pairs}


def near_translation_slacks(seed: int = 0, eps_values=(0.05, 0.2, 0.5), steps: int = 40) -> list[float]:
    """E14b: for velocity maps ``tanh(W z)`` with ``||W|| = eps``, the bound minus the largest curvature seen."""
    from theory.maths.straightening import straightening_bound

    rng = np.random.default_rng(seed)
    slacks = []
    for eps in eps_values:
        W = rng.normal(size=(2, 2))
        W *= eps / np.linalg.norm(W, 2)
        z = [np.array([0.3, -0.2])]
        for _ in range(steps):
            z.append(z[-1] + np.array([1.0, 0.5]) + np.tanh(z[-1] @ W.T))
        slacks.append(straightening_bound(eps) - float(np.nanmax(curvature(np.array(z)).per_step)))
    return slacks
