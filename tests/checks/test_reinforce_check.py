"""The REINFORCE checker's verdicts (E15: unbiased under zero-mean noise; E17: biased under a state bias), its
baselines and the E16 variance scaling."""


import numpy as np
import pytest

from theory._validate import InputError
from theory.mdp.rollouts import batch_baseline, estimates, rollouts
from theory.checks.reinforce_check import check_reinforce, variance_scaling
from theory.mdp.noise import Noise




@pytest.mark.parametrize("estimator,noise,unbiased", [
    ("full", Noise("gaussian", sigma=1.0), True),
    ("reward-to-go", Noise("heteroscedastic", sigma_sa=np.array([[0.1, 2.0], [1.0, 0.5], [0.0, 1.5]])), True),
    ("reward-to-go", Noise("constant-bias", bias=2.0), True),
    ("full", Noise("averaging", m=3, sigma1=1.5), True),
    ("full", Noise("state-action-bias", bias_sa=np.array([[1.0, -1.0], [0.5, 0.0], [0.0, 2.0]])), False),
    ("reward-to-go-no-discount-weight", Noise(), False),
])
def test_checker_verdicts(mdp, estimator, noise, unbiased):
    n = 60_000
    r = check_reinforce(mdp, estimator=estimator, noise=noise, n_rollouts=n, rng=11)
    assert r.unbiased == unbiased
    assert r.success  # the mean equals its exact value, bias included (E17)
    # single-rollout variance against its exact value (E16), within 3.29 standard errors (two-sided 99.9%). The
    # standard error of a sample covariance trace is sd(|g - mean|^2) / sqrt(n); its sd is measured here on an
    # independent sample of n estimates drawn with another seed.
    rng = np.random.default_rng(99)
    pi = np.full((mdp.S, mdp.A), 1 / mdp.A)
    ro = rollouts(mdp.P, mdp.R, pi, mdp.mu, int(mdp.horizon), n, rng)
    g = estimates(ro, pi, mdp.gamma, estimator, noise.apply(ro.states, ro.actions, ro.rewards, rng, mdp.S, mdp.A))
    spread = ((g - g.mean(0)) ** 2).sum((1, 2))
    assert abs(r.variance_mc - r.variance_exact) <= 3.29 * spread.std(ddof=1) / np.sqrt(n)


def test_batch_baselines(mdp):
    loo = check_reinforce(mdp, noise=Noise("gaussian", sigma=1.0), n_rollouts=60_000, rng=12, baseline="leave-one-out", batch=4)
    mean = check_reinforce(mdp, noise=Noise("gaussian", sigma=1.0), n_rollouts=60_000, rng=12, baseline="batch-mean", batch=4)
    assert loo.unbiased and not mean.unbiased and mean.success
    with pytest.raises(InputError, match="batch"):
        batch_baseline(np.zeros((10, 3)), "leave-one-out", 3)


def test_variance_scaling_E16(mdp):
    s = variance_scaling(mdp, repeats=1500, rng=13)
    assert s.slope_N == pytest.approx(-1, abs=0.1)
    assert s.slope_sigma2 == pytest.approx(s.Gamma_G2, rel=0.1)


@pytest.mark.parametrize("components", [1, 2, 12, 300, 10**5, 10**9])
@pytest.mark.parametrize("alpha", [0.01, 0.05, 1e-6])
def test_the_bonferroni_threshold_against_scipy(components, alpha):
    """The standard library's normal quantile (no SciPy import before the first rollout) against scipy.stats."""
    from scipy.stats import norm

    from theory.checks.reinforce_check import z_critical

    assert z_critical(components, alpha) == pytest.approx(norm.ppf(1 - alpha / (2 * components)), rel=1e-13)


def test_check_reinforce_imports_nothing_it_does_not_use():
    """The command's fixed cost: SciPy's optimisers and statistics are not imported on the way to the first rollout."""
    import subprocess
    import sys

    code = ("import sys; from theory.cli import main; main(['check-reinforce', '--rollouts', '200', '--json']); "
            "print(sorted(m for m in sys.modules if m.startswith(('scipy.optimize', 'scipy.stats', 'sympy', 'matplotlib'))),"
            " file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr


def test_the_significance_level_s_former_name_still_works_with_a_warning(mdp):
    new = check_reinforce(mdp, n_rollouts=2000, rng=1, significance=0.05)
    with pytest.warns(DeprecationWarning, match="significance"):
        old = check_reinforce(mdp, n_rollouts=2000, rng=1, alpha=0.05)
    assert old.z_crit == new.z_crit != check_reinforce(mdp, n_rollouts=2000, rng=1).z_crit
    with pytest.raises(TypeError, match="unexpected"):
        check_reinforce(mdp, n_rollouts=100, level=0.05)



@pytest.mark.skipif(__import__("platform").libc_ver()[0] != "glibc", reason="glibc's dynamic mmap threshold")
def test_the_chunks_reuse_the_heap_instead_of_fresh_pages():
    """A fresh process (the allocator's threshold at its start value): the checker's chunk loop page-faults only for
    the first chunk, not for every array of every chunk (about 14,000 minor faults here before theory/_memory.py)."""
    import subprocess
    import sys

    code = ("import resource, numpy as np; from theory.checks.reinforce_check import check_reinforce; "
            "from theory.mdp.learned import random_chain; "
            "m = random_chain(np.random.default_rng(0), S=100, gamma=0.95, horizon=20); "
            "check_reinforce(m, n_rollouts=2048, rng=0, engine='numpy'); "
            "f = resource.getrusage(resource.RUSAGE_SELF).ru_minflt; "
            "check_reinforce(m, n_rollouts=50_000, rng=1, engine='numpy'); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f)")
    faults = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert faults < 3000, faults
