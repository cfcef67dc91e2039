"""Reward-noise models (E15-E17)."""


import pytest

from theory._validate import InputError
from theory.mdp.finite import small_mdp
from theory.mdp.noise import Noise


@pytest.fixture(scope="module")
def mdp():
    return small_mdp(3, S=3, A=2, horizon=4, gamma=0.8)


def test_noise_validation():
    with pytest.raises(InputError, match="noise kind"):
        Noise("loud")
    with pytest.raises(InputError, match="sigma_sa"):
        Noise("heteroscedastic")
