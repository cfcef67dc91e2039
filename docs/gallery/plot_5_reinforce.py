"""
REINFORCE with noisy rewards (E16, E18, E20)
============================================

The figures of the ``reinforce`` stage: the variance of the estimate against rollouts and noise, the budget
tradeoff between cheap noisy and dear clean labels, and learning at an equal budget.
"""

import matplotlib.pyplot as plt

from theory.report import stages
from theory.plots import reinforce as pr

d = stages.reinforce("quick").data

# %%
# .. _fig-reinforce-variance:
#
# Variance against rollouts and noise
# -----------------------------------
#
# The variance of the REINFORCE estimate falls like 1/K in the number of rollouts and grows linearly
# in the noise variance, exactly as E16 says.

pr.variance(d["scaling"])
plt.show()

# %%
# .. _fig-reinforce-tradeoff:
#
# Cheap noisy or dear clean labels
# --------------------------------
#
# Whether to buy cheap noisy or dear clean labels depends on the noise family, and the paper's
# noise-only reduction can pick a corner the full objective does not.

pr.tradeoff(d["cov_trace"], d["noise_weight"])
plt.show()

# %%
# .. _fig-reinforce-learning:
#
# Learning at an equal budget
# ---------------------------
#
# At an equal budget per step, learning is fastest at the price the E18 solver picks.

pr.learning_curves(d["curves"])
plt.show()
