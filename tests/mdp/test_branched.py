"""MBPO's branched-rollout bound (``docs/theory.md`` section 7, E3's neighbour): k* in closed form against an
integer search and SymPy, and exact branched returns against explicit sums of matrix powers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.maths.mbpo import branched_bound, k_star_expression, penalty
from theory.mdp.branched import branched_check, branched_returns
from theory.mdp.learned import learn, random_chain


@settings(max_examples=200, deadline=None)
@given(gamma=st.floats(0.05, 0.999), eps_pi=st.floats(1e-4, 1.0), eps_model=st.floats(1e-6, 1.0))
def test_best_whole_k_is_next_to_the_closed_form(gamma, eps_pi, eps_model):
    b = branched_bound(gamma, eps_pi, eps_model, 1.0, k_max=20000)
    # brute force over every whole k (independent of the closed form)
    ks = np.arange(20001.0)
    C = 2 * (gamma ** (ks + 1) * eps_pi / (1 - gamma) ** 2 + gamma**ks * eps_pi / (1 - gamma) + ks * eps_model / (1 - gamma))
    best = int(np.argmin(C))
    if b.k_star < 20000:
        assert best in (math.floor(b.k_star), math.ceil(b.k_star)) or math.isclose(C[best], C[math.floor(b.k_star)], rel_tol=1e-12)


def test_the_closed_form_is_sympys_root():
    import sympy as sp

    root, (g, e_pi, e_m, r), C, k = k_star_expression()
    assert sp.simplify(sp.diff(C, k).subs(k, root)) == 0
    assert sp.simplify(sp.diff(C, k, 2)) .subs({g: sp.Rational(9, 10), e_pi: 1, e_m: 1, r: 1, k: 3}) > 0  # convex
    f = sp.lambdify((g, e_pi, e_m), root)
    for gamma, a, b_ in ((0.9, 0.1, 0.001), (0.99, 0.5, 1e-4), (0.5, 0.3, 0.01)):
        assert branched_bound(gamma, a, b_).k_star == pytest.approx(max(0.0, f(gamma, a, b_)), rel=1e-12)


def test_the_numpy_penalty_is_the_sympy_penalty():
    """The penalty is written twice (vectorised NumPy, and the SymPy expression k* is solved from): the two agree."""
    import sympy as sp

    _, (g, e_pi, e_m, r), C, k = k_star_expression()
    f = sp.lambdify((k, g, e_pi, e_m, r), C)
    ks = np.array([0.0, 0.5, 1.0, 7.0, 40.0])
    for gamma, a, b_, rm in ((0.9, 0.1, 0.001, 1.0), (0.99, 0.5, 1e-4, 3.0), (0.5, 0.3, 0.01, 0.2)):
        np.testing.assert_allclose(penalty(ks, gamma, a, b_, rm), [f(x, gamma, a, b_, rm) for x in ks], rtol=1e-12)


def test_penalty_refuses_gamma_one():
    from theory import InputError

    with pytest.raises(InputError, match="gamma"):
        penalty(1, 1.0, 0.1, 0.1, 1.0)


@pytest.mark.parametrize("seed", range(3))
def test_branched_returns_match_explicit_sums(seed):
    rng = np.random.default_rng(seed)
    mdp = random_chain(rng, S=5, gamma=0.8)
    model = learn(mdp, 100, 100, 0.5, rng)
    pi_d = 0.5 * mdp.pi + 0.5 * rng.dirichlet(np.ones(mdp.A), size=mdp.S)
    got = branched_returns(mdp, model, pi_d, 6)
    Ph = np.einsum("sa,sat->st", mdp.pi, model.P)
    rh = (mdp.pi * model.R).sum(1)
    Pd = np.einsum("sa,sat->st", pi_d, mdp.P)
    for k in range(7):  # the definition, term by term, to t = 300 (0.8^300 is below 1e-29)
        ref = sum(0.8**t * mdp.mu @ np.linalg.matrix_power(Pd, max(t - k, 0)) @ np.linalg.matrix_power(Ph, min(t, k)) @ rh
                  for t in range(300))
        assert got[k] == pytest.approx(ref, rel=1e-10, abs=1e-12)


def test_the_check_reports_both_best_lengths():
    rng = np.random.default_rng(4)
    mdp = random_chain(rng, S=6, gamma=0.9)
    model = learn(mdp, 600, 600, 0.5, rng)
    pi_d = 0.7 * mdp.pi + 0.3 * rng.dirichlet(np.ones(mdp.A), size=mdp.S)
    c = branched_check(mdp, model, pi_d, k_max=40)
    assert c.errors.shape == c.penalty.shape == (41,)
    assert c.k_best_true == int(np.argmin(c.errors)) and c.k_best_bound == int(np.argmin(c.penalty))
