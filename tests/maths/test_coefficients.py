"""E3's coefficients against a 120-digit reference built from the defining sums, at and around every
branch point (L = 1, gamma = 1, gamma L = 1), for horizons up to 1e9 and infinity.

The reference is written here from the sums, independently of the code: for H <= 200 the double sum
itself, term by term; beyond, the sum over u of gamma^u (L^u - 1) / (L - 1) summed as two geometric
series (or, at L = 1 exactly, the sum of u gamma^u), all in exact-input mpmath arithmetic.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.maths import bound as B
from theory.maths.coefficients import c_dyn, c_rew, geometric_sum

mp.mp.dps = 120
FLOAT_MAX = mp.mpf(np.finfo(float).max)


def ref_geometric(x, n):
    """sum_{k < n} x^k, exactly-rounded to 120 digits."""
    x = mp.mpf(x)
    return mp.mpf(n) if x == 1 else (1 - x**n) / (1 - x)


def ref_c_rew(g, H) -> mp.mpf:
    g = mp.mpf(g)
    return 1 / (1 - g) if math.isinf(H) else ref_geometric(g, int(H))


def ref_c_dyn(g, H, L, K) -> mp.mpf:
    g, L, K = mp.mpf(g), mp.mpf(L), mp.mpf(K)
    if math.isinf(H):  # sum_u gamma^u sum_{i<u} L^i = gamma / ((1 - gamma)(1 - gamma L)), converging iff gamma L < 1
        if g * K == 0:
            return mp.mpf(0)
        return mp.inf if g * L >= 1 else K * g / ((1 - g) * (1 - g * L))
    H = int(H)
    if H <= 200:
        total, inner, g_u, L_i = mp.mpf(0), mp.mpf(0), mp.mpf(1), mp.mpf(1)
        for _ in range(1, H):
            inner += L_i
            L_i *= L
            g_u *= g
            total += g_u * inner
        return K * total
    if L == 1:  # sum_{u<H} u gamma^u
        if g == 1:
            return K * mp.mpf(H) * (H - 1) / 2
        return K * g * (1 - H * g ** (H - 1) + (H - 1) * g**H) / (1 - g) ** 2
    return K / (L - 1) * (ref_geometric(g * L, H) - ref_geometric(g, H))


def rel_err(value: float, ref: mp.mpf) -> float:
    """Relative error; below the smallest normal float (where floats themselves lose relative precision)
    the error is measured relative to that smallest normal."""
    if ref > FLOAT_MAX:
        return 0.0 if value == math.inf else math.inf
    return float(abs(mp.mpf(value) - ref) / max(ref, mp.mpf(np.finfo(float).tiny)))


# Every reproduction of issue 10, with its exact value.
REPRODUCTIONS = [
    (0.999999998, 3, 1.0, 1.0),
    (1.0, 3, 1 - 1e-8, 1.0),
    (0.9999999, 3, 1.0, 1.0),
    (0.5, 3000, 2.0, 1.0),
    (1.0, 10**6, 1 + 5e-10, 1.0),
    (0.9, 2, 1e300, 1.0),
    (0.9, 3, 1e300, 1.0),
    (0.5, 10**12, 2.0, 1.0),
    (1.0, 10**12, 1.0, 1.0),
]


@pytest.mark.parametrize("g,H,L,K", REPRODUCTIONS)
def test_reproductions_of_the_audit_are_exact(g, H, L, K):
    res = B.return_bound(g, H, 1.0, 1.0, L=L, K_rpi=K)
    assert rel_err(float(res.c_dyn), ref_c_dyn(g, H, L, K)) <= 1e-10
    assert rel_err(float(res.c_rew), ref_c_rew(g, H)) <= 1e-10
    assert bool(res.finite) and float(res.bound) > 0


def test_gamma_L_one_with_a_finite_horizon_is_finite_in_the_cli(capsys):
    from theory.cli import main
    import json

    code = main(["bound", "--gamma", "0.5", "--horizon", "3000", "--lip-dyn", "1", "--lip-rew", "0.5", "--lip-pi", "1",
                 "--eps-dyn", "0.1", "--eps-rew", "0", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["message"] == ""
    assert out["bound"] == pytest.approx(float(ref_c_dyn(0.5, 3000, 2.0, 1.0)) * 0.1, rel=1e-12)


def test_overflow_is_named_overflow_not_infinite_horizon():
    res = B.return_bound(0.9, 100, 1e308, 1e308, L=0.5, K_rpi=1.0)
    assert not res.finite and res.message.startswith("overflow")
    res = B.return_bound(0.99, 1000, 1.0, 0.0, L=1e300, K_rpi=1.0)  # (gamma L)^H exceeds the float range
    assert ref_c_dyn(0.99, 1000, 1e300, 1.0) > FLOAT_MAX
    assert not res.finite and res.message.startswith("overflow")
    res = B.return_bound(0.9, "inf", 1.0, 0.0, L=2.0, K_rpi=1.0)
    assert res.message.startswith("infinite horizon")


def _near(sign, exponent):
    return sign * 10.0**exponent


def _point(kind, g_raw, d1, d2, L_far):
    """A point within about d of a branch point (kind 0: gamma = 1, 1: L = 1, 2: gamma L = 1, 3: gamma = L = 1,
    4: gamma = 1 and gamma L = 1), or anywhere (kind 5)."""
    if kind == 0:
        return 1 - abs(d1), L_far
    if kind == 1:
        return g_raw, 1 + d1
    if kind == 2:
        return g_raw, (1 + d1) / g_raw
    if kind == 3:
        return 1 - abs(d1), 1 + d2
    if kind == 4:
        g = 1 - abs(d1)
        return g, (1 + d2) / g
    return g_raw, L_far


exponents = st.floats(-13, -2)
signs = st.sampled_from([-1.0, 1.0])


@settings(max_examples=2000, deadline=None)
@given(kind=st.integers(0, 5), g_raw=st.floats(0.05, 1.0), e1=exponents, s1=signs, e2=exponents, s2=signs,
       L_far=st.floats(0.0, 3.0), H=st.one_of(st.integers(1, 60), st.integers(1, 10**9), st.just(math.inf)),
       K=st.floats(0.0, 10.0))
def test_coefficients_match_the_120_digit_reference_near_every_branch_point(kind, g_raw, e1, s1, e2, s2, L_far, H, K):
    g, L = _point(kind, g_raw, _near(s1, e1), _near(s2, e2), L_far)
    g = min(max(g, 0.0), 1.0)
    L = max(L, 0.0)
    if math.isinf(H) and g >= 1:
        g = np.nextafter(1.0, 0.0)
    cd = float(c_dyn(g, float(H), L, K))
    cr = float(c_rew(g, float(H)))
    assert rel_err(cd, ref_c_dyn(g, H, L, K)) <= 1e-10, (g, H, L, K, cd)
    assert rel_err(cr, ref_c_rew(g, H)) <= 1e-10
    assert cd >= 0 and cr >= 1 and not math.isnan(cd)


def test_vectorised_grid_equals_scalars_and_is_never_negative():
    rng = np.random.default_rng(3)
    n = 20_000
    g = np.clip(1 - 10 ** rng.uniform(-14, 0, n), 0, 1)
    L = np.exp(rng.choice([-1, 1], n) * 10 ** rng.uniform(-14, 0.5, n))
    H = np.floor(10 ** rng.uniform(0, 9, n))
    res = B.return_bound(g, H, 0.1, 0.1, L=L, K_rpi=1.0)
    assert np.all(res.bound >= 0) and not np.isnan(res.bound).any()
    for j in rng.choice(n, 30, replace=False):
        assert rel_err(float(res.c_dyn[j]), ref_c_dyn(g[j], H[j], L[j], 1.0)) <= 1e-10


@pytest.mark.parametrize("x,n", [(1 + 1e-12, 1e6), (1 - 3e-9, 7.0), (0.0, 0.0), (0.0, 5.0), (2.0, 1100.0), (0.5, math.inf)])
def test_geometric_sum_E4(x, n):
    ref = mp.mpf(1) / (1 - mp.mpf(x)) if math.isinf(n) else (ref_geometric(x, int(n)) if n else mp.mpf(0))
    assert rel_err(float(geometric_sum(x, n)), ref) <= 1e-12
    if not math.isinf(n):
        assert rel_err(float(B.compounding_factor(x, n)), ref) <= 1e-12


@pytest.mark.parametrize("x,n", [(1e160, 2), (1e300, 2), (1e100, 3), (2.0, 1024), (1.5, 1750)])
def test_geometric_sum_finite_where_the_sum_is(x, n):
    """x^n overflows while sum_{k<n} x^k does not (the audit's compounding_factor(1e160, 2))."""
    from theory.maths.bound import compounding_factor
    ref = mp.fsum(mp.mpf(x) ** k for k in range(n))
    got = float(compounding_factor(x, n))
    if ref > mp.mpf("1.7976931348623157e308"):
        assert math.isinf(got)
    else:
        assert got == pytest.approx(float(ref), rel=1e-13)
