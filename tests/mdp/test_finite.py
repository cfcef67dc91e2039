"""Finite MDPs: validation, converters, files and exact evaluation."""

import math

import numpy as np
import pytest

from theory._validate import InputError
from theory.mdp.finite import FiniteMDP, evaluate, from_sas_layout, load_npz, save_npz, values
from theory.mdp.learned import random_chain


def tiny():
    P = np.array([[[0.9, 0.1], [0.2, 0.8]], [[0.5, 0.5], [0.0, 1.0]]])
    R = np.array([[1.0, 0.0], [0.5, 2.0]])
    return FiniteMDP(P, R, np.array([[0, 1.0], [1.0, 0]]), gamma=0.9, horizon=math.inf)


def test_evaluation_matches_truncated_series_and_recursion():
    m = tiny()
    P_pi = np.einsum("sa,sat->st", m.pi, m.P)
    r_pi = (m.pi * m.R).sum(1)
    series = sum(0.9**t * m.mu @ np.linalg.matrix_power(P_pi, t) @ r_pi for t in range(600))
    assert evaluate(m) == pytest.approx(series, rel=1e-12)
    finite = FiniteMDP(m.P, m.R, m.D, 0.9, 7)
    assert evaluate(finite) == pytest.approx(sum(0.9**t * m.mu @ np.linalg.matrix_power(P_pi, t) @ r_pi for t in range(7)))
    undiscounted = FiniteMDP(m.P, m.R, m.D, 1.0, 5)
    assert evaluate(undiscounted) == pytest.approx(sum(m.mu @ np.linalg.matrix_power(P_pi, t) @ r_pi for t in range(5)))


@pytest.mark.parametrize("H", [0, 1, 2, 7])
@pytest.mark.parametrize("batched", ["none", "kernels", "rewards", "both"])
def test_finite_horizon_values_equal_the_power_series_for_every_batch_layout(H, batched):
    rng = np.random.default_rng(H)
    P = rng.dirichlet(np.ones(5), size=(3, 5) if batched in ("kernels", "both") else 5)
    r = rng.normal(size=(3, 5) if batched in ("rewards", "both") else 5)
    P3, r3 = np.broadcast_to(P, (3, 5, 5)), np.broadcast_to(r, (3, 5))
    series = [sum(0.8**t * np.linalg.matrix_power(P3[k], t) @ r3[k] for t in range(H)) + np.zeros(5) for k in range(3)]
    got = np.broadcast_to(values(P, r, 0.8, H), (3, 5))
    np.testing.assert_allclose(got, series, rtol=1e-13, atol=1e-15)


def test_evaluation_matches_monte_carlo():
    rng = np.random.default_rng(0)
    m = random_chain(rng, S=5, gamma=0.8, horizon=6)
    n = 40000
    s = rng.choice(m.S, n, p=m.mu)
    G = np.zeros(n)
    for t in range(6):
        a = (rng.random(n)[:, None] > np.cumsum(m.pi[s], 1)).sum(1)
        G += 0.8**t * m.R[s, a]
        s = (rng.random(n)[:, None] > np.cumsum(m.P[s, a], 1)).sum(1)
    se = G.std(ddof=1) / np.sqrt(n)
    assert abs(G.mean() - evaluate(m)) < 3.29 * se  # 99.9% two-sided


@pytest.mark.parametrize("change,match", [
    (lambda P, R, D: (P * np.array([1, 1.1])[None, :, None], R, D), r"P\[0, 1, :\] sums to"),
    (lambda P, R, D: (P, R, D + np.eye(2)), "zero diagonal"),
    (lambda P, R, D: (P, R, np.array([[0, 1.0], [2.0, 0]])), "not symmetric"),
    (lambda P, R, D: (P, R[:1], D), "R must have shape"),
    (lambda P, R, D: (np.where(np.arange(2)[None, None, :] == 0, -0.1, 1.1) * np.ones_like(P), R, D), "negative"),
])
def test_validation_errors_name_the_entry(change, match):
    m = tiny()
    P, R, D = change(m.P, m.R, m.D)
    with pytest.raises(InputError, match=match):
        FiniteMDP(P, R, D, 0.9)


