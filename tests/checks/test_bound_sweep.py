"""Sweeps of the bound E3 on learned tabular models."""


import numpy as np

from theory.checks.bound_sweep import verify_bound


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
