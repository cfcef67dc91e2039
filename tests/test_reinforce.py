"""Section 4: rollout engine, estimators, exact references, the checker (E15 to E17)."""

import itertools

import numpy as np
import pytest
from scipy.stats import chi2

from theory._validate import InputError
from theory.checks.equal_budget import small_mdp, train
from theory.mdp.exact_gradients import (brute_force_gradient, enumerate_trajectories, exact_bias_shift, exact_moments,
                                 policy_gradient_theorem)
from theory.mdp.rollouts import (alias_table, batch_baseline, per_rollout_estimates, reward_coefficients,
                                        rollouts, softmax_policy)
from theory.maths.noise_budget import BudgetProblem, power
from theory.checks.reinforce_check import check_reinforce, variance_scaling
from theory.mdp.noise import Noise


@pytest.fixture(scope="module")
def mdp():
    return small_mdp(3, S=3, A=2, horizon=4, gamma=0.8)


def test_alias_tables_reproduce_the_probabilities():
    rng = np.random.default_rng(0)
    prob = rng.dirichlet(np.ones(6), 5)
    prob[0] = [0, 0, 1, 0, 0, 0]
    acc, ali = alias_table(prob)
    acc, ali = acc.reshape(5, 6), ali.reshape(5, 6)
    for r in range(5):
        rebuilt = acc[r] / 6
        np.add.at(rebuilt, ali[r], (1 - acc[r]) / 6)
        np.testing.assert_allclose(rebuilt, prob[r], atol=1e-12)


def test_rollout_frequencies_match_the_model(mdp):
    ro = rollouts(mdp.P, mdp.R, softmax_policy(np.array([[0.5, -0.5], [0, 1], [1, 0]])), mdp.mu, 4, 200_000,
                  np.random.default_rng(1))
    pi = softmax_policy(np.array([[0.5, -0.5], [0, 1], [1, 0]]))
    stats, dof = 0.0, 0
    for s, a in itertools.product(range(3), range(2)):
        sel = (ro.states[:, :-1] == s) & (ro.actions[:, :-1] == a)
        counts = np.bincount(ro.states[:, 1:][sel], minlength=3)
        expected = counts.sum() * mdp.P[s, a]
        keep = expected > 0
        stats += (((counts - expected) ** 2)[keep] / expected[keep]).sum()
        dof += keep.sum() - 1
    for s in range(3):
        sel = ro.states == s
        counts = np.bincount(ro.actions[sel], minlength=2)
        expected = counts.sum() * pi[s]
        stats += (((counts - expected) ** 2) / expected).sum()
        dof += 1
    assert stats < chi2.ppf(0.999, dof)  # a goodness-of-fit test at the 0.1% level
    np.testing.assert_array_equal(ro.rewards, mdp.R[ro.states, ro.actions])


def test_same_seed_same_rollouts(mdp):
    a = rollouts(mdp.P, mdp.R, mdp.pi, mdp.mu, 4, 1000, np.random.default_rng(7))
    b = rollouts(mdp.P, mdp.R, mdp.pi, mdp.mu, 4, 1000, np.random.default_rng(7))
    np.testing.assert_array_equal(a.states, b.states)


def naive_estimates(ro, pi, gamma, estimator):
    """Per-rollout estimators written out with plain loops, gamma^t placed by hand."""
    N, H = ro.states.shape
    out = np.zeros((N,) + pi.shape)
    for k in range(N):
        psi = []
        for t in range(H):
            g = np.zeros(pi.shape)
            g[ro.states[k, t]] -= pi[ro.states[k, t]]
            g[ro.states[k, t], ro.actions[k, t]] += 1
            psi.append(g)
        r = ro.rewards[k]
        if estimator == "full":
            out[k] = sum(gamma**t * r[t] for t in range(H)) * sum(psi)
        elif estimator == "reward-to-go":
            out[k] = sum(gamma**t * psi[t] * sum(gamma ** (u - t) * r[u] for u in range(t, H)) for t in range(H))
        else:
            out[k] = sum(psi[t] * sum(gamma ** (u - t) * r[u] for u in range(t, H)) for t in range(H))
    return out


@pytest.mark.parametrize("estimator", ["full", "reward-to-go", "reward-to-go-no-discount-weight"])
def test_estimators_match_naive_loops(mdp, estimator):
    pi = softmax_policy(np.random.default_rng(2).normal(size=(3, 2)))
    ro = rollouts(mdp.P, mdp.R, pi, mdp.mu, 4, 50, np.random.default_rng(3))
    ours = per_rollout_estimates(reward_coefficients(ro, pi, mdp.gamma, estimator), ro.rewards)
    np.testing.assert_allclose(ours, naive_estimates(ro, pi, mdp.gamma, estimator), atol=1e-12)


