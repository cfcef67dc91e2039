"""The symbolic API of the bound: the Piecewise against the stable numerics, the kernels against the SymPy
closed forms, and the guards against unsafe use."""

from __future__ import annotations

import math
import warnings
import zlib

import numpy as np
import pytest
import sympy as sp

from theory import InputError
from theory.maths import bound as B
from theory.maths import bound_symbolic as BS
from theory.maths.coefficients import c_dyn
from theory.symbols import H, K_rpi, L, eps_dyn, eps_rew, gamma

ARGS = (gamma, H, L, K_rpi, eps_dyn, eps_rew)


def test_divided_difference_identity_behind_the_kernels():
    """C_dyn = K gamma h_{H-2}(gamma L, gamma, 1): the complete homogeneous polynomial the kernels evaluate."""
    for h in range(2, 9):
        double_sum = K_rpi * sum(gamma**uu * L**ii for uu in range(1, h) for ii in range(uu))  # E3 as defined
        homogeneous = K_rpi * gamma * sum((gamma * L) ** a * gamma**b for a in range(h - 1) for b in range(h - 1 - a))
        assert sp.expand(double_sum - homogeneous) == 0


@pytest.mark.parametrize("branch", ["general", "L=1", "gamma=1", "gammaL=1", "gamma=1,L=1", "infinite"])
def test_kernels_equal_the_sympy_closed_forms(branch):
    rng = np.random.default_rng(zlib.crc32(branch.encode()))
    expr = BS.c_dyn_closed()[branch]
    for _ in range(25):
        g = sp.Rational(int(rng.integers(1, 999)), 1000)
        Lv = sp.Rational(int(rng.integers(1, 2999)), 1000)
        if branch in ("L=1", "gamma=1,L=1"):
            Lv = sp.Integer(1)
        if branch.startswith("gamma=1"):
            g = sp.Integer(1)
        if branch == "gammaL=1":
            Lv = 1 / g
        if branch == "infinite":
            Lv = min(Lv, (1 / g) * sp.Rational(99, 100))
        if branch in ("general", "gamma=1") and Lv == 1 or branch == "general" and g * Lv == 1:
            Lv += sp.Rational(1, 7)  # these branches exclude L = 1 (and gamma L = 1): their own branch covers it
        h = math.inf if branch == "infinite" else int(rng.integers(3, 400))
        subs = {gamma: g, L: Lv, K_rpi: 1} | ({} if branch == "infinite" else {H: h})
        exact = sp.N(expr.subs(subs), 40)
        numeric = float(c_dyn(float(g), float(h), float(Lv), 1.0))
        assert numeric == pytest.approx(float(exact), rel=1e-11)


