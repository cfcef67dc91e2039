"""W1 and kernel Lipschitz constants on small hand-checked cases (E13)."""

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from theory._validate import InputError
from theory.mdp.learned import random_grid
from theory.mdp.transport import kernel_lipschitz, wasserstein



def brute_force_w1(p, q, D):
    """Enumerate the vertices... via a dense LP without our batching (independent construction)."""
    S = len(p)
    A = []
    for i in range(S):
        row = np.zeros((S, S)); row[i, :] = 1; A.append(row.ravel())  # noqa: E702
    for j in range(S):
        col = np.zeros((S, S)); col[:, j] = 1; A.append(col.ravel())  # noqa: E702
    res = linprog(D.ravel(), A_eq=np.array(A), b_eq=np.concatenate([p, q]), bounds=(0, None), method="highs-ds")
    return res.fun


def test_w1_on_tiny_supports_against_couplings():
    # two-point supports: W1 = |p0 - q0| D01 exactly
    D = np.array([[0, 2.5], [2.5, 0]])
    assert wasserstein(np.array([0.3, 0.7]), np.array([0.8, 0.2]), D) == pytest.approx(0.5 * 2.5)
    rng = np.random.default_rng(1)
    pts = rng.uniform(0, 1, (5, 2))
    D = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    p, q = rng.dirichlet(np.ones(5), 20), rng.dirichlet(np.ones(5), 20)
    ours = wasserstein(p, q, D)
    for k in range(20):
        assert ours[k] == pytest.approx(brute_force_w1(p[k], q[k], D), abs=1e-9)


def test_w1_line_closed_form_equals_lp():
    rng = np.random.default_rng(2)
    x = rng.permutation(np.sort(rng.uniform(0, 3, 7)))  # unsorted positions
    D = np.abs(x[:, None] - x[None])
    p, q = rng.dirichlet(np.ones(7), 30), rng.dirichlet(np.ones(7), 30)
    np.testing.assert_allclose(wasserstein(p, q, D, "line"), wasserstein(p, q, D, "emd"), atol=1e-12)


def test_w1_mass_check():
    with pytest.raises(InputError, match="row 0 is not a probability distribution"):
        wasserstein(np.array([0.5, 0.4]), np.array([0.5, 0.5]), np.array([[0, 1.0], [1.0, 0]]))


def test_lipschitz_constant_attained_and_dominates_every_pair():
    rng = np.random.default_rng(3)
    m = random_grid(rng)
    P_pi = np.einsum("sa,sat->st", m.pi, m.P)
    L, (i, j) = kernel_lipschitz(P_pi, m.D)
    assert wasserstein(P_pi[i], P_pi[j], m.D) / m.D[i, j] == pytest.approx(L)
    for a, b in itertools.combinations(range(m.S), 2):
        assert wasserstein(P_pi[a], P_pi[b], m.D) / m.D[a, b] <= L + 1e-12
