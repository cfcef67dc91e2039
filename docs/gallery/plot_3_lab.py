"""
The tabular laboratory (E3, E12)
================================

The figures of the ``lab`` stage: learned tabular models against the exact gap, the errors' laws measured on a
learned chain, and the split they imply against the empirically best one.
"""

import matplotlib.pyplot as plt

from theory.report import stages
from theory.plots import allocation as pa
from theory.plots import lab as pl

d = stages.lab("quick").data

# %%
# .. _fig-lab-bound-sweep:
#
# The bound against the exact gap
# -------------------------------
#
# On learned tabular models the exact gap never exceeded the bound; the bound is typically a hundred
# times the gap.

pl.bound_sweep(d["sweep"])
plt.show()

# %%
# .. _fig-lab-measured-laws:
#
# Measured error laws
# -------------------
#
# Tabular model errors fall like n^-1/2, as the central limit theorem says.

pa.fitted_laws({r"$\varepsilon_{dyn}$": d["allocation_check"].fits["dyn"],
                r"$\varepsilon_{rew}$": d["allocation_check"].fits["rew"]},
               title="E12 on a learned 8-state chain:\nclosed-loop errors against samples")
plt.show()

# %%
# .. _fig-lab-allocation:
#
# Predicted against empirically best split
# ----------------------------------------
#
# On a learned chain the split predicted with realised sensitivities lands next to the empirically
# best one; the global Lipschitz coefficients overshoot.

pl.allocation_check(d["allocation_check"])
plt.show()
