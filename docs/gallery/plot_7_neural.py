"""
Neural scaling laws
===================

The figures of the ``neural`` stage: error laws of NumPy teacher-student networks beside the paper's, and the
bound-optimal split against the best measured one. At the ``quick`` size the students are small and briefly
trained; ``imagination reproduce --full`` trains them to convergence.
"""

import matplotlib.pyplot as plt

from theory.report import paper, stages
from theory.plots import allocation as pa
from theory.plots import neural as pn

d = stages.neural("quick").data

# %%
# .. _fig-neural-scaling-laws:
#
# Dynamics and reward error laws
# ------------------------------
#
# In our teacher-student networks both errors fall slowly; the paper's fast reward law is not
# reproduced.

pa.fitted_laws({"dynamics": d["neural"].fits["dyn"], "reward": d["neural"].fits["rew"]},
               truth={"dynamics": paper.LAWS["dyn"], "reward": paper.LAWS["rew"]}, truth_label="paper",
               title="Neural teacher-student errors (mean L2)\nbeside the paper's laws (dotted)")
plt.show()

# %%
# .. _fig-neural-split-check:
#
# The predicted split against the measured one
# --------------------------------------------
#
# The bound-optimal split of a budget sits near the best measured split of neural students.

pn.split_check(d["neural"])
plt.show()
