"""The compiled fast path (theory.mdp._fast, the ``fast`` extra) against the NumPy path, exactly, and the NumPy
batch moments against an independent dense computation."""

from __future__ import annotations

import numpy as np
import pytest

from theory import InputError
from theory.checks.reinforce_check import check_reinforce
from theory.mdp import _fast
from theory.mdp.finite import small_mdp
from theory.mdp.learned import random_chain
from theory.mdp.noise import Noise
from theory.mdp.rollouts import chunk_moments, estimates, rollouts

needs_numba = pytest.mark.skipif(not _fast.available(), reason="the fast extra (Numba) is not installed")

NOISES = [Noise(), Noise("gaussian", sigma=1.0), Noise("constant-bias", sigma=0.5, bias=0.3),
          Noise("averaging", m=4, sigma1=2.0)]
ESTIMATORS = ["full", "reward-to-go", "reward-to-go-no-discount-weight"]


def _same(a, b) -> None:
    for field in ("mc_grad", "se", "z", "z_expected"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert a.variance_mc == b.variance_mc


@needs_numba
@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("noise", NOISES, ids=lambda n: n.kind)
def test_numba_equals_numpy_bit_for_bit_on_a_small_mdp(estimator, noise):
    mdp = small_mdp(3, S=3, A=2, horizon=4, gamma=0.8)
    theta = np.random.default_rng(1).normal(size=(3, 2))
    args = dict(estimator=estimator, noise=noise, n_rollouts=20_003, rng=7)  # 20,003: three batches, a ragged tile
    _same(check_reinforce(mdp, theta, engine="numpy", **args), check_reinforce(mdp, theta, engine="numba", **args))


@needs_numba
@pytest.mark.parametrize("S, horizon, n", [(1, 3, 50), (7, 1, 999), (60, 20, 17_000), (400, 12, 9_000)])
def test_numba_equals_numpy_bit_for_bit_across_sizes(S, horizon, n):
    rng = np.random.default_rng(S)
    mdp = random_chain(rng, S=S, gamma=0.9, horizon=horizon) if S > 1 else small_mdp(0, S=1, A=3, horizon=horizon)
    sigma_sa = rng.uniform(0, 2, (mdp.S, mdp.A))
    bias_sa = rng.normal(size=(mdp.S, mdp.A))
    for noise in (Noise("heteroscedastic", sigma_sa=sigma_sa), Noise("state-action-bias", sigma=0.3, bias_sa=bias_sa)):
        args = dict(estimator="reward-to-go", noise=noise, n_rollouts=n, rng=3)
        _same(check_reinforce(mdp, engine="numpy", **args), check_reinforce(mdp, engine="numba", **args))


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_batch_moments_against_a_dense_computation(estimator):
    """chunk_moments on the visited cells against np.mean and np.var of the dense (n, S, A) estimates."""
    mdp = random_chain(np.random.default_rng(2), S=12, gamma=0.9, horizon=9)
    ro = rollouts(mdp.P, mdp.R, mdp.pi, mdp.mu, 9, 3000, np.random.default_rng(4))
    noisy = ro.rewards + np.random.default_rng(5).normal(size=ro.rewards.shape)
    n, mean, m2 = chunk_moments(ro, mdp.pi, 0.9, estimator, noisy)
    g = estimates(ro, mdp.pi, 0.9, estimator, noisy)
    assert n == 3000
    np.testing.assert_allclose(mean, g.mean(0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(m2 / n, g.var(0), rtol=1e-10, atol=1e-15)


def test_the_engine_is_chosen_and_refused_clearly(monkeypatch):
    mdp = small_mdp(3, S=3, A=2, horizon=4, gamma=0.8)
    with pytest.raises(InputError, match="engine must be one of"):
        check_reinforce(mdp, n_rollouts=100, engine="cuda")
    with pytest.raises(InputError, match="no batch baselines"):
        check_reinforce(mdp, n_rollouts=100, baseline="leave-one-out", engine="numba")
    # "auto" compiles only for runs long enough to repay loading Numba
    assert check_reinforce(mdp, n_rollouts=2000, rng=1).engine == "numpy"
    if _fast.available():
        monkeypatch.setattr(_fast, "AUTO_MIN_STEPS", 1000)
        assert check_reinforce(mdp, n_rollouts=2000, rng=1).engine == "numba"
    # without Numba: "auto" is the NumPy path, and asking for "numba" names the extra
    def missing():
        raise ImportError("No module named 'numba'")

    monkeypatch.setattr(_fast, "AUTO_MIN_STEPS", 1000)
    monkeypatch.setattr(_fast, "_kernel", missing)
    reference = check_reinforce(mdp, n_rollouts=2000, rng=1, engine="numpy")
    fallback = check_reinforce(mdp, n_rollouts=2000, rng=1, engine="auto")
    assert fallback.engine == "numpy"
    _same(fallback, reference)
    with pytest.raises(InputError, match=r"pip install \".\[fast\]\""):
        check_reinforce(mdp, n_rollouts=100, engine="numba")
