"""Figure of the neural split check: measured bound against the dynamics share, per budget."""

from __future__ import annotations

import numpy as np

from theory.plots import STYLES, axis


def split_check(result, *, ax=None):
    """The measured bound against the dynamics share per budget, the bound-optimal split starred, from a
    :class:`~theory.checks.neural_scaling.ScalingExperiment`."""
    fig, ax = axis(ax, width=6.0)
    rows = result.split_check
    for budget, color, (ls, mk) in zip(sorted({r["budget"] for r in rows}), ("C0", "C3", "C2", "C4"), STYLES):
        sel = sorted((r for r in rows if r["budget"] == budget), key=lambda r: r["share_dyn"])
        x = np.array([r["share_dyn"] for r in sel])
        y = np.array([r["measured_bound"] for r in sel])
        ax.plot(x, y, ls=ls, marker=mk, color=color, label=f"budget {budget:g}")
        for r in sel:
            if r["bound_optimal"]:
                ax.plot(r["share_dyn"], r["measured_bound"], "*", color=color, ms=16, mec="k")
    ax.set(xlabel=r"dynamics share of the budget $x$",
           ylabel=r"measured $C_{dyn}\hat\varepsilon_{dyn}+C_{rew}\hat\varepsilon_{rew}$",
           title=(f"Neural students at the bound-optimal split (stars) and others\n"
                  f"($C_{{dyn}}={result.c_dyn:.3g}$, $C_{{rew}}={result.c_rew:.3g}$, prices {result.prices[0]:g}:{result.prices[1]:g})"))
    ax.legend()
    return fig
