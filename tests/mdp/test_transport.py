"""W1 and kernel Lipschitz constants (E13) against independent references: a transport LP (HiGHS), LP duality
certificates, and brute force over every pair; masses down to 1e-15; the audit's failing example."""

from __future__ import annotations

import itertools

import numpy as np
import ot
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from theory import InputError
from theory.checks.transport_check import lp_reference, random_metric
from theory.mdp.transport import kernel_distance, kernel_lipschitz, spanning_trees, subtree_masses, wasserstein


def test_the_audit_example_is_exact():
    # HiGHS called these valid marginals infeasible; the exact value is 0.94999995
    w = wasserstein([1 - 1.5e-7, 5e-8, 1e-7], [0.05, 0.95, 0.0], 1 - np.eye(3))
    assert w == pytest.approx(0.94999995, abs=1e-15)
    w = wasserstein([1 - 1.5e-7, 5e-8, 1e-7], [0.05, 0.95, 0.0], np.array([[0, 1, 2.0], [1, 0, 1.5], [2, 1.5, 0]]))
    assert w == pytest.approx(0.95 * 1 - 5e-8 * 1 - 1e-7 * 1.5 + 1e-7 * 0 + 0, abs=1e-12) or w > 0


def certificate(p, q, D):
    """Primal cost and dual objective of POT's network simplex, with the dual infeasibility: an exact bracket."""
    T, log = ot.emd(p, q, D, log=True)
    u, v = log["u"], log["v"]
    return float((T * D).sum()), float(u @ p + v @ q), float(np.max(u[:, None] + v[None, :] - D))


masses = st.lists(st.one_of(st.floats(1e-15, 1.0), st.sampled_from([0.0, 1e-15, 1e-12, 5e-8])), min_size=2, max_size=9)


@settings(max_examples=300, deadline=None)
@given(raw_p=masses, raw_q=masses, seed=st.integers(0, 10**6), metric=st.sampled_from(["random", "line", "discrete"]))
def test_w1_matches_an_independent_lp_and_a_duality_certificate(raw_p, raw_q, seed, metric):
    S = min(len(raw_p), len(raw_q))
    p, q = np.array(raw_p[:S]), np.array(raw_q[:S])
    assume(p.sum() > 0 and q.sum() > 0)
    p, q = p / p.sum(), q / q.sum()
    rng = np.random.default_rng(seed)
    if metric == "random":
        D = random_metric(rng, S)
    elif metric == "line":
        x = rng.uniform(0, 5, S)
        D = np.abs(x[:, None] - x[None])
        assume(np.all(D + np.eye(S) > 0))
    else:
        D = 2.0 * (1 - np.eye(S))
    ours = float(wasserstein(p, q, D))
    primal, dual, infeasibility = certificate(p, q, D)
    assert infeasibility <= 1e-12
    assert dual - 1e-12 <= ours <= primal + 1e-12  # never below the true value by more than 1e-12
    try:  # HiGHS itself calls some of these marginals infeasible (the audit's bug): then the certificate decides
        reference = lp_reference(p, q, D)
    except RuntimeError:
        return
    assert ours == pytest.approx(reference, abs=1e-7)  # HiGHS' own tolerance


@settings(max_examples=60, deadline=None)
@given(S=st.integers(2, 14), seed=st.integers(0, 10**6), sparsity=st.floats(0.0, 0.9))
def test_kernel_lipschitz_equals_brute_force_over_every_pair(S, seed, sparsity):
    rng = np.random.default_rng(seed)
    D = random_metric(rng, S)
    K = rng.dirichlet(np.ones(S), S)
    K[rng.random((S, S)) < sparsity] = 0.0
    K[np.arange(S), rng.integers(0, S, S)] += 0.1  # no empty row
    K /= K.sum(1, keepdims=True)
    L, (i, j) = kernel_lipschitz(K, D)
    brute = max(ot.emd2(K[a], K[b], D) / D[a, b] for a, b in itertools.combinations(range(S), 2))
    assert L == pytest.approx(brute, rel=1e-12, abs=1e-12)
    assert float(wasserstein(K[i], K[j], D)) / D[i, j] == pytest.approx(L, rel=1e-12)


def grid_metric(rows: int, cols: int) -> np.ndarray:
    xy = np.array([(r, c) for r in range(rows) for c in range(cols)], dtype=float)
    return np.abs(xy[:, None, :] - xy[None, :, :]).sum(-1)


