"""E8 to E11: the numeric optimum against brute force, the closed forms, the asymptotics."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from theory.maths import allocation as A
from theory.maths import allocation_symbolic as S
from theory._validate import InputError
from theory.maths.scaling import PowerLaw
from theory.symbols import C_dyn, C_rew, N, a_d, a_r, kappa_d, kappa_r

laws = st.builds(PowerLaw, st.floats(0.05, 50), st.floats(0.05, 2.0), st.floats(0.0, 0.2))


def brute(budget, prices, dyn, rew, cd, cr, points=400001):
    x = np.linspace(prices.kappa_d / budget, 1 - prices.kappa_r / budget, points)
    b = A.bound_at(x * budget / prices.kappa_d, (1 - x) * budget / prices.kappa_r, dyn, rew, cd, cr)
    j = np.argmin(b)
    return x[j], b[j]


@settings(max_examples=60, deadline=None)
@given(dyn=laws, rew=laws, kd=st.floats(0.1, 10), kr=st.floats(0.1, 10), logN=st.floats(2.5, 7),
       cd=st.floats(0.1, 100), cr=st.floats(0.1, 100))
def test_optimum_beats_brute_force_and_satisfies_E9(dyn, rew, kd, kr, logN, cd, cr):
    budget = 10**logN
    assume(budget >= 3 * (kd + kr))
    prices = A.Prices(kd, kr)
    s = A.optimal_split(budget, prices, dyn, rew, cd, cr)
    _, b_grid = brute(budget, prices, dyn, rew, cd, cr)
    assert float(s.bound) <= b_grid * (1 + 1e-12)
    assert float(s.bound) >= b_grid * (1 - 1e-6)  # the grid gets within 1e-6 of the optimum
    # the whole budget is spent
    assert kd * float(s.n_dyn) + kr * float(s.n_rew) == pytest.approx(budget, rel=1e-12)
    if not s.corner:
        lhs = dyn.alpha * cd * dyn.a * float(s.n_dyn) ** (-dyn.alpha - 1) / kd
        rhs = rew.alpha * cr * rew.a * float(s.n_rew) ** (-rew.alpha - 1) / kr
        assert lhs == pytest.approx(rhs, rel=1e-9)


def test_closed_form_E10_equals_numeric_root():
    prices = A.Prices(2.0, 7.0)
    for alpha in (0.1, 0.5, 1.3):
        dyn, rew = PowerLaw(1.5, alpha), PowerLaw(40.0, alpha)
        s = A.optimal_split(np.logspace(3, 8, 6), prices, dyn, rew, 12.0, 3.0)
        np.testing.assert_allclose(s.sample_ratio, A.equal_exponent_ratio(prices, dyn, rew, 12.0, 3.0), rtol=1e-10)


def test_symbolic_E10_matches_numeric_function():
    ratio = S.equal_exponent_ratio()
    from theory.symbols import alpha
    val = float(ratio.subs({C_dyn: 12, C_rew: 3, a_d: 1.5, a_r: 40, kappa_d: 2, kappa_r: 7, alpha: 0.5}))
    assert val == pytest.approx(float(A.equal_exponent_ratio(A.Prices(2, 7), PowerLaw(1.5, 0.5), PowerLaw(40, 0.5), 12, 3)))


def test_root_is_continuous_as_exponents_meet():
    prices = A.Prices(1.0, 3.0)
    shares = [float(A.optimal_split(1e5, prices, PowerLaw(1, 0.5 + d), PowerLaw(2, 0.5), 4.0, 1.0).share_dyn)
              for d in (-1e-3, -1e-6, 0.0, 1e-6, 1e-3)]
    assert abs(shares[1] - shares[2]) < 1e-5 and abs(shares[3] - shares[2]) < 1e-5
    assert abs(shares[0] - shares[2]) < 1e-2


def test_rational_closed_form_matches_numeric_root():
    vals = {C_dyn: 3.0, C_rew: 1.5, a_d: 2.0, a_r: 0.7, kappa_d: 1.0, kappa_r: 4.0, N: 5000.0}
    for ad_, ar_ in ((1, 1), (2, 1)):  # a quadratic and a cubic; (1, 2) is the same cubic with the roles swapped
        roots = S.rational_closed_form(ad_, ar_, max_degree=4)
        assert roots is not None, (ad_, ar_)
        s = A.optimal_split(5000.0, A.Prices(1.0, 4.0), PowerLaw(2.0, float(ad_)), PowerLaw(0.7, float(ar_)), 3.0, 1.5)
        cands = [complex(sp.N(r.subs(vals))) for r in roots]
        assert min(abs(c - float(s.n_dyn)) for c in cands) / float(s.n_dyn) < 1e-9


def test_asymptotics_E11():
    prices = A.Prices(1.0, 1.0)
    dyn, rew = PowerLaw(1.0, 0.2), PowerLaw(1.0, 0.8)
    Ns = np.logspace(10, 14, 5)
    s = A.optimal_split(Ns, prices, dyn, rew, 1.0, 1.0)
    assert np.all(np.diff(s.share_dyn) > 0) and s.share_dyn[-1] > 0.999
    # n_r grows like n_d^((1 + alpha_d)/(1 + alpha_r))
    slope = np.polyfit(np.log(s.n_dyn), np.log(s.n_rew), 1)[0]
    assert slope == pytest.approx(1.2 / 1.8, abs=1e-3)
    decay = np.polyfit(np.log(Ns), np.log(s.bound), 1)[0]
    assert decay == pytest.approx(-0.2, abs=5e-3)


@settings(max_examples=60, deadline=None)
@given(dyn=laws, rew=laws, kd=st.floats(0.5, 10), kr=st.floats(0.5, 10), budget=st.floats(30, 5000),
       cd=st.floats(0.1, 100), cr=st.floats(0.1, 100))
def test_integer_optimum_equals_exhaustive_search(dyn, rew, kd, kr, budget, cd, cr):
    prices = A.Prices(kd, kr)
    s = A.optimal_split(budget, prices, dyn, rew, cd, cr, integer=True)
    assert float(s.n_dyn).is_integer() and float(s.n_rew).is_integer()
    assert kd * s.n_dyn + kr * s.n_rew <= budget * (1 + 1e-12)
    nd = np.arange(1, budget // kd + 1)
    nr = np.floor((budget - kd * nd) / kr)
    ok = nr >= 1
    assert float(s.bound) == pytest.approx(A.bound_at(nd[ok], nr[ok], dyn, rew, cd, cr).min(), rel=1e-12)


def test_corner_is_reported():
    s = A.optimal_split(12.0, A.Prices(1.0, 10.0), PowerLaw(0.34, 0.11), PowerLaw(90, 0.96), 10.0, 5.0)
    assert s.corner == "low" and float(s.n_dyn) == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs,match", [
    ({"budget": 5.0}, "budget must be at least"),
    ({"budget": -1.0}, "budget"),
    ({"c_dyn": 0.0}, "c_dyn"),
])
def test_bad_input(kwargs, match):
    args = {"budget": 100.0, "c_dyn": 1.0, "c_rew": 1.0} | kwargs
    with pytest.raises(InputError, match=match):
        A.optimal_split(args["budget"], A.Prices(1.0, 10.0), PowerLaw(1, 0.5), PowerLaw(1, 0.5), args["c_dyn"], args["c_rew"])
    with pytest.raises(InputError, match="kappa_d"):
        A.Prices(0.0, 1.0)
    with pytest.raises(InputError, match="alpha"):
        PowerLaw(1.0, -0.5)


def test_vectorised_equals_scalar():
    prices = A.Prices(1.0, 10.0)
    Ns = np.logspace(2, 9, 1000)
    vec = A.optimal_split(Ns, prices, PowerLaw(0.34, 0.11), PowerLaw(90, 0.96), 10.0, 5.0)
    for j in (0, 17, 500, 999):
        one = A.optimal_split(Ns[j], prices, PowerLaw(0.34, 0.11), PowerLaw(90, 0.96), 10.0, 5.0)
        assert float(one.share_dyn) == pytest.approx(vec.share_dyn[j], rel=1e-12)


def test_E9b_spend_ratio_holds_at_the_optimum():
    """E9b, written from E9 independently: money spent is in the ratio of the exponent-weighted bound shares."""
    dyn, rew, prices = PowerLaw(0.7, 0.3), PowerLaw(4.0, 0.8), A.Prices(2.0, 5.0)
    s = A.optimal_split(3e4, prices, dyn, rew, 7.0, 3.0)
    spend = prices.kappa_d * s.n_dyn / (prices.kappa_r * s.n_rew)
    shares = dyn.alpha * 7.0 * dyn.a * s.n_dyn ** -dyn.alpha / (rew.alpha * 3.0 * rew.a * s.n_rew ** -rew.alpha)
    assert float(spend) == pytest.approx(float(shares), rel=1e-9)


def test_the_solver_reports_when_it_did_not_converge():
    s = A.optimal_split(1e5, A.Prices(1.0, 10.0), PowerLaw(0.34, 0.11), PowerLaw(90.0, 0.96), 10.0, 10.0, max_iter=1)
    assert not s.success and "not within tol" in s.message
    assert A.optimal_split(1e5, A.Prices(1.0, 10.0), PowerLaw(0.34, 0.11), PowerLaw(90.0, 0.96), 10.0, 10.0).success


@pytest.mark.parametrize("integer", [False, True])
def test_chunks_give_the_unchunked_answer_for_every_broadcast(monkeypatch, integer):
    rng = np.random.default_rng(3)
    budget = 10 ** rng.uniform(2, 6, (3, 8))
    prices = A.Prices(1.0, rng.uniform(1, 20, (3, 1)))
    args = (budget, prices, PowerLaw(0.34, 0.11), PowerLaw(90.0, 0.96), rng.uniform(1, 9, 8), 5.0)
    whole = A.optimal_split(*args, integer=integer)
    monkeypatch.setattr(A, "CHUNK", 5)  # 24 budgets: four full chunks and one of four
    chunked = A.optimal_split(*args, integer=integer)
    # Newton stops when a whole batch has converged, so a chunk may stop an iteration earlier: the same root
    # to the solver's tolerance, the same corners, and with whole samples the very same integers
    assert np.array_equal(chunked.corner, whole.corner)
    assert np.array_equal(np.isnan(chunked.residual), np.isnan(whole.residual))
    for name in ("n_dyn", "n_rew", "share_dyn", "bound", "sample_ratio"):
        if integer and name in ("n_dyn", "n_rew"):
            assert np.array_equal(getattr(chunked, name), getattr(whole, name)), name
        np.testing.assert_allclose(getattr(chunked, name), getattr(whole, name), rtol=1e-11, err_msg=name)
    assert chunked.success and chunked.iterations <= whole.iterations
