"""Figures of the tabular laboratory: the bound on learned models and the allocation check."""

from __future__ import annotations

import numpy as np

from theory.checks.allocation_check import AllocationCheck
from theory.checks.bound_sweep import BoundSweep
from theory.plots import STYLES, axis, new


def bound_sweep(sweep: BoundSweep):
    """Exact gap against the bound (log-log, diagonal) and the tightness distribution, by MDP family."""
    fig, axes = new(ncols=2)
    ax1, ax2 = axes[0]
    finite = np.isfinite(sweep.bound) & (sweep.gap > 0)
    for (kind, color), (ls, mk) in zip((("chain", "C0"), ("grid", "C1"), ("given", "C2")), STYLES):
        sel = finite & (sweep.kind == kind)
        if sel.any():
            ax1.loglog(sweep.bound[sel], sweep.gap[sel], mk, color=color, ms=3, alpha=0.6, label=f"random {kind}s: {sel.sum()} cases")
            ax2.hist(np.log10(sweep.ratio[sel]), bins=30, histtype="step", lw=1.8, ls=ls, density=True, color=color,
                     label=f"random {kind}s")
    lo, hi = sweep.gap[finite].min(), sweep.bound[finite].max()
    ax1.plot([lo, hi], [lo, hi], "k-", lw=1, label="gap = bound")
    infinite = int((~np.isfinite(sweep.bound)).sum())
    ax1.set(xlabel="bound $B$ (the smaller of the two models' closed-loop constants)", ylabel=r"exact gap $|J-\hat J|$",
            title=f"Learned tabular models: the gap never exceeds the bound\n({infinite} more cases with $B=\\infty$)")
    ax1.legend(fontsize=8)
    ax2.axvline(0, color="k", lw=1)
    s = sweep.summary()
    ax2.set(xlabel=r"$\log_{10}(\mathrm{gap}/B)$", ylabel="density",
            title=f"Tightness: median {s['median_ratio']:.2g}, max {s['max_ratio']:.2g}")
    ax2.legend(fontsize=8)
    return fig


def allocation_check(check: AllocationCheck, *, ax=None):
    """The true return error against the dynamics share, with the bound-optimal and empirically best splits."""
    fig, ax = axis(ax, width=6.0)
    x = np.array([o.share_dyn for o in check.curve])
    err = np.array([o.return_error for o in check.curve])
    se = np.array([o.return_error_se for o in check.curve])
    sub = np.array([o.suboptimality for o in check.curve])
    ax.plot(x, err, "k-o", ms=3, label=r"mean $|J-\hat J|$ (95% band)")
    ax.fill_between(x, err - 1.96 * se, err + 1.96 * se, color="k", alpha=0.15)
    ax.plot(x, sub, "-.", marker="s", ms=3, color="C4", alpha=0.8, label=r"mean suboptimality $J(\pi^*)-J(\hat\pi^*)$")
    ax.axvline(check.empirical_best.share_dyn, color="k", ls=":", label=f"empirically best ({check.empirical_best.share_dyn:.2f})")
    for (name, outcome), color, ls in zip(check.predicted.items(), ("C3", "C0"), ("--", (0, (5, 1, 1, 1)))):
        ax.axvline(outcome.share_dyn, color=color, ls=ls, label=f"bound-optimal, {name} coefficients ({outcome.share_dyn:.2f})")
    ax.set(xscale="log", xlabel=r"dynamics share of the budget $x$ (log)", ylabel="true error (return units)",
           title=f"Allocation on a learned 8-state chain (budget {check.budget:g}, prices {check.prices[0]:g}:{check.prices[1]:g})")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)  # below the frame: no curve hidden
    return fig


def hierarchy(data: dict):
    """Bound over exact gap for every level of the hierarchy (log scale), by family of systems: the median
    and the 10-90% range of the cases, one marker and line style per family."""
    from theory.mdp.hierarchy import LEVELS

    names = list(LEVELS[1:])
    fig, ax = axis(width=8.0, height=4.4)
    families = list(dict.fromkeys(data["families"]))
    gaps = data["gaps"]
    for k, (family, (ls, mk)) in enumerate(zip(families, STYLES)):
        sel = (np.array(data["families"]) == family) & (gaps > 0)
        ratios = [data["levels"][name][sel] / gaps[sel] for name in names]
        finite = [j for j, r in enumerate(ratios) if np.isfinite(r).all()]  # LQG: infinite levels are not drawn
        med = np.array([np.median(ratios[j]) for j in finite])
        lo = np.array([np.quantile(ratios[j], 0.1) for j in finite])
        hi = np.array([np.quantile(ratios[j], 0.9) for j in finite])
        x = np.array(finite) + (k - (len(families) - 1) / 2) * 0.18
        gaps_in_line = len(finite) < len(names)  # a line across an infinite level would mislead: markers only
        ax.errorbar(x, med, yerr=[med - lo, hi - med], fmt=mk, ls="none" if gaps_in_line else ls, ms=7, capsize=3,
                    color=f"C{k}",
                    label=f"{family} ({int(sel.sum())} cases): median, 10-90%"
                          + ("; the other levels are infinite" if gaps_in_line else ""))
    ax.set_yscale("log")
    ax.axhline(1, color="k", lw=1)
    ax.set_xticks(np.arange(len(names)), [n.replace(" ", "\n", 1) for n in names], fontsize=9)
    ax.set(ylabel=r"bound / exact gap $|J-\hat J|$ (log)",
           title="How loose is each bound? Exact gap = 1, and no case fell below it\n"
                 "(LQG: value-aware by Monte Carlo; the paper's bound on the box only)")
    ax.legend(fontsize=8, loc="upper left")
    return fig