def test_exact_gradient_three_routes_agree(mdp):
    theta = np.random.default_rng(4).normal(size=(3, 2))
    pi = softmax_policy(theta)
    g1 = policy_gradient_theorem(mdp.P, mdp.R, pi, mdp.mu, mdp.gamma, 4)
    enum = enumerate_trajectories(mdp.P, mdp.R, pi, mdp.mu, 4)
    assert enum.prob.sum() == pytest.approx(1.0)
    for est in ("full", "reward-to-go"):
        np.testing.assert_allclose(exact_moments(enum, pi, mdp.gamma, est).mean, g1, atol=1e-12)
    np.testing.assert_allclose(brute_force_gradient(mdp.P, mdp.R, mdp.mu, mdp.gamma, 4, theta), g1, atol=1e-8)
    no_weight = exact_moments(enum, pi, mdp.gamma, "reward-to-go-no-discount-weight").mean
    assert np.abs(no_weight - g1).max() > 1e-3  # biased for gamma < 1


def test_E16_noise_weight_and_E16b(mdp):
    pi = softmax_policy(np.zeros((3, 2)))
    enum = enumerate_trajectories(mdp.P, mdp.R, pi, mdp.mu, 4)
    full = exact_moments(enum, pi, mdp.gamma, "full")
    assert full.noise_weight == pytest.approx(full.Gamma * full.G2)
    assert full.V0 == pytest.approx(full.cov_trace)
    for est in ("reward-to-go", "reward-to-go-no-discount-weight"):
        m = exact_moments(enum, pi, mdp.gamma, est)
        assert m.noise_weight <= m.e16b_noise_weight(mdp.gamma, 4)


def test_E17_constant_bias_shifts_nothing_state_action_bias_shifts_by_grad_B(mdp):
    pi = softmax_policy(np.zeros((3, 2)))
    enum = enumerate_trajectories(mdp.P, mdp.R, pi, mdp.mu, 4)
    for est in ("full", "reward-to-go"):
        np.testing.assert_allclose(exact_bias_shift(enum, pi, mdp.gamma, est, 2.5), 0, atol=1e-12)
        b = np.random.default_rng(5).normal(size=(3, 2))
        np.testing.assert_allclose(exact_bias_shift(enum, pi, mdp.gamma, est, b),
                                   policy_gradient_theorem(mdp.P, mdp.R, pi, mdp.mu, mdp.gamma, 4, reward=b), atol=1e-12)


@pytest.mark.parametrize("estimator,noise,unbiased", [
    ("full", Noise("gaussian", sigma=1.0), True),
    ("reward-to-go", Noise("heteroscedastic", sigma_sa=np.array([[0.1, 2.0], [1.0, 0.5], [0.0, 1.5]])), True),
    ("reward-to-go", Noise("constant-bias", bias=2.0), True),
    ("full", Noise("averaging", m=3, sigma1=1.5), True),
    ("full", Noise("state-action-bias", bias_sa=np.array([[1.0, -1.0], [0.5, 0.0], [0.0, 2.0]])), False),
    ("reward-to-go-no-discount-weight", Noise(), False),
])
def test_checker_verdicts(mdp, estimator, noise, unbiased):
    r = check_reinforce(mdp, estimator=estimator, noise=noise, n_rollouts=60_000, rng=11)
    assert r.unbiased == unbiased
    assert r.matches_expected  # the mean equals its exact value, bias included (E17)
    # single-rollout variance: the Monte Carlo trace within 5% of the exact one (60000 rollouts: ~1-2% noise)
    assert r.variance_mc == pytest.approx(r.variance_exact, rel=0.05)


def test_batch_baselines(mdp):
    loo = check_reinforce(mdp, noise=Noise("gaussian", sigma=1.0), n_rollouts=60_000, rng=12, baseline="leave-one-out", batch=4)
    mean = check_reinforce(mdp, noise=Noise("gaussian", sigma=1.0), n_rollouts=60_000, rng=12, baseline="batch-mean", batch=4)
    assert loo.unbiased and not mean.unbiased and mean.matches_expected
    with pytest.raises(InputError, match="batch"):
        batch_baseline(np.zeros((10, 3)), "leave-one-out", 3)


def test_variance_scaling_E16(mdp):
    s = variance_scaling(mdp, repeats=1500, rng=13)
    assert s["slope_N"] == pytest.approx(-1, abs=0.1)
    assert s["slope_sigma2"] == pytest.approx(s["Gamma_G2"], rel=0.1)


def test_learning_is_deterministic_for_a_seed(mdp):
    fam = power(1.0, 2.0)
    prob = BudgetProblem(1.0, 1.0, 20.0, 0.1, 10.0)
    a = train(mdp, 4, fam, prob, [1.0, 2.0], ["a", "b"], steps=3, seeds=2, seed=5)
    b = train(mdp, 4, fam, prob, [1.0, 2.0], ["a", "b"], steps=3, seeds=2, seed=5)
    np.testing.assert_array_equal(a.returns, b.returns)
    assert np.all(a.rollouts_per_step == [20, 10])


def test_noise_validation():
    with pytest.raises(InputError, match="noise kind"):
        Noise("loud")
    with pytest.raises(InputError, match="sigma_sa"):
        Noise("heteroscedastic")
