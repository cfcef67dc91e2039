r"""Sweeps that hold the bound E3 against the laboratory (``docs/theory.md`` section 5).

Each task is one MDP with its own child seed (``numpy.random.SeedSequence(seed).spawn``), so results
do not depend on how many workers run them; pass any ``concurrent.futures.Executor`` to run tasks in
parallel. The progress bar stays quiet when standard error is not a terminal.
"""

from __future__ import annotations

import functools
import hashlib
import math
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

from theory import _validate as V
from theory.maths.bound import exceeds
from theory.sweep import run_sweep
from theory.mdp.analysis import bound_case, closed_loop_constants
from theory.mdp.finite import FiniteMDP
from theory.mdp.learned import learn, random_chain, random_grid
from theory.results import NOT_JSON, Result


@dataclass(frozen=True)
class BoundSweep(Result):
    r"""Every case of a sweep of E3: exact gaps and bounds, with sample sizes.

    Its JSON is the summary (the properties ``cases``, ``violations``, ``infinite_bounds``, ``max_ratio``,
    ``median_ratio``, ``ratio_quantiles`` and ``learned_constants_tighter``); the per-case arrays stay out.

    Parameters
    ----------
    gap : ndarray
        The exact return error $|J-\hat J|$ of each learned model.
    bound : ndarray
        The smaller of the two bounds below.
    bound_true, bound_learned : ndarray
        E3 with the true model's constants and with the learned model's.
    n_dyn, n_rew : ndarray
        Dynamics samples and reward labels each model was learned from.
    kind : ndarray of str
        The family of each case (chain or grid).
    """

    json_properties = ("cases", "violations", "infinite_bounds", "max_ratio", "median_ratio", "ratio_quantiles",
                       "learned_constants_tighter")

    gap: np.ndarray = field(metadata=NOT_JSON)
    bound: np.ndarray = field(metadata=NOT_JSON)
    bound_true: np.ndarray = field(metadata=NOT_JSON)
    bound_learned: np.ndarray = field(metadata=NOT_JSON)
    n_dyn: np.ndarray = field(metadata=NOT_JSON)
    n_rew: np.ndarray = field(metadata=NOT_JSON)
    kind: np.ndarray = field(metadata=NOT_JSON)

    @property
    def ratio(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.isfinite(self.bound) & (self.bound > 0), self.gap / self.bound, 0.0)

    @functools.cached_property
    def _finite_ratios(self) -> np.ndarray:  # computed once: the summary reads it three times
        return self.ratio[np.isfinite(self.bound)]

    @property
    def cases(self) -> int:
        return int(self.gap.size)

    @property
    def violations(self) -> int:
        return int(np.sum(exceeds(self.gap, self.bound)))

    @property
    def infinite_bounds(self) -> int:
        return int((~np.isfinite(self.bound)).sum())

    @property
    def max_ratio(self) -> float | None:
        r = self._finite_ratios
        return float(r.max()) if r.size else None

    @property
    def median_ratio(self) -> float | None:
        r = self._finite_ratios
        return float(np.median(r)) if r.size else None

    @property
    def ratio_quantiles(self) -> dict | None:
        r = self._finite_ratios
        return {q: float(np.quantile(r, q)) for q in (0.1, 0.5, 0.9)} if r.size else None

    @property
    def learned_constants_tighter(self) -> float:
        return float(np.mean(self.bound_learned < self.bound_true))

    def summary(self) -> dict:
        """The summary as plain JSON values (:meth:`to_dict`)."""
        return self.to_dict()


def random_case(rng: np.random.Generator) -> tuple[FiniteMDP, str]:
    """A random chain or grid with a random horizon, discount and softmax policy (for sweeps), and which it is."""
    gamma = float(rng.choice([0.8, 0.9, 0.95]))
    horizon = [math.inf, 10, 30][int(rng.integers(3))]
    if rng.random() < 0.5:
        kind, mdp = "chain", random_chain(rng, S=int(rng.integers(5, 11)), gamma=gamma, horizon=horizon)
    else:
        kind, mdp = "grid", random_grid(rng, width=int(rng.integers(2, 4)), height=3, gamma=gamma, horizon=horizon)
    logits = rng.normal(0, 1.0, (mdp.S, mdp.A))
    pi = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return mdp.with_policy(pi), kind


