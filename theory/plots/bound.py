"""Figures for the return-error bound (E3, E4) and its calibration."""

from __future__ import annotations

import numpy as np

from theory.maths.bound import compounding_factor, return_bound
from theory.checks import paper
from theory.checks.calibration import Calibration
from theory.plots import new, save


def compounding_and_horizon(out_dir) -> list:
    """Left: the E4 factor against t for L below, at and above 1. Right: B against H for several L and gamma."""
    fig, axes = new(ncols=2)
    ax1, ax2 = axes[0]
    t = np.arange(0, 31)
    for Lc, style in ((0.8, ":"), (1.0, "-"), (1.1, "--"), (1.25, "-.")):
        ax1.plot(t, compounding_factor(Lc, t), style, label=f"$L={Lc}$")
    ax1.set(yscale="log", xlabel="rollout step $t$", ylabel=r"$\delta_t/\varepsilon_{dyn}=\sum_{i<t}L^i$",
            title="E4: compounding of the one-step error")
    ax1.legend()
    H = np.arange(1, 201)
    for g, color in ((0.9, "C0"), (0.99, "C3")):
        for Lc, style in ((0.8, ":"), (1.0, "-"), (1.1, "--")):
            b = return_bound(g, H, 0.01, 0.01, L=Lc, K_rpi=1.0).bound
            ax2.plot(H, b, style, color=color, label=rf"$\gamma={g}$, $L={Lc}$")
            if g * Lc < 1:
                inf_b = float(return_bound(g, "inf", 0.01, 0.01, L=Lc, K_rpi=1.0).bound)
                ax2.axhline(inf_b, color=color, lw=0.6, alpha=0.5)
    ax2.set(xscale="log", yscale="log", xlabel="horizon $H$",
            ylabel=r"bound $B$ ($\varepsilon_{dyn}=\varepsilon_{rew}=0.01$, $K_{r\pi}=1$)",
            title="E3: the bound against the horizon")
    ax2.legend(ncol=2, fontsize=8)
    return save(fig, out_dir, "bound_horizon")


def calibration(out_dir, cals: list[Calibration]) -> list:
    """Gap against bound (log-log, with the diagonal) and the gap/bound histogram, per family."""
    fig, axes = new(ncols=2)
    ax1, ax2 = axes[0]
    for cal, color in zip(cals, ("C0", "C1")):
        ok = cal.gaps > 0
        ax1.loglog(cal.bounds[ok], cal.gaps[ok], ".", color=color, alpha=0.6, label=f"{cal.family} ({ok.sum()} systems)")
        ax2.hist(np.log10(cal.ratios[ok]), bins=30, alpha=0.6, color=color,
                 label=f"{cal.family}: median {cal.median_ratio:.2g} (paper {paper.CALIBRATION_MEDIAN.get(cal.family, float('nan'))})")
    lo = min(c.bounds.min() for c in cals)
    hi = max(c.bounds.max() for c in cals)
    ax1.plot([lo, hi], [lo, hi], "k-", lw=1, label="gap = bound")
    ax1.set(xlabel="bound $B$ (smaller of true- and learned-model constants)", ylabel=r"exact gap $|J-\hat J|$",
            title="The bound is never exceeded")
    ax1.legend()
    ax2.axvline(0, color="k", lw=1)
    ax2.set(xlabel=r"$\log_{10}(\mathrm{gap}/B)$", ylabel="systems", title="Tightness")
    ax2.legend()
    return save(fig, out_dir, "bound_calibration")
