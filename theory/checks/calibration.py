r"""Calibration of the bound on continuous systems with exact returns (``docs/theory.md`` E3, section 6).

The paper's protocol: random systems of a family (:mod:`theory.mdp.continuous`), learned models at
log-uniform relative errors, the gap $|J-\hat J|$ against the bound with the true and the learned
closed-loop constants (the smaller bound is the bound; the constants of the two models are never mixed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from theory import _validate as V
from theory.maths.bound import exceeds, return_bound
from theory.results import NOT_JSON, Result
from theory.mdp.continuous import (LipschitzSystems, LQGSystems, exact_box_errors, lqg_errors, norm_box_errors, perturb,
                                   perturb_lqg, random_lipschitz_systems, random_lq_systems, random_lqg_systems, returns,
                                   reward_sup)


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


def _bounds(g, horizon, eps_dyn, eps_rew, constants_true, constants_learned) -> tuple:
    b_true, b_learn = (return_bound(g, horizon, eps_dyn, eps_rew, L=Lc, K_rpi=Kc).bound
                       for Lc, Kc in (constants_true, constants_learned))
    return b_true, b_learn, np.minimum(b_true, b_learn)


def _structured(sys: LipschitzSystems) -> tuple[np.ndarray, np.ndarray]:
    K_f, K_r, K_pi = sys.constants()
    return K_f * (1 + K_pi), K_r * (1 + K_pi)


def check_gap(true: LipschitzSystems, learned: LipschitzSystems, s0: np.ndarray, gamma: float, horizon,
              errors: str = "norm", constants: str = "closed-loop") -> GapCheck:
    r"""$|J-\hat J|$ against $B$ (E3) with the true and the learned constants (the smaller bound).

    ``errors``: ``"norm"`` (operator-norm upper bounds, :func:`~theory.mdp.continuous.norm_box_errors`) or
    ``"exact"`` (exact sups on the box, :func:`~theory.mdp.continuous.exact_box_errors`). ``constants``:
    ``"closed-loop"`` ($\|A\|+\|B\|\|K\|$) or ``"structured"`` ($K_f(1+K_\pi)$, $K_r(1+K_\pi)$).
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
    eps_dyn, eps_rew = (exact_box_errors if errors == "exact" else norm_box_errors)(true, learned)
    const = (lambda sys: sys.closed_loop_constants()) if constants == "closed-loop" else _structured
    return _gap_check(gap, *_bounds(g, horizon, eps_dyn, eps_rew, const(true), const(learned)), tail)


def _gap_check(gap, b_true, b_learn, b, tail) -> GapCheck:
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.isfinite(b) & (b > 0), gap / b, 0.0)
    return GapCheck(gap, b_true, b_learn, b, ratio, tail)


def check_gap_lqg(true: LQGSystems, learned: LQGSystems, gamma: float, horizon) -> GapCheck:
    r"""The paper's LQG protocol: exact returns (Riccati-Lyapunov), exact closed-loop constants and exact sup
    errors on the box $[-1,1]^d$. The noise carries trajectories off the box, where neither the constants
    nor the errors are measured, so the bound is not guaranteed here: violations are counted, not excluded."""
    h = float(V.horizon(horizon))
    gap = np.abs(true.returns(gamma, h) - learned.returns(gamma, h))
    eps_dyn, eps_rew = lqg_errors(true, learned)
    return _gap_check(gap, *_bounds(gamma, horizon, eps_dyn, eps_rew, true.closed_loop_constants(),
                                    learned.closed_loop_constants()), np.zeros(true.n))


@dataclass(frozen=True)
class Calibration(Result):
    """Distribution of gap/bound for one family (``docs/theory.md`` section 6).

    ``gaps``, ``bounds``, ``ratios`` hold the systems with a finite bound; ``all_gaps``, ``all_bounds`` and
    ``all_tails`` every system (an infinite bound holds trivially). ``per_config`` gives, per
    ``(gamma, horizon)``, the median overestimation bound/gap.
    """

    family: str
    cases: int
    violations: int
    infinite_bounds: int
    median_ratio: float
    max_ratio: float
    ratios: np.ndarray = field(metadata=NOT_JSON)
    gaps: np.ndarray = field(metadata=NOT_JSON)
    bounds: np.ndarray = field(metadata=NOT_JSON)
    all_gaps: np.ndarray = field(metadata=NOT_JSON)
    all_bounds: np.ndarray = field(metadata=NOT_JSON)
    all_tails: np.ndarray = field(metadata=NOT_JSON)
    per_config: list


FAMILIES = {"lipschitz": random_lipschitz_systems, "lq": random_lq_systems, "lqg": random_lqg_systems}


