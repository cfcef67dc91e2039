"""Hypothesis runs derandomized, so the suite gives the same verdict on every run.

``HYPOTHESIS_PROFILE=explore pytest`` searches ten times wider with fresh randomness, for hunting bugs.
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, deadline=None, database=None)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="module")
def mdp():
    """The small random MDP of the REINFORCE tests: 3 states, 2 actions, H = 4, gamma = 0.8."""
    from theory.mdp.finite import small_mdp

    return small_mdp(3, S=3, A=2, horizon=4, gamma=0.8)
