"""The laboratory: validation, converters, exact evaluation, W1, Lipschitz constants, learned models."""

import itertools
import math

import numpy as np
import pytest
from scipy.optimize import linprog

from theory._validate import InputError
from theory.mdp.analysis import bound_case, closed_loop_constants, model_errors, optimal_policy
from theory.mdp.finite import FiniteMDP, evaluate, from_sas_layout, from_toy_text, load_npz, save_npz
from theory.mdp.learned import allocate_samples, learn, learned_dynamics, random_chain, random_grid
from theory.mdp.transport import kernel_lipschitz, wasserstein
from theory.checks.bound_sweep import verify_bound


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


def test_toy_text_expected_rewards_and_absorbing_termination():
    # two states; action 0 from state 0 ends the episode with reward 1 half the time
    table = [[[(0.5, 1, 1.0, True), (0.5, 1, 0.0, False)]], [[(1.0, 0, 2.0, False)]]]
    m = from_toy_text(table, gamma=1.0, horizon=3)
    assert m.S == 3 and m.R[0, 0] == pytest.approx(0.5) and m.P[0, 0, 2] == pytest.approx(0.5)
    # independent: enumerate the episodes from state 0 over 3 steps
    # t0: r 0.5 expected; with prob 0.5 continue to state 1: r 2; then state 0: expected 0.5
    m0 = from_toy_text(table, gamma=1.0, horizon=3, mu=np.array([1.0, 0]))
    assert evaluate(m0) == pytest.approx(0.5 + 0.5 * 2 + 0.5 * 0.5)


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


def test_sample_allocation_rule():
    rng = np.random.default_rng(4)
    c = allocate_samples(25, 4, 3, rng)
    assert c.sum() == 25 and c.max() - c.min() <= 1
    P_hat = learned_dynamics(random_chain(rng, S=4), 5, rng)  # 5 samples, 12 pairs: 7 unvisited
    assert np.allclose(P_hat.sum(-1), 1)
    unvisited = [(s, a) for s in range(4) for a in range(3) if P_hat[s, a, s] == 1.0]
    assert len(unvisited) >= 7


def test_learned_model_converges():
    rng = np.random.default_rng(5)
    m = random_chain(rng)
    errs = [model_errors(m, *(lambda mdl: (mdl.P, mdl.R))(learn(m, n, n, 0.5, rng))) for n in (100, 10000, 1000000)]
    assert errs[0][0] > errs[1][0] > errs[2][0] and errs[2][0] < 0.01 and errs[2][1] < 0.01


def test_closed_loop_constants_never_exceed_structured():
    rng = np.random.default_rng(6)
    m = random_chain(rng)
    c = closed_loop_constants(m.P, m.R, m.pi, m.D)
    S = m.S
    K_f = max(kernel_lipschitz(m.P[:, a, :], m.D)[0] for a in range(m.A))  # Lipschitz in s per action
    K_r = max(np.max(np.abs(m.R[i, a] - m.R[j, a]) / m.D[i, j]) for a in range(m.A) for i in range(S) for j in range(S) if i != j)
    assert c.L <= K_f + 1e-12 and c.K_rpi <= K_r + 1e-12


def test_bound_holds_with_zero_violations_on_a_sweep():
    sweep = verify_bound(n_mdps=12, seed=3)
    s = sweep.summary()
    assert s["violations"] == 0 and s["cases"] == 60 and s["max_ratio"] <= 1


def test_sweep_is_independent_of_the_executor():
    from concurrent.futures import ThreadPoolExecutor
    a = verify_bound(n_mdps=4, seed=9)
    with ThreadPoolExecutor(2) as ex:
        b = verify_bound(n_mdps=4, seed=9, executor=ex)
    np.testing.assert_array_equal(a.gap, b.gap)


def test_bound_case_on_exact_model_is_zero():
    m = random_grid(np.random.default_rng(7))
    c = bound_case(m, m.P, m.R)
    assert c.gap == pytest.approx(0, abs=1e-12) and c.bound == pytest.approx(0, abs=1e-12)


def test_optimal_policy_beats_every_deterministic_policy():
    m = random_chain(np.random.default_rng(8), S=4)
    best = evaluate(m, pi=optimal_policy(m.P, m.R, m.gamma))
    for acts in itertools.product(range(m.A), repeat=m.S):
        assert evaluate(m, pi=np.eye(m.A)[list(acts)]) <= best + 1e-10


def test_E5_suboptimality_of_the_policy_best_in_imagination():
    rng = np.random.default_rng(10)
    for _ in range(8):
        m = random_chain(rng, S=6, gamma=0.8)
        model = learn(m, 60, 60, 0.5, rng)
        pi_star = optimal_policy(m.P, m.R, m.gamma)
        pi_hat = optimal_policy(model.P, model.R, m.gamma)
        gap = evaluate(m, pi=pi_star) - evaluate(m, pi=pi_hat)
        bound = bound_case(m.with_policy(pi_star), model.P, model.R).bound + bound_case(m.with_policy(pi_hat), model.P, model.R).bound
        assert -1e-12 <= gap <= bound + 1e-12


def test_frozen_lake_from_the_toy_text_table():
    from theory.mdp.rollouts import rollouts
    from theory.mdp.toy_text import MAP_4X4, frozen_lake_table, grid_metric

    table = frozen_lake_table()
    start = np.zeros(16)
    start[0] = 1.0
    m = from_toy_text(table, D=grid_metric(MAP_4X4), gamma=0.99, horizon=30, mu=start)
    assert m.S == 17 and np.allclose(m.P.sum(-1), 1)
    # a rollout ends in the hole or at the goal: rewards only on entering the goal
    J = evaluate(m)
    ro = rollouts(m.P, m.R, m.pi, m.mu, 30, 100_000, np.random.default_rng(0))
    G = ro.rewards @ 0.99 ** np.arange(30)
    assert abs(G.mean() - J) < 3.29 * G.std(ddof=1) / np.sqrt(G.size)
    # and the bound on learned models of it
    sweep = verify_bound(m, n_mdps=6, per_pair=((2, 2), (20, 20)), seed=1)
    assert sweep.summary()["violations"] == 0


def test_toy_text_mdps_start_where_the_environment_starts():
    from theory.mdp.toy_text import toy_text_mdp

    lake = toy_text_mdp("frozenlake4x4", gamma=0.99)
    assert lake.mu[0] == 1.0 and lake.mu.sum() == 1.0 and lake.mu[-1] == 0.0  # never the absorbing state
    # independent: value iteration of the slippery lake from its start cell under the uniform policy
    v = np.zeros(17)
    for _ in range(5000):
        v = lake.R.mean(1) + 0.99 * np.einsum("sat,t->s", lake.P, v) / 4
    assert evaluate(lake) == pytest.approx(v[0], rel=1e-9)
    assert evaluate(lake) == pytest.approx(0.0124, abs=5e-5)  # the audit's number for the real start state
    taxi = toy_text_mdp("taxi")
    assert taxi.S == 501 and taxi.A == 6 and np.count_nonzero(taxi.mu) == 300
    cliff = toy_text_mdp("cliffwalking", gamma=0.9)
    assert cliff.mu[36] == 1.0 and cliff.R[36, 1] == pytest.approx(-100.0)  # right from the start: the cliff
