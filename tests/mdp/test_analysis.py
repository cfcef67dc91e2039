"""Closed-loop constants, model errors and bound cases on finite MDPs (E3, E5, E13)."""

import itertools

import numpy as np
import pytest

from theory.mdp.analysis import bound_case, closed_loop_constants, optimal_policy
from theory.mdp.finite import evaluate
from theory.mdp.learned import learn, random_chain, random_grid
from theory.mdp.transport import kernel_lipschitz


def test_closed_loop_constants_never_exceed_structured():
    rng = np.random.default_rng(6)
    m = random_chain(rng)
    c = closed_loop_constants(m)
    S = m.S
    K_f = max(kernel_lipschitz(m.P[:, a, :], m.D)[0] for a in range(m.A))  # Lipschitz in s per action
    K_r = max(np.max(np.abs(m.R[i, a] - m.R[j, a]) / m.D[i, j]) for a in range(m.A) for i in range(S) for j in range(S) if i != j)
    assert c.L <= K_f + 1e-12 and c.K_rpi <= K_r + 1e-12


def test_bound_case_on_exact_model_is_zero():
    m = random_grid(np.random.default_rng(7))
    c = bound_case(m, m)
    assert c.gap == pytest.approx(0, abs=1e-12) and c.bound == pytest.approx(0, abs=1e-12)


def test_optimal_policy_beats_every_deterministic_policy():
    m = random_chain(np.random.default_rng(8), S=4)
    best = evaluate(m, pi=optimal_policy(m.P, m.R, m.gamma))
    for acts in itertools.product(range(m.A), repeat=m.S):
        assert evaluate(m, pi=np.eye(m.A)[list(acts)]) <= best + 1e-10


def test_E5_suboptimality_of_the_policy_best_in_imagination():
    rng = np.random.default_rng(10)
    for _ in range(8):
        m = random_chain(rng, S=6, gamma=0.8)
        model = learn(m, 60, 60, 0.5, rng)
        pi_star = optimal_policy(m.P, m.R, m.gamma)
        pi_hat = optimal_policy(model.P, model.R, m.gamma)
        gap = evaluate(m, pi=pi_star) - evaluate(m, pi=pi_hat)
        bound = bound_case(m.with_policy(pi_star), model).bound + bound_case(m.with_policy(pi_hat), model).bound
        assert -1e-12 <= gap <= bound + 1e-12
