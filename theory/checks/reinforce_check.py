r"""The torch-free REINFORCE checker (``docs/theory.md`` E15 to E17, section 5).

Monte Carlo estimates from the vectorised rollout engine are held against exact references:
per-component z-scores of the mean against the exact gradient with a Bonferroni-corrected
family-wise verdict, and the single-rollout covariance trace against E16 computed by enumeration.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from theory import _validate as V
from theory.results import NOT_JSON, Result
from theory._progress import Progress
from theory.mdp.exact_gradients import MAX_TRAJECTORIES, enumerate_trajectories, exact_moments, policy_gradient_theorem
from theory.mdp.finite import FiniteMDP
from theory.mdp.noise import Noise
from theory.mdp.rollouts import batch_baseline, chunk_moments, engine_tables, estimates, rollouts, softmax_policy

@dataclass(frozen=True)
class CheckResult(Result):
    r"""One estimator under one noise model: Monte Carlo against exact (E15, E16).

    The properties ``max_abs_z``, ``unbiased`` (no component rejects $\mathbb E\hat g=\nabla J$) and
    ``success`` (no component rejects the exact mean ``expected_mean``: the check held) go into the JSON beside
    the fields.

    Parameters
    ----------
    estimator : str
        The REINFORCE estimator checked.
    noise_distribution : str
        The noise model's kind.
    rollouts : int
        Monte Carlo rollouts.
    exact_grad : ndarray
        The true gradient of $J$ (policy gradient theorem).
    expected_mean : ndarray
        The estimator's exact mean (with the bias shift of E17 and the batch-mean factor).
    mc_grad, se : ndarray
        The Monte Carlo mean and its standard error, per component.
    z, z_expected : ndarray
        The z-scores against ``exact_grad`` and against ``expected_mean``.
    z_crit : float
        The two-sided Bonferroni threshold at the family-wise level.
    variance_exact : float or None
        E16's single-rollout covariance trace by enumeration (``None`` when too many trajectories).
    variance_mc : float
        The same trace measured.
    message : str
        What could not be computed exactly, and why (empty when everything was).
    engine : str
        ``"numpy"`` or ``"numba"``: which path ran (the same numbers bit for bit).
    significance : float
        The family-wise significance level of the z-tests (``z_crit`` is its Bonferroni threshold).
    """

    json_properties = ("max_abs_z", "unbiased", "success")

    estimator: str
    noise_distribution: str
    rollouts: int
    exact_grad: np.ndarray  # the true gradient of J
    expected_mean: np.ndarray  # the estimator's exact mean (with bias shift, baseline factor)
    mc_grad: np.ndarray
    se: np.ndarray = field(metadata=NOT_JSON)
    z: np.ndarray = field(metadata=NOT_JSON)  # against the true gradient
    z_expected: np.ndarray = field(metadata=NOT_JSON)  # against the estimator's exact mean
    z_crit: float
    variance_exact: float | None
    variance_mc: float
    message: str = ""
    engine: str = "numpy"  # which path ran: "numpy" or "numba" (the same numbers bit for bit)
    significance: float = 0.01

    @property
    def max_abs_z(self) -> float:
        return float(np.max(np.abs(self.z)))

    @property
    def unbiased(self) -> bool:
        """No component rejects $\\mathbb E\\hat g=\\nabla J$ at the Bonferroni-corrected level."""
        return self.max_abs_z < self.z_crit

    @property
    def success(self) -> bool:
        """The check held: no component rejects the exact mean ``expected_mean`` at the corrected level."""
        return float(np.max(np.abs(self.z_expected))) < self.z_crit


def z_critical(components: int, significance: float = 0.01) -> float:
    """Two-sided Bonferroni threshold: family-wise significance level ``significance`` over ``components`` z-scores.

    The standard library's normal quantile (Wichura's AS241, accurate to about 1e-16): ``scipy.stats`` would
    add half a second to every command that checks REINFORCE before its first rollout."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - significance / (2 * components))


CHUNK_ELEMENTS = 1 << 22
CHUNK_ROLLOUTS = 2048  # measured: the NumPy path at 10 and 100 states runs 1.3-1.4x faster than at 8192 (L2-sized)


