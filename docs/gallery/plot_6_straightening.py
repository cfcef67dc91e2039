"""
Lipschitz constants and straightening (E6, E14)
===============================================

The figures of the ``straightening`` stage: which constant to lower first, and curvature beside multi-step
error on learned linear models.
"""

import matplotlib.pyplot as plt

from theory.report import stages
from theory.plots import straightening as ps

d = stages.straightening("quick").data

# %%
# .. _fig-lipschitz-elasticities:
#
# Elasticities of the bound
# -------------------------
#
# Near gamma L = 1 the dynamics constant K_f is the one to lower: its elasticity grows without limit,
# while K_r's stays below 1.

ps.elasticities()
plt.show()

# %%
# .. _fig-straightening:
#
# Curvature and multi-step error
# ------------------------------
#
# Straighter latent trajectories come with smaller multi-step errors; clipping a model's spectral norm
# below the system's own makes it worse, not better.

ps.curvature_and_error(d["straightening"])
plt.show()
