"""E6 partials held to a high-precision reference (the audit's long-horizon and branch-point cases).

The reference differentiates the textbook closed form of E3 with mpmath at 80 digits, where the
cancellation next to the branch points costs nothing; it shares no code with the stable kernels.
"""

import math

import mpmath as mp
import numpy as np
import pytest

from theory.maths.sensitivity import sensitivity

mp.mp.dps = 80


def _S(x, H):  # sum_{k<H} x^k, H real or inf
    if H == mp.inf:
        return 1 / (1 - x)
    return (1 - x**H) / (1 - x) if x != 1 else H


def _bound(gamma, H, kf, kr, kp, ed, er):
    L, K = kf * (1 + kp), kr * (1 + kp)
    g = gamma
    c_rew = _S(g, H)
    if H == mp.inf:
        c_dyn = K * g / ((1 - g) * (1 - g * L))
    else:
        c_dyn = K * (_S(g * L, H) - _S(g, H)) / (L - 1)
    return c_rew * er + c_dyn * ed


def reference(gamma, H, kf, kr, kp, ed, er):
    """Partials of B in K_f, K_r, K_pi, gamma and H, by mpmath's high-precision differentiation."""
    args = [mp.mpf(v) for v in (gamma, kf, kr, kp, ed, er)]
    Hm = mp.inf if math.isinf(H) else mp.mpf(H)
    g, kf, kr, kp, ed, er = args
    # exact branch points divide by zero in the closed form: move them by 1e-40 (invisible at 1e-12)
    if abs(kf * (1 + kp) - 1) < mp.mpf(10) ** -40:
        kf += mp.mpf(10) ** -40
    out = {
        "lip_dyn": mp.diff(lambda v: _bound(g, Hm, v, kr, kp, ed, er), kf),
        "lip_rew": mp.diff(lambda v: _bound(g, Hm, kf, v, kp, ed, er), kr),
        "lip_pi": mp.diff(lambda v: _bound(g, Hm, kf, kr, v, ed, er), kp),
        # gamma = 1 is an end of the domain: differentiate from the left there
        "gamma": mp.diff(lambda v: _bound(v, Hm, kf, kr, kp, ed, er), g, direction=-1 if g == 1 else 0),
        "horizon": None if Hm == mp.inf else mp.diff(lambda v: _bound(g, v, kf, kr, kp, ed, er), Hm),
    }
    return {k: (None if v is None else float(v)) for k, v in out.items()}, float(_bound(g, Hm, kf, kr, kp, ed, er))


def _short(v, bits=40):
    """``v`` rounded to ``bits`` significant bits, so that K_f (1 + K_pi) is exact in floating point
    for the K_pi used here (1 + K_pi has at most 3 significant bits): the kernel and the reference
    then see the same L, and the test measures the derivative, not the rounding of an input."""
    m, e = math.frexp(v)
    return math.ldexp(round(math.ldexp(m, bits)), e - bits)


AUDIT = [  # the audit's reproduction, then long horizons with gamma L > 1, then the branch points
    (1.0, 1e6, 0.5, 1.0, 0.0, 0.1, 0.01),
    (0.999, 1000, 1.2, 1.0, 0.0, 0.1, 0.01),
    (0.9999, 1e6, 0.8, 1.0, 0.25, 0.1, 0.01),
    (1.0, 1e9, 0.3, 2.0, 0.5, 0.05, 0.5),
    (0.99, "inf", 1.0, 1.0, 0.0, 0.1, 0.01),  # gamma L = 0.99
    (0.999999, "inf", 0.5, 1.0, 0.0, 0.1, 0.01),
    (0.9, 12, 1 / 1.5, 1.0, 0.5, 0.01, 0.02),  # L = 1
    (1.0, 12, 0.5, 1.0, 0.5, 0.01, 0.02),  # gamma = 1
    (0.8, 12, 1 / (0.8 * 1.5), 1.0, 0.5, 0.01, 0.02),  # gamma L = 1
    (0.8, 1e6, 1 / (0.8 * 1.5) * (1 + 1e-9), 1.0, 0.5, 0.01, 0.02),  # gamma L = 1 + 1e-9, long horizon
    (0.5, 1, 0.5, 1.0, 0.5, 0.01, 0.02),  # H = 1
    (0.5, 2, 0.5, 1.0, 0.5, 0.01, 0.02),
]


def _random_points(n, seed):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        H = float(rng.choice([2, 3, 10, 100, 1000, 1e4, 1e6, 1e9, np.inf]))
        gamma = float(rng.choice([rng.uniform(0.1, 0.99), 1 - 10 ** rng.uniform(-9, -1), 1.0])) if np.isfinite(H) \
            else float(1 - 10 ** rng.uniform(-6, -0.3))
        kp = float(rng.choice([0.0, 0.25, 0.5, 0.75, 1.0]))
        L = float(rng.choice([rng.uniform(0.1, 1.5), 1 + rng.choice([-1, 1]) * 10 ** rng.uniform(-10, -2),
                              (1 + rng.choice([-1, 1]) * 10 ** rng.uniform(-10, -2)) / gamma]))
        if np.isinf(H) and gamma * L >= 1:
            L = (1 - 10 ** rng.uniform(-6, -1)) / gamma
        yield (gamma, H, _short(L / (1 + kp)), float(rng.uniform(0.2, 2)), kp, float(rng.uniform(0.01, 0.2)), float(rng.uniform(0, 0.1)))


def _check(point):
    gamma, H, kf, kr, kp, ed, er = point
    kf = _short(kf)
    Hf = float(H) if H != "inf" else math.inf
    ref, B_ref = reference(gamma, Hf, kf, kr, kp, ed, er)
    if B_ref > 1e300:  # beyond the float range: the command refuses it (tested elsewhere)
        return
    s = sensitivity(gamma, H, ed, er, K_f=kf, K_r=kr, K_pi=kp)
    assert s.bound == pytest.approx(B_ref, rel=1e-10)
    for name in ("lip_dyn", "lip_rew", "lip_pi", "gamma"):
        assert s.partials[name] == pytest.approx(ref[name], rel=1e-8, abs=1e-12 * B_ref), name
    if ref["horizon"] is not None:  # dB/dH can be below any rounding of B (gamma^H underflows): compare elasticities
        assert s.partials["horizon"] * Hf / B_ref == pytest.approx(ref["horizon"] * Hf / B_ref, rel=1e-8, abs=1e-10)


@pytest.mark.parametrize("point", AUDIT, ids=[f"audit{k}" for k in range(len(AUDIT))])
def test_partials_match_high_precision_at_audit_points(point):
    _check(point)


def test_partials_match_high_precision_at_random_points():
    for point in _random_points(150, seed=7):
        _check(point)