def test_plain_lambdify_of_the_piecewise_agrees_with_return_bound_at_10000_points():
    rng = np.random.default_rng(0)
    n = 10_000
    g = rng.uniform(0.05, 0.999, n)
    Lv = rng.uniform(0.0, 2.5, n)
    Lv[rng.random(n) < 0.15] = 1.0  # the L = 1 branch exactly
    h = rng.integers(1, 60, n).astype(float)
    ed, er, K = rng.uniform(0, 1, n), rng.uniform(0, 1, n), rng.uniform(0, 3, n)
    expected = B.return_bound(g, h, ed, er, L=Lv, K_rpi=K).bound
    f = sp.lambdify(ARGS, BS.bound_piecewise(), "numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = np.asarray(f(g, h, Lv, K, ed, er), float)
    away = np.abs(g * Lv - 1) > 1e-3  # the general closed form cancels near gamma L = 1 (that is the point)
    np.testing.assert_allclose(got[away], expected[away], rtol=1e-7, atol=1e-12)
    # infinite horizon, including gamma L > 1 where both give infinity
    f_inf = sp.lambdify(ARGS, BS.bound_piecewise(sp.oo), "numpy")
    expected = B.return_bound(g, "inf", ed, er, L=Lv, K_rpi=K).bound
    got = np.asarray(f_inf(g, np.inf, Lv, K, ed, er), float)
    assert np.isinf(expected).sum() > 1000
    np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
    np.testing.assert_allclose(got[~np.isinf(got)], expected[~np.isinf(got)], rtol=1e-12)


def test_lambdify_bound_is_safe_where_plain_lambdify_is_not():
    f = BS.lambdify_bound()
    assert float(f(0.999999998, 3, 1.0 + 1e-9, 1.0, 0.1, 0.0)) == pytest.approx(0.3, rel=1e-8)
    assert float(f(0.9, 2, 1e300, 1.0, 1.0, 0.0)) == pytest.approx(0.9)
    assert math.isinf(float(f(0.5, math.inf, 3.0, 1.0, 1.0, 0.0)))
    g = BS.lambdify_bound(structured=True)
    assert float(g(0.9, math.inf, 0.5, 1.0, 0.5, 0.01, 0.02)) == pytest.approx(0.615385, rel=1e-6)
    with pytest.raises(InputError, match="gamma"):
        f(1.5, 3, 1.0, 1.0, 0.1, 0.0)


def test_piecewise_infinite_horizon_conditions():
    B_inf = BS.bound_piecewise(sp.oo)
    assert BS.substitute(B_inf, gamma=0.5, L=4, K_rpi=1, eps_dyn=1, eps_rew=0) == sp.oo
    assert BS.substitute(B_inf, gamma=0.5, L=4, K_rpi=1, eps_dyn=0, eps_rew=1) == 2
    assert BS.substitute(B_inf, gamma=sp.Rational(1, 2), L=1, K_rpi=1, eps_dyn=1, eps_rew=0) == 2


def test_substitute_refuses_unknown_names_and_strings():
    with pytest.raises(InputError, match="unknown symbol"):
        BS.substitute(BS.bound_piecewise(), gama=0.9)
    with pytest.raises(InputError, match="gamma must be a number"):
        BS.substitute(BS.bound_piecewise(), gamma="__import__('os')")


@pytest.mark.parametrize("g,h,Lv,branch", [(0.9, 10, 0.5, "general"), (1.0, 10, 1.0, "gamma=1,L=1"), (1.0, 10, 0.5, "gamma=1"),
                                          (0.9, 10, 1.0, "L=1"), (0.5, 10, 2.0, "gammaL=1"), (0.5, "inf", 1.5, "infinite"),
                                          (0.5, "inf", 2.0, "infinite bound")])
def test_branch_of_picks_the_branch_whose_value_is_the_bound(g, h, Lv, branch):
    assert BS.branch_of(g, h, Lv) == branch
    if branch == "infinite bound":
        return
    expr = BS.branch_expr(branch)
    subs = {gamma: sp.nsimplify(g), L: sp.nsimplify(Lv), K_rpi: 1, eps_dyn: 1, eps_rew: 1}
    if h != "inf":
        subs[H] = h
    assert float(expr.subs(subs)) == pytest.approx(float(B.return_bound(g, h, 1, 1, L=Lv, K_rpi=1).bound), rel=1e-12)


@pytest.mark.parametrize("name,value", [("gamma", 1.5), ("gamma", -0.1), ("H", 2.5), ("H", 0), ("L", -1.0),
                                        ("eps_dyn", float("nan")), ("K_rpi", True)])
def test_substitute_refuses_values_outside_the_symbols_range(name, value):
    """The audit: substitute(bound_piecewise(oo), gamma=1.5, ...) returned oo for an invalid gamma."""
    import sympy as sp

    from theory import InputError
    from theory.maths.bound_symbolic import bound_piecewise, substitute

    with pytest.raises(InputError, match=name):
        substitute(bound_piecewise(sp.oo), **{name: value})


def test_a_truth_value_is_not_a_horizon():
    from theory import InputError, return_bound

    with pytest.raises(InputError, match="truth value"):
        return_bound(0.9, True, 0.1, 0.1, L=0.5, K_rpi=1.0)
