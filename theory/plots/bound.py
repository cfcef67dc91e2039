"""Figures for the return-error bound (E3, E4) and its calibration."""

from __future__ import annotations

import numpy as np

from theory.checks.calibration import Calibration
from theory.maths.bound import compounding_factor, return_bound
from theory.plots import STYLES, new

FAMILY_NAMES = {"lipschitz": "globally Lipschitz (tanh)", "lq": "linear-quadratic, clipped", "lqg": "LQG, process noise"}


def compounding_and_horizon(eps: float = 0.01, K_rpi: float = 1.0):
    """Left: the E4 factor against t for L below, at and above 1. Right: B against H, with the H = inf limits."""
    fig, axes = new(ncols=2)
    ax1, ax2 = axes[0]
    t = np.arange(1, 31)
    for (Lc, (ls, mk)) in zip((0.8, 1.0, 1.1, 1.25), STYLES):
        ax1.plot(t, compounding_factor(Lc, t), ls=ls, marker=mk, markevery=5, ms=5, label=f"$L={Lc}$")
    ax1.set(yscale="log", xlabel="rollout step $t$", ylabel=r"$\delta_t/\varepsilon_{dyn}=\sum_{i<t}L^i$",
            title="E4: compounding of the one-step error")
    ax1.legend()
    H = np.arange(1, 201)
    k = 0
    for g, color in ((0.9, "C0"), (0.99, "C3")):
        for Lc in (0.8, 1.0, 1.1):
            ls, mk = STYLES[k % len(STYLES)]
            k += 1
            b = return_bound(g, H, eps, eps, L=Lc, K_rpi=K_rpi).bound
            ax2.plot(H, b, ls=ls, marker=mk, markevery=[60, 150], ms=5, color=color, label=rf"$\gamma={g}$, $L={Lc}$")
            if g * Lc < 1:
                limit = float(return_bound(g, "inf", eps, eps, L=Lc, K_rpi=K_rpi).bound)
                ax2.axhline(limit, color=color, lw=0.8, ls=ls, alpha=0.6)
                left = color == "C0"  # blue limits labelled on the left, red on the right: no overlaps
                ax2.annotate(rf"$H=\infty$: {limit:.3g}", (1.05 if left else 200, limit), xytext=(2 if left else -2, 2),
                             textcoords="offset points", ha="left" if left else "right", fontsize=8, color=color)
    ax2.set(xscale="log", yscale="log", xlabel="horizon $H$",
            ylabel="bound $B$", title=rf"E3: the bound against $H$ ($\varepsilon={eps}$, $K_{{r\pi}}={K_rpi}$)")
    ax2.legend(ncol=2, fontsize=8)
    return fig


def calibration(cals: list[Calibration], reference: dict[str, float] | None = None):
    """Gap against bound (log-log, with the diagonal) and the distribution of log10(gap/bound), per family;
    systems with an infinite bound are counted in the legend, not dropped silently. ``reference`` (the paper's
    median gap/bound by family) is drawn as thin lines."""
    reference = reference or {}
    fig, axes = new(ncols=2, width=5.6)
    ax1, ax2 = axes[0]
    for cal, (ls, mk), color in zip(cals, STYLES, ("C0", "C1", "C2")):
        ok = cal.gaps > 0
        name = FAMILY_NAMES.get(cal.family, cal.family)
        ax1.loglog(cal.bounds[ok], cal.gaps[ok], mk, color=color, ms=3, alpha=0.5,
                   label=f"{name}: {ok.sum()} systems" + (f", {cal.infinite_bounds} with $B=\\infty$" if cal.infinite_bounds else ""))
        logs = np.log10(cal.ratios[ok])
        ax2.hist(logs, bins=np.linspace(-7, 0, 36), density=True, histtype="step", lw=1.8, ls=ls, color=color,
                 label=f"{name}: median {cal.median_ratio:.2g}")
        if cal.family in reference:
            ax2.axvline(np.log10(reference[cal.family]), color=color, ls=ls, lw=0.8)
    bounds = np.concatenate([c.bounds[c.gaps > 0] for c in cals])
    gaps = np.concatenate([c.gaps[c.gaps > 0] for c in cals])
    xlo, xhi = np.quantile(bounds, [0.0, 0.98])
    ylo, yhi = gaps.min() / 2, max(gaps.max(), xhi) * 2
    ax1.plot([ylo, yhi], [ylo, yhi], "k-", lw=1, label="gap = bound")
    ax1.set(xlim=(min(xlo, gaps.min()) / 2, xhi * 2), ylim=(ylo, yhi),
            xlabel="bound $B$ (the smaller of the two models' constants; top 2% of bounds off the axis)",
            ylabel=r"exact gap $|J-\hat J|$", title="Random systems: the gap never exceeds the bound")
    ax1.legend(fontsize=8)
    ax2.axvline(0, color="k", lw=1)
    ax2.set(xlim=(-7, 0.3), xlabel=r"$\log_{10}(\mathrm{gap}/B)$" + (" (thin lines: the paper's medians)" if reference else ""), ylabel="density",
            title="How loose: gap/bound per family")
    ax2.legend(fontsize=8)
    return fig
