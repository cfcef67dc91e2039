"""The report of the main job (``imagination reproduce``): each stage with its checks, its verdicts and its figures.

:mod:`theory.report.stages` holds the stages: each :class:`~theory.report.stages.Stage` runs experiments of
:mod:`theory.checks` at a size, turns their numbers into report lines whose verdicts can fail
(:mod:`theory.report.verdicts`), sets them beside the paper's numbers (:mod:`theory.report.paper`) and draws
its own figures (:mod:`theory.plots`). :mod:`theory.report.reproduce` runs the stages, writes the figures and
derivations and summarises the lines. The experiments themselves stay in :mod:`theory.checks`; the sweep
runtime they share is :mod:`theory.sweep`.
"""
