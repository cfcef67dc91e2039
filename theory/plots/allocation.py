"""Figures for the budget split (E8-E11) and the power-law fits (E12)."""

from __future__ import annotations

import numpy as np

from theory.maths import allocation as A
from theory.maths.scaling import PowerLaw, PowerLawFit
from theory.plots import new, save


def bound_vs_share(out_dir, budget, prices: A.Prices, dyn: PowerLaw, rew: PowerLaw, c_dyn, c_rew) -> list:
    """B along the budget line against the dynamics share x, the optimum of E9 marked."""
    fig, axes = new()
    ax = axes[0][0]
    x = np.linspace(prices.kappa_d / budget, 1 - prices.kappa_r / budget, 2000)
    nd, nr = x * budget / prices.kappa_d, (1 - x) * budget / prices.kappa_r
    ax.plot(x, c_dyn * dyn(nd), ":", label=r"dynamics term $C_{dyn}\varepsilon_{dyn}(n_d)$")
    ax.plot(x, c_rew * rew(nr), "--", label=r"reward term $C_{rew}\varepsilon_{rew}(n_r)$")
    ax.plot(x, A.bound_at(nd, nr, dyn, rew, c_dyn, c_rew), "k-", label="bound $B$")
    s = A.optimal_split(budget, prices, dyn, rew, c_dyn, c_rew)
    ax.plot([s.share_dyn], [s.bound], "o", color="C3", ms=8, label=f"optimum $x^*={float(s.share_dyn):.3f}$")
    ax.set(yscale="log", xlabel=r"dynamics share of the budget $x=\kappa_d n_d/N$", ylabel="bound $B$",
           title=f"E9: the bound along the budget line ($N={budget:g}$)")
    ax.legend()
    return save(fig, out_dir, "allocation_bound_vs_share")


def share_vs_budget(out_dir, prices: A.Prices, c_dyn, c_rew) -> list:
    """The optimal dynamics share against N for alpha_d < alpha_r, equal, and greater (E10, E11)."""
    fig, axes = new()
    ax = axes[0][0]
    N = np.logspace(np.log10(prices.kappa_d + prices.kappa_r) + 0.5, 10, 400)
    for (xd, xr), style in (((0.2, 0.8), "-"), ((0.5, 0.5), "--"), ((0.8, 0.2), ":")):
        s = A.optimal_split(N, prices, PowerLaw(1.0, xd), PowerLaw(1.0, xr), c_dyn, c_rew)
        ax.plot(N, s.share_dyn, style, label=rf"$\alpha_d={xd}$, $\alpha_r={xr}$")
    ax.set(xscale="log", ylim=(0, 1), xlabel="budget $N$", ylabel="optimal dynamics share $x^*$",
           title="E11: the slower-improving model takes the budget")
    ax.legend()
    return save(fig, out_dir, "allocation_share_vs_budget")


def fitted_laws(out_dir, fits: dict[str, PowerLawFit], name: str = "scaling_fits", truth: dict | None = None) -> list:
    """Measured errors, fitted laws and bootstrap bands (2.5-97.5% of replicate curves) on log-log axes."""
    fig, axes = new()
    ax = axes[0][0]
    for (label, fit), color in zip(fits.items(), ("C0", "C1", "C2", "C3")):
        grid = np.logspace(np.log10(fit.n.min()), np.log10(fit.n.max()), 200)
        ax.loglog(fit.n, fit.error, "o", color=color, ms=4, alpha=0.7)
        ax.loglog(grid, fit.law(grid), "-", color=color,
                  label=rf"{label}: ${fit.law.a:.3g}\,n^{{-{fit.law.alpha:.3f}}}$" + (f" + {fit.law.e:.2g}" if fit.floor else ""))
        if fit.boot.size:
            curves = fit.boot[:, 2:3] + fit.boot[:, 0:1] * grid[None, :] ** (-fit.boot[:, 1:2])
            lo, hi = np.percentile(curves, [2.5, 97.5], axis=0)
            ax.fill_between(grid, lo, hi, color=color, alpha=0.2)
        if truth and label in truth:
            ax.loglog(grid, truth[label](grid), "k:", lw=1)
    ax.set(xlabel="samples $n$", ylabel=r"error $\varepsilon(n)$", title="E12: fitted power laws, 95% bootstrap bands")
    ax.legend()
    return save(fig, out_dir, name)