@pytest.mark.parametrize("rows, cols, alpha, seed", [(5, 6, 1.0, 0), (4, 9, 0.3, 1), (6, 6, 3.0, 2), (3, 11, 1.0, 3)])
def test_dense_kernels_on_grid_metrics_equal_brute_force_over_every_pair(rows, cols, alpha, seed):
    """The tied case the tree bounds are for: dense rows, a Manhattan grid (many equal distances), and some rows
    repeated so that pairs tie exactly; against POT on the full problem for every pair."""
    D = grid_metric(rows, cols)
    S = D.shape[0]
    rng = np.random.default_rng(seed)
    K = rng.dirichlet(np.full(S, alpha), S)
    K[1::7] = K[0]  # exact ties
    L, (i, j) = kernel_lipschitz(K, D)
    brute = max(ot.emd2(K[a], K[b], D) / D[a, b] for a, b in itertools.combinations(range(S), 2))
    assert L == pytest.approx(brute, rel=1e-12)
    assert ot.emd2(K[i], K[j], D) / D[i, j] == pytest.approx(L, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(S=st.integers(3, 25), seed=st.integers(0, 10**6), metric=st.sampled_from(["random", "grid", "plane"]))
def test_tree_metrics_dominate_w1(S, seed, metric):
    """W1 under any spanning tree weighted by D is an upper bound (d_T >= D): against POT on random pairs."""
    rng = np.random.default_rng(seed)
    if metric == "random":
        D = random_metric(rng, S)
    elif metric == "grid":
        D = grid_metric(S // 3 + 1, 3)
        S = D.shape[0]
    else:
        pts = rng.uniform(0, 1, (S, 2))
        D = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    P = rng.dirichlet(np.ones(S), 6)
    Q = rng.dirichlet(np.full(S, 0.5), 6)
    for order, parent, weight in spanning_trees(D):
        assert sorted(order) == list(range(S)) and (parent < 0).sum() == 1
        Zp, Zq = subtree_masses(P, order, parent), subtree_masses(Q, order, parent)
        tree = (np.abs(Zp - Zq) * weight).sum(1)
        exact = np.array([ot.emd2(p, q, D) for p, q in zip(P, Q)])
        assert np.all(tree >= exact - 1e-12)


def test_the_difference_measure_gives_the_full_problem_s_value():
    """W1 on the supports of (p - q)+ and (p - q)- only, against POT on the full problem (dense rows)."""
    rng = np.random.default_rng(5)
    D = random_metric(rng, 30)
    P, Q = rng.dirichlet(np.ones(30), 50), rng.dirichlet(np.ones(30), 50)
    Q[0] = P[0]
    ours = wasserstein(P, Q, D, method="emd")
    full = np.array([ot.emd2(p, q, D) for p, q in zip(P, Q)])
    assert ours[0] == 0.0
    assert ours == pytest.approx(full, rel=1e-12, abs=1e-15)


def test_rows_off_the_simplex_name_the_state_action_pair():
    P = np.full((2, 2, 2), 0.5)
    P_hat = P.copy()
    P_hat[1, 0] = [0.7, 0.3 + 1e-9]
    with pytest.raises(InputError, match=r"state-action pair \(1, 0\)"):
        kernel_distance(P, P_hat, 1 - np.eye(2))
    P_hat[1, 0] = [0.7, 0.3 + 1e-13]  # within 1e-12 of the simplex: accepted
    assert kernel_distance(P, P_hat, 1 - np.eye(2)) == pytest.approx(0.2, abs=1e-12)


def test_taxi_size_constants_are_fast_and_small_in_memory():
    import time
    import tracemalloc

    from theory.mdp.analysis import closed_loop_constants
    from theory.mdp.toy_text import toy_text_mdp

    mdp = toy_text_mdp("taxi", gamma=0.9)
    tracemalloc.start()
    start = time.process_time()
    const = closed_loop_constants(mdp)
    seconds = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert mdp.S == 501 and seconds < 10 and peak < 2 * 2**30
    # independent: the attaining pair's W1 by plain POT on the full metric
    P_pi = np.einsum("sa,sat->st", mdp.pi, mdp.P)
    i, j = const.L_pair
    assert ot.emd2(P_pi[i], P_pi[j], mdp.D) / mdp.D[i, j] == pytest.approx(const.L, rel=1e-12)
