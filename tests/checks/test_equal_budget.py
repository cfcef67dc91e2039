"""Learning at equal budget (E20)."""


import numpy as np

from theory.checks.equal_budget import learning_curves
from theory.maths.noise_budget import BudgetProblem, power




def test_learning_is_deterministic_for_a_seed(mdp):
    """E20: learning at equal budget is reproducible from its seed, with the rollouts the budget buys."""
    fam = power(1.0, 2.0)
    prob = BudgetProblem(1.0, 1.0, 20.0, 0.1, 10.0)
    a = learning_curves(mdp, fam, prob, [1.0, 2.0], ["a", "b"], steps=3, seeds=2, seed=5)
    b = learning_curves(mdp, fam, prob, [1.0, 2.0], ["a", "b"], steps=3, seeds=2, seed=5)
    np.testing.assert_array_equal(a.returns, b.returns)
    assert np.all(a.rollouts_per_step == [20, 10])


def test_e20_one_step_gain_against_exact_enumeration():
    """E20 on a small MDP with nothing estimated: the expected one-step gain E J(theta + eta g) - J(theta) of the
    single-rollout full-return estimator, summed exactly over all 64 trajectories with their probabilities and
    exact returns, is at least eta |grad J|^2 - (l eta^2 / 2)(|grad J|^2 + tr Cov g). The smoothness constant l is
    the largest negative curvature of J along the segments the step can take (exact gradients, central differences
    on a fine grid), so the inequality is E20's own, not one fitted to the answer. Without the curvature term
    (l = 0) it fails at every step size here: the check can fail."""
    from theory.mdp.exact_gradients import enumerate_trajectories, exact_moments, policy_gradient_theorem
    from theory.mdp.finite import evaluate, small_mdp
    from theory.mdp.rollouts import estimates, softmax_policy

    mdp = small_mdp(4, S=2, A=2, horizon=3, gamma=0.9)
    theta = np.random.default_rng(0).normal(size=(2, 2))
    pi = softmax_policy(theta)
    enum = enumerate_trajectories(mdp.P, mdp.R, pi, mdp.mu, 3)
    g = estimates(enum.rollouts, pi, mdp.gamma, "full")  # one estimate per trajectory
    grad = policy_gradient_theorem(mdp.P, mdp.R, pi, mdp.mu, mdp.gamma, 3)
    moments = exact_moments(enum, pi, mdp.gamma, "full")
    np.testing.assert_allclose(enum.prob @ g.reshape(len(g), -1), grad.ravel(), atol=1e-12)  # unbiased (E15)

    def J(th):
        return evaluate(mdp, pi=softmax_policy(th), horizon=3)

    def curvature_needed(eta):  # max over the segments of -d''/|d|^2, d = eta g(tau)
        worst = 0.0
        for d in eta * g:
            norm2 = float((d**2).sum())
            if norm2 == 0:
                continue
            h = 1e-4
            for t in np.linspace(0, 1, 41):
                up = policy_gradient_theorem(mdp.P, mdp.R, softmax_policy(theta + (t + h) * d), mdp.mu, mdp.gamma, 3)
                dn = policy_gradient_theorem(mdp.P, mdp.R, softmax_policy(theta + (t - h) * d), mdp.mu, mdp.gamma, 3)
                worst = max(worst, -float(((up - dn) * d).sum()) / (2 * h) / norm2)
        return worst * 1.05  # the grid's largest value, with a margin for what lies between its points

    g2 = float((grad**2).sum())
    for eta in (0.1, 0.5, 1.0, 2.0):
        gain = sum(p * (J(theta + eta * gk) - J(theta)) for p, gk in zip(enum.prob, g))
        bound = eta * g2 - curvature_needed(eta) * eta**2 / 2 * (g2 + moments.cov_trace)
        assert gain >= bound - 1e-12, (eta, gain, bound)
        assert gain < eta * g2, (eta, gain)  # the first-order gain alone is not a lower bound