class _Moments:
    """Running count, mean and sum of squared deviations per component, merged batch by batch."""

    def __init__(self, shape):
        self.count, self.mean, self.m2 = 0, np.zeros(shape), np.zeros(shape)

    def add(self, x: np.ndarray) -> None:
        k = x.shape[0]
        mean_b = x.mean(0)
        self.merge(k, mean_b, ((x - mean_b) ** 2).sum(0))

    def merge(self, k: int, mean_b: np.ndarray, m2_b: np.ndarray) -> None:
        """Merge a batch given by its count, mean and sum of squared deviations (Chan et al.)."""
        total = self.count + k
        delta = mean_b - self.mean
        self.mean = self.mean + delta * k / total
        self.m2 = self.m2 + m2_b + delta**2 * self.count * k / total
        self.count = total

    @property
    def variance(self) -> np.ndarray:
        return self.m2 / max(self.count - 1, 1)


ENGINES = ("auto", "numpy", "numba")


def _engine(engine: str, baseline: str | None, steps: int):
    """The compiled module for ``"numba"``, and for ``"auto"`` when Numba is installed, no batch baseline is asked
    for and the run has at least :data:`theory.mdp._fast.AUTO_MIN_STEPS` rollout steps (below that, loading Numba
    costs more than it saves); else ``None`` for the NumPy path."""
    if engine not in ENGINES:
        raise V.InputError(f"engine must be one of {ENGINES}, got {engine!r}")
    if engine == "numpy" or (engine == "auto" and baseline):
        return None
    from theory.mdp import _fast

    if engine == "numba" and baseline:
        raise V.InputError("engine 'numba' has no batch baselines: use engine='numpy' with a baseline")
    if engine == "auto" and (steps < _fast.AUTO_MIN_STEPS or not _fast.available()):
        return None
    try:
        _fast._kernel()  # imports Numba (a broken install, say one too old for this NumPy, raises ImportError here)
    except ImportError as err:
        if engine == "auto":
            return None
        raise V.InputError(f"engine 'numba' needs a working Numba: pip install \".[fast]\" ({err})") from None
    return _fast


def _horizon(mdp: FiniteMDP) -> int:
    if not np.isfinite(mdp.horizon):
        raise V.InputError("the REINFORCE checker needs a finite horizon: set the MDP's horizon to an integer")
    return int(mdp.horizon)


