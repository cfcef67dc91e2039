"""E6: the symbolic partial derivatives against finite differences of the numeric bound."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from theory.maths.bound import return_bound
from theory.maths.sensitivity import sensitivity


KEY = {"lip_dyn": "K_f", "lip_rew": "K_r", "lip_pi": "K_pi", "gamma": "gamma"}  # concept -> Python keyword


def fd_elasticity(name, point, h=1e-6):
    kw = dict(point)
    base = float(return_bound(kw["gamma"], kw["horizon"], 0.01, 0.02, K_f=kw["K_f"], K_r=kw["K_r"], K_pi=kw["K_pi"]).bound)
    key = KEY[name]
    vals = []
    for sign in (1, -1):
        q = dict(kw)
        q[key] = kw[key] * (1 + sign * h)
        vals.append(float(return_bound(q["gamma"], q["horizon"], 0.01, 0.02, K_f=q["K_f"], K_r=q["K_r"], K_pi=q["K_pi"]).bound))
    return (vals[0] - vals[1]) / (2 * h) / base


@settings(max_examples=40, deadline=None)
@given(gamma=st.floats(0.3, 0.97), horizon=st.sampled_from([3, 10, 40, "inf"]),
       K_f=st.floats(0.1, 1.3), K_r=st.floats(0.1, 2.0), K_pi=st.floats(0.05, 1.0))
def test_elasticities_match_finite_differences_and_are_positive(gamma, horizon, K_f, K_r, K_pi):
    assume(not (horizon == "inf" and gamma * K_f * (1 + K_pi) >= 0.95))  # infinite: test_infinite_bound_has_no_sensitivity
    point = dict(gamma=gamma, horizon=horizon, K_f=K_f, K_r=K_r, K_pi=K_pi)
    s = sensitivity(gamma, horizon, 0.01, 0.02, K_f=K_f, K_r=K_r, K_pi=K_pi)
    for name in ("lip_dyn", "lip_rew", "lip_pi", "gamma"):
        assert s.elasticity[name] == pytest.approx(fd_elasticity(name, point), rel=1e-4, abs=1e-7)
        assert s.partials[name] > 0


def test_sensitivity_at_branch_points():
    for K_f, gamma in ((1 / 1.5, 0.9), (0.5, 1.0), (1 / (0.8 * 1.5), 0.8)):  # L = 1, gamma = 1, gamma L = 1
        point = dict(gamma=gamma, horizon=12, K_f=K_f, K_r=1.0, K_pi=0.5)
        s = sensitivity(gamma, 12, 0.01, 0.02, K_f=K_f, K_r=1.0, K_pi=0.5)
        # a wider difference step here: the numeric bound loses ~1e-16/|x - 1| next to the branch point
        for name in ("lip_dyn", "lip_rew", "lip_pi"):
            assert s.elasticity[name] == pytest.approx(fd_elasticity(name, point, h=1e-4), rel=1e-5)


def test_horizon_elasticity_matches_continuation():
    s = sensitivity(0.9, 10, 0.01, 0.02, K_f=0.5, K_r=1.0, K_pi=0.5)
    # the closed form, continued to real H, differentiated by a central difference
    from theory.maths.bound_symbolic import branch_expr
    from theory.symbols import H, L, K_rpi, gamma, eps_dyn, eps_rew
    expr = branch_expr("general").subs({gamma: 0.9, L: 0.75, K_rpi: 1.5, eps_dyn: 0.01, eps_rew: 0.02})
    h = 1e-5
    fd = (float(expr.subs(H, 10 + h)) - float(expr.subs(H, 10 - h))) / (2 * h) * 10 / float(expr.subs(H, 10))
    assert s.elasticity["horizon"] == pytest.approx(fd, rel=1e-5)


def test_lower_first_is_the_largest_exact_drop():
    s = sensitivity(0.95, "inf", 0.05, 0.001, K_f=0.9, K_r=1.0, K_pi=0.05)
    assert s.lower_first == max(s.drop_per_percent, key=s.drop_per_percent.get) == "lip_dyn"
    s = sensitivity(0.5, 3, 0.0001, 0.1, K_f=0.1, K_r=1.0, K_pi=2.0)
    assert s.drop_per_percent["lip_dyn"] > 0


@pytest.mark.parametrize("gamma,horizon,eps_dyn", [(0.0, "inf", 0.01), (0.9, 1, 0.01), (0.9, 10, 0.0)])
def test_no_constant_can_lower_a_bound_without_dynamics_term(gamma, horizon, eps_dyn):
    s = sensitivity(gamma, horizon, eps_dyn, 0.02, K_f=0.5, K_r=1.0, K_pi=0.5)
    assert s.lower_first is None and "no Lipschitz constant" in s.message
    assert all(v == 0 for v in s.drop_per_percent.values())


def test_infinite_bound_has_no_sensitivity():
    from theory._validate import InputError
    with pytest.raises(InputError, match="infinite"):
        sensitivity(0.9, "inf", 0.01, 0.01, K_f=2.0, K_r=1.0, K_pi=0.0)