PER_PAIR = ((1, 1), (4, 4), (16, 4), (4, 16), (64, 64))


def _task(params: dict, seed_seq: np.random.SeedSequence) -> list[tuple]:
    mdp, samples, per_pair, sigma = params["mdp"], params["samples"], params["per_pair"], params["sigma"]
    rng = np.random.default_rng(seed_seq)
    kind = "given"
    if mdp is None:
        mdp, kind = random_case(rng)
    counts = samples if samples is not None else [(f_d * mdp.S * mdp.A, f_r * mdp.S * mdp.A) for f_d, f_r in per_pair]
    true = closed_loop_constants(mdp)
    rows = []
    for n_d, n_r in counts:
        model = learn(mdp, int(n_d), int(n_r), sigma, rng)
        c = bound_case(mdp, model, true_constants=true)
        rows.append((c.gap, c.bound, c.bound_true, c.bound_learned, n_d, n_r, kind))
    return rows


def verify_bound(mdp: FiniteMDP | None = None, n_mdps: int = 24, *, samples=None, per_pair=PER_PAIR,
                 sigma: float = 0.5, seed: int = 0, executor: Executor | None = None,
                 results: str | None = None, progress: bool | None = None) -> BoundSweep:
    r"""Check $|J-\hat J|\le B$ on learned models from samples.

    Parameters
    ----------
    mdp : FiniteMDP, optional
        The MDP to use (its policy ``pi``); without it, ``n_mdps`` random chains and grids.
    n_mdps : int
        Number of tasks: random MDPs, or independent repetitions on the given one.
    samples : sequence of (int, int), optional
        Numbers of dynamics samples and reward labels $(n_d, n_r)$, used as given.
    per_pair : sequence of (int, int)
        Without ``samples``: samples per state-action pair, $n_d=f_d SA$, $n_r=f_r SA$ (integers, so
        the counts are exact).
    sigma : float
        Standard deviation of the reward-label noise.
    seed : int
        Root seed: each task gets its own ``SeedSequence`` child, so results do not depend on the executor.
    executor : concurrent.futures.Executor, optional
        Runs the tasks (any executor: a process pool, Dask's ``Client.get_executor()``); in-process when omitted.
    results : str, optional
        A JSON-lines file that keeps every finished task; a rerun with it skips them (``theory.sweep.run_sweep``).
    progress : bool, optional
        Report progress on standard error (default: the command line's setting).

    Returns
    -------
    BoundSweep
        Every case: exact gap and the bounds.

    References
    ----------
    ``docs/theory.md`` E3, section 5.
    """
    if int(n_mdps) != n_mdps or n_mdps < 1:
        raise V.InputError(f"n_mdps must be an integer >= 1, got {n_mdps}")
    V.nonnegative("sigma", sigma)
    for n_d, n_r in samples if samples is not None else per_pair:
        for name, n in (("dynamics samples", n_d), ("reward labels", n_r)):
            if int(n) != n or n < 1:
                raise V.InputError(f"{name} must be whole numbers >= 1, got {n}")
    samples = None if samples is None else tuple((int(a), int(b)) for a, b in samples)
    params = {"mdp": mdp, "samples": samples, "per_pair": tuple(per_pair), "sigma": sigma}
    fingerprint = "random" if mdp is None else hashlib.blake2b(
        b"".join(np.ascontiguousarray(a).tobytes() for a in (mdp.P, mdp.R, mdp.D, mdp.mu, mdp.pi))
        + repr((mdp.gamma, mdp.horizon)).encode(), digest_size=8).hexdigest()
    outcome = run_sweep(_task, [(f"task {k}", params) for k in range(int(n_mdps))], seed=seed, name="verify-bound",
                        args={"mdp": fingerprint, "n_mdps": int(n_mdps), "samples": samples, "per_pair": per_pair,
                              "sigma": sigma}, executor=executor, results=results, progress=progress,
                        batch=max(1, min(16, int(n_mdps) // 128)))  # a check takes ~3 ms: ship them in groups
    if outcome.failures:
        raise RuntimeError(f"{len(outcome.failures)} task(s) failed: {next(iter(outcome.failures.values()))}")
    rows = [tuple(row) for chunk in outcome.results for row in chunk]
    cols = list(zip(*rows))
    return BoundSweep(*(np.asarray(c, dtype=float) for c in cols[:6]), np.asarray(cols[6]))
