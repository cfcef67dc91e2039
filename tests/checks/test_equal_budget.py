"""Learning at equal budget (E20)."""

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


def test_learning_is_deterministic_for_a_seed(mdp):
    """E20: learning at equal budget is reproducible from its seed, with the rollouts the budget buys."""
    fam = power(1.0, 2.0)
    prob = BudgetProblem(1.0, 1.0, 20.0, 0.1, 10.0)
    a = train(mdp, fam, prob, [1.0, 2.0], ["a", "b"], steps=3, seeds=2, seed=5)
    b = train(mdp, fam, prob, [1.0, 2.0], ["a", "b"], steps=3, seeds=2, seed=5)
    np.testing.assert_array_equal(a.returns, b.returns)
    assert np.all(a.rollouts_per_step == [20, 10])
