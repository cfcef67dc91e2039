"""Figures of the tabular laboratory: the bound on learned models and the allocation check."""

from __future__ import annotations

import numpy as np

from theory.checks.allocation_check import AllocationCheck
from theory.checks.bound_sweep import BoundSweep
from theory.plots import new, save
from theory.plots.allocation import fitted_laws


def bound_sweep(out_dir, sweep: BoundSweep) -> list:
    """Exact gap against the bound (log-log, diagonal) and the tightness histogram, by MDP family."""
    fig, axes = new(ncols=2)
    ax1, ax2 = axes[0]
    finite = np.isfinite(sweep.bound) & (sweep.gap > 0)
    for kind, color in (("chain", "C0"), ("grid", "C1"), ("given", "C2")):
        sel = finite & (sweep.kind == kind)
        if sel.any():
            ax1.loglog(sweep.bound[sel], sweep.gap[sel], ".", color=color, alpha=0.6, label=f"{kind} ({sel.sum()} cases)")
            ax2.hist(np.log10(sweep.ratio[sel]), bins=30, color=color, alpha=0.6, label=kind)
    lo, hi = sweep.gap[finite].min(), sweep.bound[finite].max()
    ax1.plot([lo, hi], [lo, hi], "k-", lw=1, label="gap = bound")
    ax1.set(xlabel="bound $B$ (smaller of true and learned closed-loop constants)", ylabel=r"exact gap $|J-\hat J|$",
            title="Learned tabular models: gap never exceeds the bound")
    ax1.legend()
    ax2.axvline(0, color="k", lw=1)
    s = sweep.summary()
    ax2.set(xlabel=r"$\log_{10}(\mathrm{gap}/B)$", ylabel="cases",
            title=f"Tightness: median {s['median_ratio']:.2g}, max {s['max_ratio']:.2g}")
    ax2.legend()
    return save(fig, out_dir, "lab_bound_sweep")


def allocation_check(out_dir, check: AllocationCheck) -> list:
    """Measured error laws with fits, and the true return error against the dynamics share with the splits marked."""
    fits = {r"$\varepsilon_{dyn}$": check.fits["eps_dyn"], r"$\varepsilon_{rew}$": check.fits["eps_rew"]}
    paths = fitted_laws(out_dir, fits, name="lab_measured_laws")
    fig, axes = new()
    ax = axes[0][0]
    x = np.array([o.share_dyn for o in check.curve])
    err = np.array([o.return_error for o in check.curve])
    se = np.array([o.return_error_se for o in check.curve])
    sub = np.array([o.suboptimality for o in check.curve])
    ax.plot(x, err, "k-o", ms=3, label=r"mean $|J-\hat J|$")
    ax.fill_between(x, err - 1.96 * se, err + 1.96 * se, color="k", alpha=0.15)
    ax.plot(x, sub, "-", color="C4", alpha=0.7, label=r"mean suboptimality $J(\pi^*)-J(\hat\pi^*)$")
    ax.axvline(check.empirical_best.share_dyn, color="k", ls=":", label=f"empirically best ({check.empirical_best.share_dyn:.2f})")
    for (name, outcome), color in zip(check.predicted.items(), ("C3", "C0")):
        ax.axvline(outcome.share_dyn, color=color, ls="--", label=f"bound-optimal, {name} coefficients ({outcome.share_dyn:.2f})")
    ax.set(xlabel=r"dynamics share of the budget $x$", ylabel="true error (return units)",
           title=f"Allocation on a learned chain (budget {check.budget:g})")
    ax.legend(fontsize=8)
    return paths + save(fig, out_dir, "lab_allocation")