def check_reinforce(mdp: FiniteMDP, theta: np.ndarray | None = None, *, estimator: str = "full",
                    noise: Noise = Noise(), n_rollouts: int = 100_000, rng: np.random.Generator | int = 0,
                    baseline: str | None = None, batch: int = 10, significance: float = 0.01,
                    engine: str = "auto", **deprecated) -> CheckResult:
    r"""Monte Carlo REINFORCE at ``theta`` (default 0: the uniform policy) against the exact references.

    ``baseline``: ``None``, ``"leave-one-out"`` or ``"batch-mean"`` (per-step batch baselines over
    batches of ``batch`` rollouts; the batch mean including the rollout itself scales the mean by
    $1-1/\mathrm{batch}$, which the checker detects).

    Parameters
    ----------
    mdp : FiniteMDP
        A finite-horizon MDP.
    theta : (S, A) array_like, optional
        Softmax policy parameters (default 0, the uniform policy).
    estimator : {"full", "reward-to-go", "reward-to-go-no-discount-weight"}
        The REINFORCE estimator (module docstring of ``theory.mdp.rollouts``).
    noise : Noise
        The reward-noise model.
    n_rollouts : int
        Monte Carlo rollouts.
    rng : Generator or int
        Randomness.
    baseline : {None, "leave-one-out", "batch-mean"}
        A per-step batch baseline.
    batch : int
        Rollouts per batch of the baseline.
    significance : float
        Family-wise significance level of the Bonferroni-corrected z-tests.
    engine : {"auto", "numpy", "numba"}
        ``"numba"``: the compiled kernel of ``theory.mdp._fast`` (the ``fast`` extra), the same numbers bit for
        bit as ``"numpy"``; ``"auto"`` takes it when Numba is installed, no batch baseline is asked for and the run
        is long enough to repay loading Numba (``theory.mdp._fast.AUTO_MIN_STEPS`` rollout steps).
    **deprecated
        ``alpha=``, the former name of ``significance``, kept for this release with a ``DeprecationWarning``
        (``alpha`` is a power-law exponent everywhere else).

    Returns
    -------
    CheckResult
        The Monte Carlo mean and standard errors beside the exact gradient, the exact mean and the variances.

    References
    ----------
    ``docs/theory.md`` E15-E17; Williams (1992) for REINFORCE.
    """
    if deprecated:
        unknown = sorted(set(deprecated) - {"alpha"})
        if unknown:
            raise TypeError(f"check_reinforce() got unexpected keyword argument(s) {unknown}")
        import warnings

        warnings.warn("check_reinforce(alpha=...) is deprecated: use significance=", DeprecationWarning, stacklevel=2)
        significance = deprecated["alpha"]
    rng = np.random.default_rng(rng)
    H = _horizon(mdp)
    S, A = mdp.S, mdp.A
    theta = np.zeros((S, A)) if theta is None else np.asarray(theta, dtype=float)
    if theta.shape != (S, A):
        raise V.InputError(f"theta must have shape {(S, A)}, got {theta.shape}")
    pi = softmax_policy(theta)
    grad = policy_gradient_theorem(mdp.P, mdp.R, pi, mdp.mu, mdp.gamma, H)
    notes = []
    expected = grad.copy()
    variance_exact = None
    enumerable = H * np.log(S * A) <= np.log(MAX_TRAJECTORIES)
    if enumerable:
        # enumerate with the biased mean rewards: the exact mean then carries the E17 shift
        enum = enumerate_trajectories(mdp.P, mdp.R + noise.bias_table(S, A), pi, mdp.mu, H)
        mom = exact_moments(enum, pi, mdp.gamma, estimator, noise_var=noise.variance(S, A))
        expected = mom.mean
        if baseline is None:
            variance_exact = mom.cov_trace + mom.noise_weight
    else:
        notes.append(f"(S*A)^H = 10^{H * np.log10(S * A):.1f} trajectories: too many to enumerate, so no exact variance")
        if estimator != "full" or noise.kind in ("constant-bias", "state-action-bias"):
            notes.append("the exact mean of this estimator needs enumeration; z-scores are against the true gradient")
    if baseline == "batch-mean":
        expected = expected * (1 - 1 / batch)
    n = int(n_rollouts)
    if baseline and n % batch:
        raise V.InputError(f"with a batch baseline the number of rollouts must be a multiple of the batch ({batch}), got {n}")
    # rollouts in chunks of at most CHUNK_ROLLOUTS (cache-sized: the batch's arrays stay near the core) and about
    # CHUNK_ELEMENTS numbers, whatever n: memory stays flat; the moments are merged chunk by chunk (Chan et al.'s
    # pairwise update), so nothing of size n is ever held
    per = max(batch, min(CHUNK_ROLLOUTS, CHUNK_ELEMENTS // (3 * H + S * A)) // batch * batch)
    fast = _engine(engine, baseline, n * H)
    tables = engine_tables(mdp.P, pi, mdp.mu)  # once: hashing an (S, A S) joint law per batch cost more than sampling
    single, batched = _Moments((S, A)), _Moments((S, A))
    with Progress(n, "REINFORCE rollouts", "rollouts") as progress:
        for start in range(0, n, per):
            k = min(per, n - start)
            if fast is not None:
                single.merge(*fast.chunk_moments(mdp.P, mdp.R, pi, mdp.mu, H, k, rng, mdp.gamma, estimator, noise,
                                                 tables))
            else:
                ro = rollouts(mdp.P, mdp.R, pi, mdp.mu, H, k, rng, tables)
                noisy = noise.apply(ro.states, ro.actions, ro.rewards, rng, S, A)
                if baseline:  # rollouts within a batch are dependent: standard errors from batch means
                    g = estimates(ro, pi, mdp.gamma, estimator, noisy, batch_baseline(noisy, baseline, batch))
                    single.add(g)
                    batched.add(g.reshape(-1, batch, S, A).mean(1))
                else:
                    single.merge(*chunk_moments(ro, pi, mdp.gamma, estimator, noisy))
            progress.update(k)
    mc = single.mean
    se = np.sqrt((batched if baseline else single).variance / (batched if baseline else single).count)
    live = se > 0  # components with no variance (e.g. a state never visited) are exact zeros
    z = np.where(live, (mc - grad) / np.where(live, se, 1), 0.0)
    z_exp = np.where(live, (mc - expected) / np.where(live, se, 1), 0.0)
    variance_mc = float(single.variance.sum())
    return CheckResult(estimator, noise.kind, int(n_rollouts), grad, expected, mc, se, z, z_exp,
                       z_critical(int(live.sum()) or 1, significance), variance_exact, variance_mc, "; ".join(notes),
                       "numpy" if fast is None else "numba", significance)


def _variance_task(params: dict, seed_seq) -> float | list[float]:
    """One batch size N (the trace of the batch-mean's covariance), or the sweep over sigma on shared rollouts."""
    mdp, H, est = params["mdp"], params["H"], params["estimator"]
    rng = np.random.default_rng(seed_seq)
    pi = np.full((mdp.S, mdp.A), 1.0 / mdp.A)
    if params["part"] == "N":
        n, repeats = params["n"], params["repeats"]
        ro = rollouts(mdp.P, mdp.R, pi, mdp.mu, H, n * repeats, rng)
        noisy = Noise("gaussian", sigma=params["sigma_ref"]).apply(ro.states, ro.actions, ro.rewards, rng, mdp.S, mdp.A)
        g = estimates(ro, pi, mdp.gamma, est, noisy).reshape(repeats, n, mdp.S, mdp.A).mean(1)
        return float(g.var(0, ddof=1).sum())
    ro = rollouts(mdp.P, mdp.R, pi, mdp.mu, H, params["repeats"] * 16, rng)
    traces = []
    for s in params["sigmas"]:
        noisy = Noise("gaussian", sigma=s).apply(ro.states, ro.actions, ro.rewards, rng, mdp.S, mdp.A)
        traces.append(float(estimates(ro, pi, mdp.gamma, est, noisy).var(0, ddof=1).sum()))
    return traces


@dataclass(frozen=True)
class VarianceScaling(Result):
    r"""E16 measured in the batch size and in the noise variance (:func:`variance_scaling`).

    Parameters
    ----------
    batch_sizes : list of int
        The batch sizes $N$.
    trace_by_N, exact_by_N : list of float
        The covariance trace of batch means, measured and by E16, at the reference noise ``sigma_ref``.
    slope_N : float
        The fitted log-log slope in $N$ (E16: $-1$).
    sigma2 : list of float
        The noise variances.
    trace_by_sigma2, exact_by_sigma2 : list of float
        The single-rollout covariance trace against $\sigma^2$, measured and exact.
    slope_sigma2 : float
        The fitted slope in $\sigma^2$.
    noise_weight_exact : float
        The exact slope: the noise weight of E16.
    Gamma_G2 : float
        $\Gamma G_2$, the full return's noise weight.
    cov_trace_clean : float
        The clean single-rollout covariance trace $V_0$.
    sigma_ref : float
        The noise standard deviation of the batch-size sweep.
    """

    batch_sizes: list
    trace_by_N: list
    exact_by_N: list
    slope_N: float
    sigma2: list
    trace_by_sigma2: list
    exact_by_sigma2: list
    slope_sigma2: float
    noise_weight_exact: float
    Gamma_G2: float
    cov_trace_clean: float
    sigma_ref: float


def variance_scaling(mdp: FiniteMDP, *, estimator: str = "full", batch_sizes=(1, 4, 16, 64),
                     sigmas=(0.0, 0.5, 1.0, 2.0), repeats: int = 4000, rng: np.random.Generator | int = 0,
                     executor=None, results=None) -> VarianceScaling:
    r"""E16 in $N$ and $\sigma$: the covariance trace of batch means against the batch size and the noise.

    $\operatorname{tr}\operatorname{Cov}\hat g_N$ is measured from ``repeats`` independent batches for each $N$
    (log-log slope, E16 predicts $-1$), and the single-rollout trace against $\sigma^2$ (E16 predicts the slope
    $\Gamma G_2$ for the full return; the exact noise weight in general).

    Parameters
    ----------
    mdp : FiniteMDP
        A finite-horizon MDP.
    estimator : str
        The REINFORCE estimator.
    batch_sizes : sequence of int
        Batch sizes $N$.
    sigmas : sequence of float
        Standard deviations of the Gaussian reward noise.
    repeats : int
        Independent batches for each $N$.
    rng : Generator or int
        Randomness (a seed: each task gets its own ``SeedSequence`` child).
    executor : concurrent.futures.Executor, optional
        Runs the tasks; in-process when omitted.
    results : str, optional
        A JSON-lines file that keeps every finished task; a rerun with it skips them.

    Returns
    -------
    VarianceScaling
        Traces by $N$ and by $\sigma^2$, with their exact values and fitted slopes.

    References
    ----------
    ``docs/theory.md`` E16.
    """
    rng = np.random.default_rng(rng)
    H = _horizon(mdp)
    pi = np.full((mdp.S, mdp.A), 1.0 / mdp.A)
    enum = enumerate_trajectories(mdp.P, mdp.R, pi, mdp.mu, H)
    mom = exact_moments(enum, pi, mdp.gamma, estimator)
    sigma_ref = sigmas[len(sigmas) // 2]
    from theory.sweep import run_sweep

    params = {"mdp": mdp, "H": H, "estimator": estimator, "repeats": repeats, "sigma_ref": sigma_ref, "sigmas": list(sigmas)}
    tasks = [(f"N={n}", params | {"part": "N", "n": int(n)}) for n in batch_sizes] + [("sigma", params | {"part": "sigma"})]
    seed = int(rng.integers(2**63))
    outcome = run_sweep(_variance_task, tasks, seed=seed, name="variance-scaling",
                        args={"estimator": estimator, "repeats": repeats, "batch_sizes": list(batch_sizes), "sigmas": list(sigmas)},
                        executor=executor, results=results)
    by_N = list(outcome.results[:-1])
    by_sigma2 = outcome.results[-1]
    sigma2 = [s**2 for s in sigmas]
    return VarianceScaling(
        batch_sizes=list(batch_sizes), trace_by_N=by_N,
        exact_by_N=[(mom.cov_trace + sigma_ref**2 * mom.noise_weight) / n for n in batch_sizes],
        slope_N=float(np.polyfit(np.log(batch_sizes), np.log(by_N), 1)[0]), sigma2=sigma2, trace_by_sigma2=by_sigma2,
        exact_by_sigma2=[mom.cov_trace + s2 * mom.noise_weight for s2 in sigma2],
        slope_sigma2=float(np.polyfit(sigma2, by_sigma2, 1)[0]), noise_weight_exact=mom.noise_weight,
        Gamma_G2=mom.Gamma * mom.G2, cov_trace_clean=mom.cov_trace, sigma_ref=sigma_ref)


def exact_gradient_agreement(mdp: FiniteMDP, theta: np.ndarray | None = None) -> float:
    """The largest difference between the exact gradient by the policy gradient theorem, by trajectory
    enumeration and by central finite differences of the exact return (E15's reference, three ways)."""
    from theory.mdp.exact_gradients import brute_force_gradient

    H = _horizon(mdp)
    theta = np.zeros((mdp.S, mdp.A)) if theta is None else np.asarray(theta, float)
    pi = softmax_policy(theta)
    g_pgt = policy_gradient_theorem(mdp.P, mdp.R, pi, mdp.mu, mdp.gamma, H)
    g_enum = exact_moments(enumerate_trajectories(mdp.P, mdp.R, pi, mdp.mu, H), pi, mdp.gamma, "full").mean
    g_fd = brute_force_gradient(mdp.P, mdp.R, mdp.mu, mdp.gamma, H, theta)
    return float(max(np.abs(g_pgt - g_enum).max(), np.abs(g_pgt - g_fd).max()))
