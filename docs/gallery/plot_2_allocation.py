"""
The split of a budget (E7 to E12)
=================================

The figures of the ``allocation`` stage: the bound along the budget line, the optimal share as the budget and
the price ratio move, and fits of planted power laws with bootstrap bands.
"""

import matplotlib.pyplot as plt

from theory.report import stages
from theory.plots import allocation as pa

d = stages.allocation("quick").data

# %%
# .. _fig-allocation-bound-vs-share:
#
# The bound along the budget line
# -------------------------------
#
# Along the budget line the bound has one minimum, flat on a log axis and clear on a linear one; the
# slowly falling dynamics term dominates it.

pa.bound_vs_share(1e6, d["prices"], d["dyn"], d["rew"], d["c_dyn"], d["c_rew"])
plt.show()

# %%
# .. _fig-allocation-share-vs-budget:
#
# The optimal share as the budget grows
# -------------------------------------
#
# As the budget grows, the model whose error falls more slowly takes almost all of it (E11); with
# equal exponents the split does not move (E10).

pa.share_vs_budget(d["prices"], d["c_dyn"], d["c_rew"])
plt.show()

# %%
# .. _fig-allocation-share-vs-price-ratio:
#
# The optimal share against the price ratio
# -----------------------------------------
#
# Dearer reward labels move the optimal split towards dynamics data, and the faster a model's error
# falls, the less of the budget it needs.

pa.share_vs_price_ratio(d["c_dyn"], d["c_rew"])
plt.show()

# %%
# .. _fig-scaling-fits:
#
# Fits of planted laws
# --------------------
#
# Fits of planted laws recover them, with bootstrap bands that cover the truth.

pa.fitted_laws(d["fits"], truth=d["planted"], title="E12 on synthetic data: fits of planted laws\n(95% bootstrap bands)")
plt.show()
