"""E18, E19: the solver against brute force and the closed forms; both answers and their disagreement."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.maths import noise_budget as NB
from theory._validate import InputError


def brute(problem, family, points=400001):
    c = np.geomspace(problem.price_min, problem.price_max, points)
    v = problem.mse(c, family)
    return c[np.argmin(v)], v.min()


@settings(max_examples=60, deadline=None)
@given(V0=st.floats(0.01, 10), W=st.floats(0.1, 10), A=st.floats(0.1, 10), p=st.floats(0.2, 4),
       lo=st.floats(0.01, 1), hi=st.floats(2, 200), c0=st.sampled_from([0.0, 0.3]))
def test_power_family_against_brute_force(V0, W, A, p, lo, hi, c0):
    prob = NB.BudgetProblem(V0, W, 1000.0, lo, hi, c0)
    fam = NB.power(A, p)
    opt = NB.solve(fam, prob)
    _, best = brute(prob, fam)
    assert opt.mse <= best * (1 + 1e-9)
    if c0 == 0:  # the optimum is the root of the analytic slope, so it meets the closed form to rounding
        assert opt.price == pytest.approx(opt.closed_form_price, rel=1e-13)


@settings(max_examples=60, deadline=None)
@given(V0=st.floats(0.01, 10), W=st.floats(0.1, 10), A=st.floats(0.1, 10), sf=st.floats(0.0, 3), c0=st.floats(0.01, 5))
def test_floor_family_interior_optimum_is_exact(V0, W, A, sf, c0):
    """(c0 + c)(V0 + W sf + W A / c) has slope V0 + W sf - W A c0 / c^2: the root sqrt(W A c0 / (V0 + W sf))."""
    prob = NB.BudgetProblem(V0, W, 1000.0, 1e-4, 1e4, c0)
    root = math.sqrt(W * A * c0 / (V0 + W * sf))
    assert NB.solve(NB.floor(sf, A), prob).price == pytest.approx(root, rel=1e-13)


def test_a_flat_noise_only_objective_is_reported_at_the_cheapest_price():
    prob = NB.BudgetProblem(5.0, 6.0, 1000.0, 0.1, 100.0, 1.0)
    assert NB.solve(NB.power(2.0, 1.0), prob).noise_only_price == 0.1
    assert NB.solve(NB.averaging(2.0, 0.3), prob).noise_only_price == pytest.approx(0.3)  # the first whole label


def test_E19_power_closed_form_and_corners():
    prob = NB.BudgetProblem(5.0, 6.0, 1000.0, 0.1, 100.0)
    opt = NB.solve(NB.power(2.0, 2.0), prob)
    assert opt.price == pytest.approx(math.sqrt((2 - 1) * 6 * 2 / 5), rel=1e-9) and opt.corner is None
    assert opt.noise_only_corner == "high"  # p > 1: the paper's reduction buys the dearest labels
    cheap = NB.solve(NB.power(2.0, 0.5), prob)
    assert cheap.corner == "low" and cheap.noise_only_corner == "low"
    flat = NB.solve(NB.power(2.0, 1.0), prob)
    assert flat.corner == "low" and flat.noise_only_corner == "indifferent"
    # V0 -> 0: the interior optimum moves to the dearest price
    assert NB.solve(NB.power(2.0, 2.0), NB.BudgetProblem(1e-9, 6.0, 1000.0, 0.1, 100.0)).corner == "high"


def test_bounded_and_floor_characterisation():
    prob = NB.BudgetProblem(5.0, 6.0, 1000.0, 0.1, 100.0)
    b = NB.solve(NB.bounded(3.0, 100.0), prob)
    assert b.noise_only_corner == "high" and b.corner is not None
    f = NB.solve(NB.floor(0.5, 2.0), prob)
    assert f.noise_only_corner == "low"


def test_averaging_closed_form_with_imagination_cost():
    prob = NB.BudgetProblem(V0=2.0, W=3.0, budget=500.0, price_min=0.5, price_max=50.0, c0=4.0)
    fam = NB.averaging(sigma2_1=5.0, k=0.5)
    opt = NB.solve(fam, prob)
    m_star = math.sqrt(4.0 * 3.0 * 5.0 / (0.5 * 2.0))
    assert opt.closed_form_price == pytest.approx(0.5 * m_star)
    # the whole-label optimum is a neighbour of the continuous m*, and beats every other label count
    m = np.arange(1, 101)
    mse = (4.0 + 0.5 * m) / 500.0 * (2.0 + 3.0 * 5.0 / m)
    assert opt.price == pytest.approx(0.5 * m[np.argmin(mse)])
    assert abs(opt.price / 0.5 - m_star) < 1
    assert NB.solve(fam, NB.BudgetProblem(2.0, 3.0, 500.0, 0.5, 50.0)).price == pytest.approx(0.5)  # c0 = 0: one label


def test_menu_minimises_over_offers():
    offers = [(1.0, 3.0), (5.0, 0.5), (20.0, 0.01)]
    prob = NB.BudgetProblem(V0=0.01, W=1.0, budget=100.0, price_min=1.0, price_max=20.0)
    opt = NB.solve(NB.menu(offers), prob)
    values = [(c / 100) * (0.01 + s2) for c, s2 in offers]
    assert opt.price == offers[int(np.argmin(values))][0]


def test_integer_rollouts_against_enumeration():
    prob = NB.BudgetProblem(V0=1.0, W=2.0, budget=37.0, price_min=0.5, price_max=12.0, c0=0.7, integer=True)
    fam = NB.power(3.0, 2.5)
    opt = NB.solve(fam, prob)
    c = np.linspace(0.5, 12.0, 2_000_001)
    assert opt.mse <= prob.mse(c, fam).min() * (1 + 1e-12)
    assert float(opt.rollouts).is_integer()


def test_custom_callable_and_no_strings():
    fam = NB.custom(lambda c: 1.0 / (1.0 + np.asarray(c)) ** 2)
    prob = NB.BudgetProblem(1.0, 1.0, 100.0, 0.1, 10.0)
    _, best = brute(prob, fam)
    assert NB.solve(fam, prob).mse <= best * (1 + 1e-9)
    with pytest.raises(InputError, match="callable"):
        NB.custom("1/c")


@pytest.mark.parametrize("kwargs,match", [
    ({"budget": 0.05}, "budget must buy at least one rollout"),
    ({"price_max": 0.01}, "price_max must be >= price_min"),
    ({"W": 0.0}, "w"),
    ({"V0": -1.0}, "v0"),
])
def test_bad_problems(kwargs, match):
    args = dict(V0=1.0, W=1.0, budget=10.0, price_min=0.1, price_max=1.0) | kwargs
    with pytest.raises(InputError, match=match):
        NB.BudgetProblem(**args)


def test_integer_budget_solved_whenever_the_full_objective_is_finite():
    """The audit's case and 300 random menus: the paper's noise-only price may buy no whole rollout;
    the full objective is still solved, and equals a brute-force minimum over the offers."""
    out = NB.solve(NB.menu([(5, 1), (15, 0.01)]), NB.BudgetProblem(1, 1, 10, 1, 20, integer=True))
    assert (out.price, out.rollouts, out.mse) == (5.0, 2.0, 1.0)
    assert out.noise_only_price == 15.0 and math.isinf(out.noise_only_mse) and "no whole rollout" in out.message
    rng = np.random.default_rng(11)
    for _ in range(300):
        offers = [(float(c), float(v)) for c, v in zip(rng.uniform(1, 20, 3), 10 ** rng.uniform(-3, 1, 3))]
        budget, V0, W, c0 = float(rng.uniform(2, 40)), float(rng.uniform(0, 2)), float(rng.uniform(0.1, 3)), float(rng.uniform(0, 2))
        K = [math.floor(budget / (c0 + c) + 1e-9) for c, _ in offers]
        brute = [(V0 + W * v) / k for (c, v), k in zip(offers, K) if k >= 1]
        if not brute or budget < c0 + 1:
            continue
        out = NB.solve(NB.menu(offers), NB.BudgetProblem(V0, W, budget, 1, 20, c0=c0, integer=True))
        assert out.mse == pytest.approx(min(brute), rel=1e-12)
