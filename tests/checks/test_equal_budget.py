"""Learning at equal budget (E20)."""


import numpy as np

from theory.checks.equal_budget import train
from theory.maths.noise_budget import BudgetProblem, power




def test_learning_is_deterministic_for_a_seed(mdp):
    """E20: learning at equal budget is reproducible from its seed, with the rollouts the budget buys."""
    fam = power(1.0, 2.0)
    prob = BudgetProblem(1.0, 1.0, 20.0, 0.1, 10.0)
    a = train(mdp, fam, prob, [1.0, 2.0], ["a", "b"], steps=3, seeds=2, seed=5)
    b = train(mdp, fam, prob, [1.0, 2.0], ["a", "b"], steps=3, seeds=2, seed=5)
    np.testing.assert_array_equal(a.returns, b.returns)
    assert np.all(a.rollouts_per_step == [20, 10])
