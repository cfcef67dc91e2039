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
