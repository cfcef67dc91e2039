"""The hierarchy on LQG systems (``docs/theory.md`` section 7, E3): the simulation identity by second moments
against the Riccati-Lyapunov gap, and the Monte Carlo value-aware level against the gap at a stated confidence."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from theory import InputError
from theory.mdp.continuous import learn_lqg, random_lqg_systems
from theory.mdp.lqg_levels import lqg_levels


@pytest.mark.parametrize("H,gamma", [(1, 0.9), (10, 0.95), (50, 0.99)])
def test_identity_and_value_aware_level(H, gamma):
    rng = np.random.default_rng(H)
    true = random_lqg_systems(rng, 12)
    model = learn_lqg(rng, true, 40, 40)
    lv = lqg_levels(true, model, gamma, H, rollouts=4096, rng=1)
    np.testing.assert_allclose(lv.identity, lv.gap, rtol=1e-10)  # exact: two independent recursions
    z = NormalDist().inv_cdf(1 - 0.001 / (2 * 12))  # 99.9% family-wise over the 12 systems
    assert np.all(lv.gap <= lv.value_aware + z * lv.value_aware_se)


def test_a_perfect_model_has_no_gap_and_no_level():
    rng = np.random.default_rng(0)
    true = random_lqg_systems(rng, 3)
    lv = lqg_levels(true, true, 0.9, 5, rollouts=256)
    assert np.all(lv.gap == 0) and np.all(lv.value_aware == 0)


def test_infinite_horizon_is_refused():
    rng = np.random.default_rng(0)
    true = random_lqg_systems(rng, 2)
    with pytest.raises(InputError, match="finite"):
        lqg_levels(true, true, 0.9, "inf")
