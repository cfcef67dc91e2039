"""Toy-text tables: conversion, absorbing terminations, real start states."""


import numpy as np
import pytest

from theory.mdp.finite import evaluate, from_toy_text
from theory.checks.bound_sweep import verify_bound


def test_toy_text_expected_rewards_and_absorbing_termination():
    # two states; action 0 from state 0 ends the episode with reward 1 half the time
    table = [[[(0.5, 1, 1.0, True), (0.5, 1, 0.0, False)]], [[(1.0, 0, 2.0, False)]]]
    m = from_toy_text(table, gamma=1.0, horizon=3)
    assert m.S == 3 and m.R[0, 0] == pytest.approx(0.5) and m.P[0, 0, 2] == pytest.approx(0.5)
    # independent: enumerate the episodes from state 0 over 3 steps
    # t0: r 0.5 expected; with prob 0.5 continue to state 1: r 2; then state 0: expected 0.5
    m0 = from_toy_text(table, gamma=1.0, horizon=3, mu=np.array([1.0, 0]))
    assert evaluate(m0) == pytest.approx(0.5 + 0.5 * 2 + 0.5 * 0.5)


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
