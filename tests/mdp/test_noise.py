"""Reward-noise models (E15-E17)."""

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


def test_noise_validation():
    with pytest.raises(InputError, match="noise kind"):
        Noise("loud")
    with pytest.raises(InputError, match="sigma_sa"):
        Noise("heteroscedastic")