def test_triangle_inequality_names_the_triple():
    D = np.array([[0, 1, 5.0], [1, 0, 1], [5, 1, 0]])
    P = np.full((3, 1, 3), 1 / 3)
    with pytest.raises(InputError, match=r"triangle inequality at states \(0, 1, 2\)"):
        FiniteMDP(P, np.zeros((3, 1)), D, 0.9)


def test_gamma_one_with_infinite_horizon_is_an_error():
    m = tiny()
    with pytest.raises(InputError, match="gamma must be < 1"):
        FiniteMDP(m.P, m.R, m.D, 1.0, math.inf)


def test_converters_round_trip(tmp_path):
    m = tiny()
    R_sas = np.repeat(m.R[:, :, None], 2, axis=2)
    back = from_sas_layout(np.transpose(m.P, (1, 0, 2)), R_sas, m.D, 0.9)
    np.testing.assert_allclose(back.P, m.P)
    np.testing.assert_allclose(back.R, m.R)
    path = tmp_path / "m.npz"
    save_npz(m, path)
    again = load_npz(path)
    np.testing.assert_array_equal(again.P, m.P)
    assert again.horizon == math.inf and evaluate(again) == evaluate(m)


def _stationary_reference(P, r, H):
    """sum_{t<H} P^t r for an ergodic chain at 50 digits: H (Pi r) + ((I - P + Pi)^-1 - Pi) r - the
    (P - Pi)^H remainder, which is below 1e-40 here (the chains mix in a few steps)."""
    import mpmath as mp
    mp.mp.dps = 50
    S = P.shape[0]
    Pm = mp.matrix(P.tolist())
    # the stationary distribution: rho (I - P) = 0, sum rho = 1
    A = mp.matrix(S + 1, S)
    for i in range(S):
        for j in range(S):
            A[j, i] = (1 if i == j else 0) - Pm[i, j]
        A[S, i] = 1
    b = mp.matrix([0] * S + [1])
    rho = mp.lu_solve(A.T * A, A.T * b)
    Pi = mp.matrix(S, S)
    for i in range(S):
        for j in range(S):
            Pi[i, j] = rho[j]
    rm = mp.matrix(r.tolist())
    Z = mp.inverse(mp.eye(S) - Pm + Pi)
    v = mp.mpf(H) * (Pi * rm) + (Z - Pi) * rm
    return np.array([float(x) for x in v])


@pytest.mark.parametrize("H", [10**6, 10**9, 10**12])
def test_long_horizon_values_match_high_precision(H):
    """Finite-horizon evaluation in O(log H) matrix products (the audit's H = 1e12 ran 1e12 steps)."""
    from theory.mdp.finite import values
    rng = np.random.default_rng(5)
    S = 12
    # entries k / 64 with rows of 64: stochastic exactly in floating point (a row that sums to 1 + 4e-16
    # grows like (1 + 4e-16)^H, 1e-10 at H = 1e6, and the reference would be of another chain); at least
    # 2/64 everywhere, so it mixes fast and (P - Pi)^H is negligible
    P = (2 + rng.multinomial(64 - 2 * S, np.ones(S) / S, size=S)) / 64.0
    r = rng.normal(size=S)
    ref = _stationary_reference(P, r, H)
    np.testing.assert_allclose(values(P, r, 1.0, H), ref, rtol=1e-12)
    # discounted: (gamma P)^H vanishes, so the finite sum equals the infinite-horizon solve
    np.testing.assert_allclose(values(P, r, 0.99, H), np.linalg.solve(np.eye(S) - 0.99 * P, r), rtol=1e-12)


def test_evaluate_at_horizon_1e12_is_fast(tmp_path):
    import time
    from theory.cli import main
    from theory.mdp.finite import FiniteMDP, save_npz
    rng = np.random.default_rng(2)
    S, A = 100, 3
    P = rng.dirichlet(np.ones(S) * 0.2, size=(S, A))
    mdp = FiniteMDP(P, rng.normal(size=(S, A)), np.abs(np.subtract.outer(np.arange(S), np.arange(S))).astype(float),
                    1.0, 10**12)
    save_npz(mdp, tmp_path / "m.npz")
    start = time.process_time()
    assert main(["evaluate", "--mdp-file", str(tmp_path / "m.npz"), "--json"]) == 0
    assert time.process_time() - start < 1.0
