"""E1 to E5: closed forms against defining sums, branches against limits, arrays against scalars."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.maths import bound as B
from theory.maths import bound_symbolic as BS
from theory._validate import InputError
from theory.symbols import H, L, eps_dyn, eps_rew, gamma


def direct_c_dyn(g, h, Lc, K):
    """The defining double sum of E3, in plain Python floats (independent of the closed forms)."""
    return K * sum(g**u * sum(Lc**i for i in range(u)) for u in range(1, h))


def direct_gap_recursion(g, h, Lc, K, ed, er):
    """E1 and E2 iterated numerically backwards from Delta_H = ell_H = 0."""
    ell, delta = 0.0, 0.0
    for _ in range(h):
        delta = er + g * ell * ed + g * delta
        ell = K + g * Lc * ell
    return delta


@pytest.mark.parametrize("h", [1, 2, 3, 5, 8])
def test_closed_form_equals_double_sum_symbolically(h):
    closed = BS.c_dyn_closed()["general"].subs(H, h)
    double_sum = BS.c_dyn_sum().subs(H, h).doit()
    assert sp.simplify(sp.cancel(closed - double_sum)) == 0
    assert sp.simplify(BS.c_rew_closed()["general"].subs(H, h) - BS.c_rew_sum().subs(H, h).doit()) == 0


@pytest.mark.parametrize("h", [1, 2, 4, 6])
def test_unrolled_recursion_E1_E2_gives_E3(h):
    delta0 = BS.per_step_error_recursion(h)
    closed = (BS.c_rew_closed()["general"] * eps_rew + BS.c_dyn_closed()["general"] * eps_dyn).subs(H, h)
    assert sp.simplify(sp.cancel(delta0 - closed)) == 0


def test_value_lipschitz_closed_matches_recursion():
    h = 5
    ell = BS.value_lipschitz_recursion(h)
    for step in range(h + 1):
        closed = BS.value_lipschitz_closed(step).subs(H, h).doit()
        assert sp.expand(closed - ell[step]) == 0


@pytest.mark.parametrize("branch,subs", [("L=1", {L: 1}), ("gamma=1", {gamma: 1}), ("gamma=1,L=1", {gamma: 1, L: 1})])
def test_branches_are_limits_of_general_form(branch, subs):
    general = BS.c_dyn_closed()["general"]
    for h in (2, 3, 7):
        lim = general.subs(H, h)
        for sym, val in subs.items():
            lim = sp.limit(lim, sym, val)
        assert sp.simplify(lim - BS.c_dyn_closed()[branch].subs(H, h)) == 0


def test_gammaL_branch_is_limit():
    general = BS.c_dyn_closed()["general"]
    for h in (2, 5):
        lim = sp.limit(general.subs(H, h).subs(gamma, sp.Symbol("y", positive=True) / L), sp.Symbol("y", positive=True), 1)
        assert sp.simplify(lim - BS.c_dyn_closed()["gammaL=1"].subs(H, h)) == 0


def test_infinite_horizon_is_limit_of_finite():
    g, l = sp.Rational(9, 10), sp.Rational(1, 2)
    finite = BS.c_dyn_closed()["general"].subs({gamma: g, L: l})
    assert sp.limit(finite, H, sp.oo) == BS.c_dyn_closed()["infinite"].subs({gamma: g, L: l})


@settings(max_examples=60, deadline=None)
@given(
    g=st.floats(0.0, 1.0),
    h=st.integers(1, 40),
    Lc=st.floats(0.0, 1.6),
    K=st.floats(0.0, 3.0),
    ed=st.floats(0.0, 1.0),
    er=st.floats(0.0, 1.0),
)
def test_numeric_matches_defining_sum_and_recursion(g, h, Lc, K, ed, er):
    res = B.return_bound(g, h, ed, er, L=Lc, K_rpi=K)
    expected_c_dyn = direct_c_dyn(g, h, Lc, K)
    assert float(res.c_dyn) == pytest.approx(expected_c_dyn, rel=1e-6, abs=1e-9)
    assert float(res.bound) == pytest.approx(direct_gap_recursion(g, h, Lc, K, ed, er), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("g,Lc", [(1.0, 1.0), (1.0, 0.7), (0.8, 1.0), (0.8, 1.25), (0.0, 3.0)])
def test_exact_branch_points(g, Lc):
    for h in (1, 2, 9):
        res = B.return_bound(g, h, 1.0, 0.0, L=Lc, K_rpi=2.0)
        assert float(res.c_dyn) == pytest.approx(direct_c_dyn(g, h, Lc, 2.0), rel=1e-9, abs=1e-12)


def test_near_branch_points_continuous():
    for Lc in (1 - 1e-8, 1 + 1e-8, 1 / 0.8 + 1e-9):
        res = B.return_bound(0.8, 30, 1.0, 0.0, L=Lc, K_rpi=1.0)
        assert float(res.c_dyn) == pytest.approx(direct_c_dyn(0.8, 30, Lc, 1.0), rel=1e-6)


def test_infinite_horizon_against_long_truncated_sum():
    res = B.return_bound(0.9, "inf", 0.1, 0.2, K_f=0.5, K_r=1.0, K_pi=0.5)
    truncated = B.return_bound(0.9, 2000, 0.1, 0.2, K_f=0.5, K_r=1.0, K_pi=0.5)
    assert float(res.bound) == pytest.approx(float(truncated.bound), rel=1e-12)
    assert float(res.c_dyn) == pytest.approx(0.9 * 1.5 / (0.1 * (1 - 0.9 * 0.75)))


def test_infinite_when_gamma_L_at_least_one():
    res = B.return_bound([0.5, 0.5, 0.5], "inf", 0.1, 0.1, L=[1.5, 2.0, 3.0], K_rpi=1.0)
    assert list(res.finite) == [True, False, False]  # gamma L = 0.75, 1, 1.5
    assert math.isinf(res.bound[2]) and res.message != ""
    # no dynamics error: the dynamics term vanishes, so the bound stays finite
    res0 = B.return_bound(0.5, "inf", 0.0, 0.1, L=3.0, K_rpi=1.0)
    assert bool(res0.finite) and float(res0.bound) == pytest.approx(0.2)
    assert B.return_bound(0.5, "inf", 0.1, 0.1, L=3.0, K_rpi=1.0).to_dict()["bound"] is None


def test_array_evaluation_equals_scalar():
    rng = np.random.default_rng(0)
    n = 1_000_000
    g = rng.uniform(0, 1, n)
    h = rng.integers(1, 50, n).astype(float)
    Lc = rng.uniform(0, 2, n)
    K = rng.uniform(0, 2, n)
    res = B.return_bound(g, h, 0.1, 0.05, L=Lc, K_rpi=K)
    assert res.bound.shape == (n,)
    for j in rng.choice(n, 25, replace=False):
        scalar = B.return_bound(g[j], h[j], 0.1, 0.05, L=Lc[j], K_rpi=K[j])
        assert float(scalar.bound) == res.bound[j]


def test_structured_equals_closed_loop():
    a = B.return_bound(0.95, 20, 0.1, 0.1, K_f=0.8, K_r=2.0, K_pi=0.25)
    b = B.return_bound(0.95, 20, 0.1, 0.1, L=0.8 * 1.25, K_rpi=2.0 * 1.25)
    assert float(a.bound) == float(b.bound)


@given(st.floats(0.01, 0.99), st.integers(1, 30), st.floats(0.0, 2.0), st.floats(0.0, 2.0), st.floats(0.01, 0.5))
@settings(max_examples=50, deadline=None)
def test_monotone_in_every_constant_and_error(g, h, Kf, Kr, step):
    base = B.return_bound(g, h, 0.1, 0.1, K_f=Kf, K_r=Kr, K_pi=0.3)
    for kwargs in ({"K_f": Kf + step, "K_r": Kr, "K_pi": 0.3}, {"K_f": Kf, "K_r": Kr + step, "K_pi": 0.3},
                   {"K_f": Kf, "K_r": Kr, "K_pi": 0.3 + step}):
        # non-decreasing up to float round-off (for H <= 2 the bound does not depend on L at all)
        assert float(B.return_bound(g, h, 0.1, 0.1, **kwargs).bound) >= float(base.bound) * (1 - 1e-12)
    assert float(B.return_bound(g, h, 0.1 + step, 0.1, K_f=Kf, K_r=Kr, K_pi=0.3).bound) >= float(base.bound)
    assert float(B.return_bound(g, h, 0.1, 0.1 + step, K_f=Kf, K_r=Kr, K_pi=0.3).bound) > float(base.bound)


def test_compounding_factor_E4():
    for Lc in (0.0, 0.5, 1.0, 1.5):
        for tt in range(0, 8):
            assert B.compounding_factor(Lc, tt) == pytest.approx(sum(Lc**i for i in range(tt)))


def test_suboptimality_E5():
    assert B.suboptimality_bound(0.3, 0.4) == pytest.approx(0.7)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"gamma": 1.2}, "gamma must lie in"),
        ({"gamma": 1.0, "horizon": "inf"}, "gamma must be < 1"),
        ({"horizon": 0}, "horizon must be an integer"),
        ({"horizon": 2.5}, "horizon must be an integer"),
        ({"eps_dyn": -0.1}, "eps_dyn"),
        ({"K_f": -1.0}, "K_f"),
    ],
)
def test_bad_input_names_parameter(kwargs, match):
    params = {"gamma": 0.9, "horizon": 10, "eps_dyn": 0.1, "eps_rew": 0.1}
    consts = {"K_f": 1.0, "K_r": 1.0, "K_pi": 0.0}
    for key in list(kwargs):
        (consts if key.startswith("K_") else params)[key] = kwargs[key]
    with pytest.raises(InputError, match=match):
        B.return_bound(**params, **consts)


def test_mixing_constant_forms_is_an_error():
    with pytest.raises(InputError, match="not both"):
        B.return_bound(0.9, 10, 0.1, 0.1, L=1.0, K_rpi=1.0, K_f=1.0)
