r"""Calibration of the bound on continuous systems with exact returns (``docs/theory.md`` E3, section 6).

The paper's protocol: random systems of a family (:mod:`theory.mdp.continuous`), learned models at
log-uniform relative errors, the gap $|J-\hat J|$ against the bound with the true and the learned
closed-loop constants (the smaller bound is the bound; the constants of the two models are never mixed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.maths.bound import exceeds, return_bound
from theory.mdp.continuous import (LipschitzSystems, model_errors, perturb, random_lipschitz_systems, random_lq_systems,
                                   returns, reward_sup)


@dataclass(frozen=True)
class GapCheck:
    """Per-system exact gap, bounds with each model's constants, and the smaller bound."""

    gap: np.ndarray
    bound_true: np.ndarray
    bound_learned: np.ndarray
    bound: np.ndarray
    ratio: np.ndarray  # gap / bound (0 where the bound is infinite)
    tail: np.ndarray  # truncation error of the returns (0 for finite horizons)

    @property
    def violations(self) -> int:
        """Systems whose gap exceeds the bound by more than the truncation tail and float round-off."""
        return int(np.sum(exceeds(self.gap, self.bound, self.tail)))


def check_gap(true: LipschitzSystems, learned: LipschitzSystems, s0: np.ndarray, gamma: float, horizon) -> GapCheck:
    r"""$|J-\hat J|$ against $B$ (E3) with the true and the learned closed-loop constants.

    For $H=\infty$ the returns are truncated at $T$ steps, with $\gamma^T<10^{-12}$; the truncation tail
    $\gamma^T(\sup|r|+\sup|\hat r|)/(1-\gamma)$ is reported, and a violation must exceed it.
    """
    h = V.horizon(horizon)
    g = float(V.in_closed_interval("gamma", gamma, 0, 1))
    if np.isinf(h):
        if g >= 1:
            raise V.InputError("gamma must be < 1 when the horizon is infinite")
        steps = int(np.ceil(np.log(1e-12) / np.log(max(g, 1e-12)))) if g > 0 else 1
        tail = g**steps * (reward_sup(true) + reward_sup(learned)) / (1 - g)
    else:
        steps, tail = int(h), np.zeros(true.n)
    gap = np.abs(returns(true, s0, g, steps) - returns(learned, s0, g, steps))
    eps_dyn, eps_rew = model_errors(true, learned)
    b_true, b_learn = (return_bound(g, horizon, eps_dyn, eps_rew, **dict(zip(("L", "K_rpi"), sys.closed_loop_constants()))).bound
                       for sys in (true, learned))
    b = np.minimum(b_true, b_learn)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.isfinite(b) & (b > 0), gap / b, 0.0)
    return GapCheck(gap, b_true, b_learn, b, ratio, tail)


@dataclass(frozen=True)
class Calibration:
    """Distribution of gap/bound for one family (``docs/theory.md`` section 6).

    ``gaps``, ``bounds``, ``ratios`` hold the systems with a finite bound; ``all_gaps``, ``all_bounds`` and
    ``all_tails`` every system (an infinite bound holds trivially). ``per_config`` gives, per
    ``(gamma, horizon)``, the median overestimation bound/gap.
    """

    family: str
    cases: int
    violations: int
    infinite: int
    median_ratio: float
    max_ratio: float
    ratios: np.ndarray
    gaps: np.ndarray
    bounds: np.ndarray
    all_gaps: np.ndarray
    all_bounds: np.ndarray
    all_tails: np.ndarray
    per_config: list

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("family", "cases", "violations", "infinite", "median_ratio", "max_ratio")}
        out["per_config"] = self.per_config
        return out


FAMILIES = {"lipschitz": random_lipschitz_systems, "lq": random_lq_systems}


def calibrate(family: str, n: int, seed: int = 0, gammas=(0.9, 0.95, 0.99), horizons=(10, 50, "inf"),
              starts: int = 16) -> Calibration:
    """Random systems of one family, learned models at log-uniform relative errors in [1e-3, 1e-1],
    every (gamma, horizon) configuration cycled across systems; returns the gap/bound distribution."""
    if family not in FAMILIES:
        raise V.InputError(f"family must be one of {sorted(FAMILIES)}, got {family!r}")
    rng = np.random.default_rng(seed)
    make = FAMILIES[family]
    configs = [(g, h) for g in gammas for h in horizons]
    gaps, bounds, tails, per_config = [], [], [], []
    violations = 0
    for j, (g, h) in enumerate(configs):
        count = n // len(configs) + (j < n % len(configs))
        if count == 0:
            continue
        true = make(rng, count)
        learned = perturb(rng, true, 10 ** rng.uniform(-3, -1, count))
        s0 = rng.uniform(-1, 1, (count, starts, true.A.shape[1]))
        res = check_gap(true, learned, s0, g, h)
        violations += res.violations
        gaps.append(res.gap), bounds.append(res.bound), tails.append(np.broadcast_to(res.tail, res.gap.shape))
        finite = np.isfinite(res.bound) & (res.gap > 0)
        per_config.append({"gamma": g, "horizon": str(h), "systems": count,
                           "median_overestimation": float(np.median(res.bound[finite] / res.gap[finite])) if finite.any() else None})
    all_gaps, all_bounds, all_tails = map(np.concatenate, (gaps, bounds, tails))
    finite = np.isfinite(all_bounds)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(all_bounds[finite] > 0, all_gaps[finite] / all_bounds[finite], 0.0)
    return Calibration(family, n, violations, int((~finite).sum()), float(np.median(ratios)), float(ratios.max()), ratios,
                       all_gaps[finite], all_bounds[finite], all_gaps, all_bounds, all_tails, per_config)
