"""Hypothesis runs derandomized, so the suite gives the same verdict on every run.

``HYPOTHESIS_PROFILE=explore pytest`` searches ten times wider with fresh randomness, for hunting bugs.
"""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, deadline=None, database=None)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
