"""Bound E3 on deterministic continuous systems whose returns are exact."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.checks import calibration as C
from theory._validate import InputError


def scalar_system(a, b, k, q, r):
    one = lambda x: np.array(x, dtype=float).reshape(1, 1, 1)  # noqa: E731
    return C.LipschitzSystems(one(a), one(b), one(k), np.zeros((1, 1)), np.zeros((1, 1)), one(q), one(r), "clip")


@settings(max_examples=80, deadline=None)
@given(
    a=st.floats(-1.5, 1.5), b=st.floats(-1.5, 1.5), k=st.floats(-1.0, 1.0),
    q=st.floats(0.0, 1.0), r=st.floats(0.0, 1.0),
    da=st.floats(-0.1, 0.1), db=st.floats(-0.1, 0.1), dq=st.floats(-0.1, 0.1),
    gamma=st.floats(0.0, 0.99), horizon=st.sampled_from([1, 2, 5, 20, "inf"]),
    s0=st.floats(-1, 1),
)
def test_clipped_scalar_linear_system_never_exceeds_bound(a, b, k, q, r, da, db, dq, gamma, horizon, s0):
    true = scalar_system(a, b, k, q, r)
    learned = scalar_system(a + da, b + db, k, max(q + dq, 0.0), r)
    res = C.check_gap(true, learned, np.array([[[s0]]]), gamma, horizon)
    assert res.violations == 0
    # each model's constants give a valid bound on their own (the reported bound is the smaller)
    assert np.all(res.gap <= res.bound_true * (1 + 1e-9) + res.tail + 1e-12)
    assert np.all(res.gap <= res.bound_learned * (1 + 1e-9) + res.tail + 1e-12)


def test_gap_is_exact_for_a_pure_reward_shift():
    """With identical dynamics and r_hat = r + delta . s on a fixed point s = 0 ... the gap is computed by hand."""
    rng = np.random.default_rng(3)
    true = C.random_lipschitz_systems(rng, 4)
    learned = C.LipschitzSystems(true.A, true.B, true.K, true.w + 0.1, true.v, true.Q, true.R, true.phi)
    s0 = rng.uniform(-1, 1, (4, 5, 3))
    steps = 6
    gap = C.check_gap(true, learned, s0, 0.9, steps).gap
    # independent: roll the true system by hand, the gap is 0.1 * sum_t gamma^t sum_j s_t[j]
    expected = np.zeros(4)
    for n in range(4):
        for j in range(5):
            s = s0[n, j]
            for t in range(steps):
                a = np.tanh(true.K[n] @ s)
                expected[n] += 0.9**t * 0.1 * s.sum() / 5
                s = np.tanh(true.A[n] @ s + true.B[n] @ a)
    np.testing.assert_allclose(gap, np.abs(expected), rtol=1e-10)


def test_model_errors_dominate_sampled_errors():
    """The sup-error formulas are upper bounds: sampled differences never exceed them."""
    rng = np.random.default_rng(4)
    for make in (C.random_lipschitz_systems, C.random_lq_systems):
        true = make(rng, 5)
        learned = C.perturb(rng, true, np.full(5, 0.05))
        eps_dyn, eps_rew = C.norm_box_errors(true, learned)
        s = rng.uniform(-1, 1, (5, 4000, 3))
        a = rng.uniform(-1, 1, (5, 4000, 2))
        step = lambda sys: sys.squash(np.einsum("nde,nke->nkd", sys.A, s) + np.einsum("ndm,nkm->nkd", sys.B, a))  # noqa: E731
        assert np.all(np.linalg.norm(step(true) - step(learned), axis=2).max(1) <= eps_dyn + 1e-12)
        assert np.all(np.abs(true.reward(s, a) - learned.reward(s, a)).max(1) <= eps_rew + 1e-12)


def test_closed_loop_constants_bound_sampled_slopes():
    rng = np.random.default_rng(5)
    sys = C.random_lq_systems(rng, 3)
    L, K_rpi = sys.closed_loop_constants()
    Kf, Kr, Kp = sys.constants()
    assert np.all(L <= Kf * (1 + Kp) + 1e-12) and np.all(K_rpi <= Kr * (1 + Kp) + 1e-12)
    s1, s2 = rng.uniform(-1, 1, (2, 3, 3000, 3))
    pol = lambda s: sys.squash(np.einsum("nmd,nkd->nkm", sys.K, s))  # noqa: E731
    nxt = lambda s: sys.squash(np.einsum("nde,nke->nkd", sys.A, s) + np.einsum("ndm,nkm->nkd", sys.B, pol(s)))  # noqa: E731
    dist = np.linalg.norm(s1 - s2, axis=2)
    assert np.all((np.linalg.norm(nxt(s1) - nxt(s2), axis=2) / dist).max(1) <= L + 1e-12)
    assert np.all((np.abs(sys.reward(s1, pol(s1)) - sys.reward(s2, pol(s2))) / dist).max(1) <= K_rpi + 1e-12)


def test_calibration_has_no_violations():
    for family in ("lipschitz", "lq"):
        cal = C.calibrate(family, 45, seed=11)
        assert cal.violations == 0
        assert 0 < cal.median_ratio <= cal.max_ratio <= 1


def test_bad_family():
    with pytest.raises(InputError, match="family"):
        C.calibrate("nonsense", 3)
