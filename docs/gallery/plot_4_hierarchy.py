"""
How loose is the bound? (E3 and tighter bounds)
===============================================

The figure of the ``hierarchy`` stage: the exact gap beside the bounds that take the expectation under the
visited states, the worst state, and the global constants.
"""

import matplotlib.pyplot as plt

from theory.report import stages
from theory.plots import lab as pl

d = stages.hierarchy("quick").data

# %%
# .. _fig-bound-hierarchy:
#
# A hierarchy of bounds
# ---------------------
#
# Taking the expectation under the states the policy visits removes most of the bound's looseness; the
# worst state and the global constants cost one to two orders of magnitude.

pl.hierarchy(d["hierarchy"])
plt.show()
