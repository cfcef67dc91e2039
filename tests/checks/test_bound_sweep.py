"""Sweeps of the bound E3 on learned tabular models."""

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
