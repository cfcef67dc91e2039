"""What the paper reports, in one place (``docs/theory.md`` section 6), for comparison, never for tuning.

Figures from public write-ups of the paper "Training in imagination" (arXiv 2605.06732); each check
that compares with one of them imports it from here.
"""

from __future__ import annotations

from theory.maths.scaling import PowerLaw

#: Median gap/bound of the calibration (150 globally Lipschitz systems, 375 LQG systems).
CALIBRATION_MEDIAN = {"lipschitz": 0.0035, "lqg": 0.034}
#: Per-configuration overestimation (bound / gap) on the LQG systems: from 29x to 1968x.
LQG_OVERESTIMATION = (29.0, 1968.0)
#: Teacher-student error laws: dynamics 0.34 n^-0.11, reward 90 n^-0.96.
LAWS = {"dyn": PowerLaw(0.34, 0.11), "rew": PowerLaw(90.0, 0.96)}
#: E9b with realised sensitivities lands within this factor of the measured best ratio on LQG systems.
REALISED_WITHIN = 3.0
#: E16b's bound against the exact noise term on a random 3-state, 2-action, H = 4 example.
E16B_LOOSENESS = 130.0
