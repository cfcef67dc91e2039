"""E13, E14, E14b: curvature invariances and Lipschitz estimators."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from theory._validate import InputError
from theory.maths.straightening import (LowerEstimateWarning, closed_loop_linear, curvature, linear_lipschitz,
                                  sampled_lipschitz, straightening_bound)


@settings(max_examples=50, deadline=None)
@given(steps=st.lists(st.floats(0.01, 10), min_size=2, max_size=20), d=st.integers(2, 5), seed=st.integers(0, 1000))
def test_straight_lines_have_zero_curvature_with_any_step_sizes(steps, d, seed):
    direction = np.random.default_rng(seed).normal(size=d)
    z = np.concatenate([[0.0], np.cumsum(steps)])[:, None] * direction
    assert np.allclose(curvature(z).per_step, 0, atol=1e-12)


def test_right_angles_and_reversals():
    assert np.allclose(curvature([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]).per_step, 1)
    assert np.allclose(curvature([[0, 0], [1, 0], [0, 0], [2, 0]]).per_step, 2)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 100))
def test_curvature_invariant_to_rotation_translation_scaling(seed, scale):
    rng = np.random.default_rng(seed)
    z = np.cumsum(rng.normal(size=(12, 3)), axis=0)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    moved = scale * z @ Q.T + rng.normal(size=3)
    np.testing.assert_allclose(curvature(moved).per_step, curvature(z).per_step, atol=1e-9)


def test_zero_length_steps_are_dropped():
    pause = [[0, 0], [1, 0], [1, 0], [2, 0], [2, 1]]
    c = curvature(pause)
    assert c.per_step[0, 0] == pytest.approx(0) and c.per_step[0, 1] == pytest.approx(1)
    assert np.isnan(c.per_step[0, 2])  # one fewer kept turn, padded
    assert np.isnan(curvature([[0, 0], [0, 0], [0, 0]]).mean_curvature)


def test_batches():
    z = np.stack([[[0, 0], [1, 0], [2, 0]], [[0, 0], [1, 0], [1, 1]]]).astype(float)
    c = curvature(z)
    assert c.per_step.shape == (2, 1) and c.mean_curvature == pytest.approx(0.5)


def test_curvature_bad_input():
    with pytest.raises(InputError, match="at least 3 points"):
        curvature([[0, 0], [1, 1]])
    with pytest.raises(InputError, match="shape"):
        curvature(np.zeros((2, 2, 2, 2)))


def test_linear_constants_are_largest_singular_values():
    rng = np.random.default_rng(1)
    M = rng.normal(size=(4, 3))
    assert linear_lipschitz(M) == pytest.approx(np.sqrt(np.linalg.eigvalsh(M.T @ M).max()))
    A, B, K = rng.normal(size=(3, 3)), rng.normal(size=(3, 2)), rng.normal(size=(2, 3))
    cl = closed_loop_linear(A, B, K)
    assert cl.exact == pytest.approx(np.linalg.svd(A + B @ K, compute_uv=False)[0])
    assert cl.exact <= cl.triangle + 1e-12 <= cl.structured + 2e-12


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_sampled_estimate_never_exceeds_the_exact_constant(seed):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(3, 3))
    with pytest.warns(LowerEstimateWarning):
        est = sampled_lipschitz(lambda x: np.tanh(x) @ M.T, rng.uniform(-2, 2, (200, 3)), pairs=2000, rng=seed)
    # tanh is 1-Lipschitz, so ||M|| bounds the composite
    assert est.estimate <= linear_lipschitz(M) * (1 + 1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowerEstimateWarning)
        lin = sampled_lipschitz(lambda x: x @ M.T, rng.uniform(-1, 1, (200, 3)), pairs=2000, rng=seed)
    assert lin.estimate <= linear_lipschitz(M) * (1 + 1e-12)


def test_sampled_estimate_rejects_strings():
    with pytest.raises(InputError, match="callable"):
        sampled_lipschitz("lambda x: x", np.zeros((3, 2)))


@settings(max_examples=30, deadline=None)
@given(eps=st.floats(0.01, 0.9), seed=st.integers(0, 10_000))
def test_E14b_near_translations_are_straight(eps, seed):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(2, 2))
    W *= eps / np.linalg.norm(W, 2)
    c = rng.normal(size=2) * 2
    assume(np.linalg.norm(c) >= 0.5)
    z = [rng.normal(size=2)]
    for _ in range(30):
        z.append(z[-1] + c + np.sin(z[-1] @ W.T))  # velocity c + sin(Wz) is eps-Lipschitz
    k = curvature(np.array(z)).per_step
    assert np.nanmax(k) <= straightening_bound(eps) + 1e-12
