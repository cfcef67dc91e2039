"""
The regime map
==============

The figure of the ``regimes`` stage: for each regime of the teacher-student reward experiment (label noise,
the student's width against the teacher's, the teacher's intrinsic dimension, the training budget), the
fitted exponent with its 95% interval beside the exponents theory predicts and the paper's. At the
``quick`` size two regimes (a teacher reading 16 inputs and one reading 2) train briefly on a small grid;
``imagination reproduce --full`` runs eleven.
"""

import matplotlib.pyplot as plt

from theory.report import paper, stages
from theory.plots import regimes as pr

d = stages.regimes("quick").data

# %%
# .. _fig-regime-map:
#
# Measured and predicted exponents
# --------------------------------
#
# The paper's fast reward exponent appears when a noise-free target reads few inputs; label noise, a
# high-dimensional teacher and short training give slow laws.
#
# Each regime's measured exponent (circles, with intervals) beside the parametric rate (triangles), the
# nonparametric minimax rate (squares) and the paper's exponents (vertical lines).

pr.regime_map(d["regimes"], paper.LAWS)
plt.show()
