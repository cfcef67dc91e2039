"""The rollout engine and the estimators written as reward coefficients (E15)."""

import itertools

import numpy as np
import pytest
from scipy.stats import chi2

from theory.mdp.rollouts import (alias_table, per_rollout_estimates, reward_coefficients,
                                        rollouts, softmax_policy)



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


@pytest.mark.parametrize("estimator", ["full", "reward-to-go", "reward-to-go-no-discount-weight"])
def test_estimators_match_naive_loops(mdp, estimator):
    pi = softmax_policy(np.random.default_rng(2).normal(size=(3, 2)))
    ro = rollouts(mdp.P, mdp.R, pi, mdp.mu, 4, 50, np.random.default_rng(3))
    ours = per_rollout_estimates(reward_coefficients(ro, pi, mdp.gamma, estimator), ro.rewards)
    np.testing.assert_allclose(ours, naive_estimates(ro, pi, mdp.gamma, estimator), atol=1e-12)


@pytest.mark.parametrize("estimator", ["full", "reward-to-go", "reward-to-go-no-discount-weight"])
def test_sparse_estimates_equal_the_dense_coefficients(estimator):
    """The estimator on the sparse score (two bincounts) against the dense (N, H, S, A) coefficients, with and
    without a baseline, on a chain where states repeat within rollouts."""
    from theory.mdp.rollouts import estimates, rollouts, softmax_policy
    from theory.mdp.learned import random_chain

    rng = np.random.default_rng(3)
    mdp = random_chain(rng, S=6, gamma=0.9, horizon=7)
    pi = softmax_policy(rng.normal(size=(mdp.S, mdp.A)))
    ro = rollouts(mdp.P, mdp.R, pi, mdp.mu, 7, 500, rng)
    noisy = ro.rewards + rng.normal(size=ro.rewards.shape)
    b = rng.normal(size=ro.rewards.shape)
    dense = per_rollout_estimates(reward_coefficients(ro, pi, 0.9, estimator), noisy, b)
    np.testing.assert_allclose(estimates(ro, pi, 0.9, estimator, noisy, b), dense, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(estimates(ro, pi, 0.9, estimator), naive_estimates(ro, pi, 0.9, estimator), atol=1e-12)
