"""
The return-error bound (E3, E4)
===============================

The figures of the ``bound`` stage of ``imagination reproduce``. The calibration runs at the ``quick`` size here
(``imagination reproduce`` runs the ``default`` size).
"""

import matplotlib.pyplot as plt

from theory.report import paper, stages
from theory.plots import bound as pb

result = stages.bound("quick")  # the calibration families: exact gaps beside the bound

# %%
# .. _fig-bound-horizon:
#
# The bound against the horizon
# -----------------------------
#
# A finite horizon keeps the bound finite even when gamma L >= 1; past gamma L = 1 it grows
# geometrically with H, below it it levels off.

pb.compounding_and_horizon()
plt.show()

# %%
# .. _fig-bound-calibration:
#
# The bound on calibration families
# ---------------------------------
#
# The bound was never exceeded on the calibration families; it is loose by one to three orders of
# magnitude, least where process noise drives the gap.

pb.calibration(result.data["calibrations"], paper.CALIBRATION_MEDIAN)
plt.show()
