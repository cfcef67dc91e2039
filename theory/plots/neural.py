"""Figure of the neural split check: measured bound terms against the dynamics share, per budget."""

from __future__ import annotations

import numpy as np

from theory.plots import new, save


def split_check(out_dir, result: dict) -> list:
    fig, axes = new()
    ax = axes[0][0]
    rows = result["split_check"]
    for budget, color in zip(sorted({r["budget"] for r in rows}), ("C0", "C3", "C2", "C4")):
        sel = sorted((r for r in rows if r["budget"] == budget), key=lambda r: r["share_dyn"])
        x = np.array([r["share_dyn"] for r in sel])
        y = np.array([r["measured_bound"] for r in sel])
        ax.plot(x, y, "o-", color=color, label=f"budget {budget:g}")
        for r in sel:
            if r["bound_optimal"]:
                ax.plot(r["share_dyn"], r["measured_bound"], "*", color=color, ms=16, mec="k")
    ax.set(xlabel=r"dynamics share of the budget $x$",
           ylabel=r"measured $C_{dyn}\hat\varepsilon_{dyn}+C_{rew}\hat\varepsilon_{rew}$",
           title="Neural students: the bound-optimal split (stars) against others")
    ax.legend()
    return save(fig, out_dir, "neural_split_check")
