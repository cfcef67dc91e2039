"""Exact gradients and moments: three routes, E16, E16b, E17."""


import numpy as np
import pytest

from theory.mdp.exact_gradients import (brute_force_gradient, enumerate_trajectories, exact_bias_shift, exact_moments,
                                 policy_gradient_theorem)
from theory.mdp.rollouts import (softmax_policy)




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
