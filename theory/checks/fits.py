"""Power-law fits on synthetic data with a planted law (``docs/theory.md`` E12): coverage and recovery."""

from __future__ import annotations

import numpy as np

from theory.maths.scaling import PowerLaw, PowerLawFit, fit_power_law

SIZES = np.unique(np.round(np.logspace(1, 4, 12)))


def ols_coverage(runs: int, seed: int = 0, alpha: float = 0.9, noise: float = 0.05) -> float:
    """Share of synthetic runs whose 95% bootstrap-t interval for alpha covers the planted ``alpha``
    (12 sizes from 10 to 10^4, multiplicative log-normal noise of ``noise``)."""
    rng = np.random.default_rng(seed)
    hits = 0
    for r in range(runs):
        fit = fit_power_law(SIZES, 5.0 * SIZES**-alpha * np.exp(rng.normal(0, noise, SIZES.size)), bootstrap=400, rng=r)
        hits += fit.ci["alpha"][0] <= alpha <= fit.ci["alpha"][1]
    return hits / runs


PLANTED = {"dynamics": PowerLaw(0.8, 0.25, 0.02), "reward": PowerLaw(5.0, 0.9)}


def planted_recovery(seed: int = 0, noise: float = 0.03) -> dict[str, PowerLawFit]:
    """Fits of :data:`PLANTED` laws (the dynamics one with a floor) from noisy synthetic errors."""
    rng = np.random.default_rng(seed)
    data = {k: law(SIZES) * np.exp(rng.normal(0, noise, SIZES.size)) for k, law in PLANTED.items()}
    return {"dynamics": fit_power_law(SIZES, data["dynamics"], floor=True, rng=1),
            "reward": fit_power_law(SIZES, data["reward"], rng=2)}