def _calibration_task(params: dict, seed_seq: np.random.SeedSequence) -> dict:
    """One (gamma, horizon) configuration of :func:`calibrate`: ``count`` systems with their own child seed."""
    family, g, h, count = params["family"], params["gamma"], params["horizon"], params["count"]
    rng = np.random.default_rng(seed_seq)
    make = FAMILIES[family]
    true = make(rng, count, noise=params["noise"]) if family == "lqg" else make(rng, count)
    scale = 10 ** rng.uniform(-3, -1, count)
    if family == "lqg":
        res = check_gap_lqg(true, perturb_lqg(rng, true, scale), g, h)
    else:
        learned = perturb(rng, true, scale)
        s0 = rng.uniform(-1, 1, (count, params["starts"], true.A.shape[1]))
        res = check_gap(true, learned, s0, g, h, errors=params["errors"], constants=params["constants"])
    finite = np.isfinite(res.bound) & (res.gap > 0)
    return {"gap": res.gap.tolist(), "bound": res.bound.tolist(), "tail": np.broadcast_to(res.tail, res.gap.shape).tolist(),
            "violations": res.violations,
            "per_config": {"gamma": g, "horizon": str(h), "systems": count,
                           "median_overestimation": float(np.median(res.bound[finite] / res.gap[finite])) if finite.any() else None}}


def calibrate(family: str, n: int, seed: int = 0, gammas=(0.9, 0.95, 0.99), horizons=(10, 50, "inf"), *,
              starts: int = 16, errors: str = "norm", constants: str = "closed-loop", noise=(0.05, 0.3),
              executor=None, results=None) -> Calibration:
    """Random systems of one family, learned models at log-uniform relative errors in [1e-3, 1e-1],
    every (gamma, horizon) configuration cycled across systems; returns the gap/bound distribution.

    ``errors`` and ``constants`` as in :func:`check_gap` (``lqg`` always uses exact errors and constants);
    ``noise`` is the range of the LQG process-noise standard deviation. Each configuration is a task of the
    sweep runner (its own ``SeedSequence`` child; ``executor`` and ``results`` as in
    :func:`~theory.sweep.run_sweep`), so the same seed gives the same systems for every variant.
    """
    from theory.sweep import run_sweep

    if family not in FAMILIES:
        raise V.InputError(f"family must be one of {sorted(FAMILIES)}, got {family!r}")
    configs = [(g, h) for g in gammas for h in horizons]
    tasks = []
    for j, (g, h) in enumerate(configs):
        count = n // len(configs) + (j < n % len(configs))
        if count:
            tasks.append((f"gamma={g}, H={h}", {"family": family, "gamma": g, "horizon": h, "count": count,
                                                 "starts": starts, "errors": errors, "constants": constants,
                                                 "noise": tuple(noise)}))
    outcome = run_sweep(_calibration_task, tasks, seed=seed, name=f"calibration-{family}",
                        args={"n": n, "errors": errors, "constants": constants, "noise": tuple(noise)},
                        executor=executor, results=results)
    parts = outcome.results
    all_gaps, all_bounds, all_tails = (np.concatenate([np.asarray(p[k], float) for p in parts]) for k in ("gap", "bound", "tail"))
    violations = sum(p["violations"] for p in parts)
    per_config = [p["per_config"] for p in parts]
    finite = np.isfinite(all_bounds)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(all_bounds[finite] > 0, all_gaps[finite] / all_bounds[finite], 0.0)
    return Calibration(family, n, violations, int((~finite).sum()), float(np.median(ratios)), float(ratios.max()), ratios,
                       all_gaps[finite], all_bounds[finite], all_gaps, all_bounds, all_tails, per_config)


#: The variants of the calibration study: what moves the median gap/bound, one change at a time.
STUDY = (
    ("lq", "deterministic clipped LQ, operator-norm errors, closed-loop constants (our baseline)",
     {"family": "lq"}),
    ("lq-exact", "... with exact sup errors on the box", {"family": "lq", "errors": "exact"}),
    ("lq-structured", "... with the structured constants K_f(1+K_pi), K_r(1+K_pi)", {"family": "lq", "constants": "structured"}),
    ("linear", "unclipped linear, exact constants ||A+BK||, no noise", {"family": "lqg", "noise": (0.0, 0.0)}),
    ("lqg", "LQG: process noise of std 0.05-0.3", {"family": "lqg", "noise": (0.05, 0.3)}),
    ("lqg-noisy", "LQG: process noise of std 0.3-1", {"family": "lqg", "noise": (0.3, 1.0)}),
    ("lipschitz", "globally Lipschitz (tanh), operator-norm errors", {"family": "lipschitz"}),
    ("lipschitz-exact", "... with exact sup errors of the linear part", {"family": "lipschitz", "errors": "exact"}),
)


def calibration_study(n_lq: int = 375, n_lip: int = 150, *, executor=None, results=None) -> dict[str, Calibration]:
    """Every variant of :data:`STUDY` on the same draws (seed 1 for the LQ families, 0 for the Lipschitz one);
    ``results`` is a prefix: variant ``k`` keeps its tasks in ``{results}.{k}.jsonl``."""
    out = {}
    for key, _, kw in STUDY:
        lip = kw["family"] == "lipschitz"
        out[key] = calibrate(n=n_lip if lip else n_lq, seed=0 if lip else 1, executor=executor,
                             results=None if results is None else f"{results}.{key}.jsonl", **kw)
    return out
