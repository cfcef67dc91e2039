"""Figures for the budget split (E8-E11) and the power-law fits (E12)."""

from __future__ import annotations

import numpy as np

from theory.maths import allocation as A
from theory.maths.scaling import PowerLaw, PowerLawFit
from theory.plots import STYLES, axis, new


def bound_vs_share(budget, prices: A.Prices, dyn: PowerLaw, rew: PowerLaw, c_dyn, c_rew):
    """B along the budget line against the dynamics share x, the optimum of E9 marked: the whole line on a log axis
    (both terms, the dynamics term drawn with markers so it shows where it runs under the bound), and a linear
    zoom around the optimum, where a log axis makes the minimum look flat."""
    fig, axes = new(ncols=2, width=4.8, height=3.9)
    ax, zoom = axes[0]
    x = np.linspace(prices.kappa_d / budget, 1 - prices.kappa_r / budget, 2000)
    nd, nr = x * budget / prices.kappa_d, (1 - x) * budget / prices.kappa_r
    B = A.bound_at(nd, nr, dyn, rew, c_dyn, c_rew)
    s = A.optimal_split(budget, prices, dyn, rew, c_dyn, c_rew)
    xs, bs = float(s.share_dyn), float(s.bound)
    ax.plot(x, B, "k-", lw=2.5, label="bound $B$", zorder=1)
    ax.plot(x, c_dyn * dyn(nd), ":", color="C0", marker="o", markevery=200, ms=4, lw=1.8,
            label=r"dynamics term $C_{dyn}\varepsilon_{dyn}(n_d)$", zorder=2)
    ax.plot(x, c_rew * rew(nr), "--", color="C1", marker="s", markevery=200, ms=4, label=r"reward term $C_{rew}\varepsilon_{rew}(n_r)$")
    ax.plot([xs], [bs], "*", color="C3", mec="k", ms=13, label=f"optimum $x^*={xs:.3f}$", zorder=3)
    ax.set(yscale="log", xlabel=r"dynamics share of the budget $x=\kappa_d n_d/N$", ylabel="bound $B$",
           title=(f"E9: the bound along the budget line\n$N=10^{{{np.log10(budget):.0f}}}$, $\\kappa_r/\\kappa_d={prices.kappa_r / prices.kappa_d:g}$, "
                  f"laws ${dyn.a:g}n^{{-{dyn.alpha:g}}}$, ${rew.a:g}n^{{-{rew.alpha:g}}}$"))
    ax.legend(fontsize=7)
    width = 0.5 * min(xs, 1 - xs) if 0 < xs < 1 else 0.05
    near = (x > xs - width) & (x < xs + width)
    zoom.plot(x[near], B[near], "k-", lw=2)
    zoom.plot([xs], [bs], "*", color="C3", mec="k", ms=13)
    zoom.axvline(xs, color="0.5", ls=":", lw=1)
    zoom.set(xlabel=r"dynamics share $x$ near $x^*$", ylabel="bound $B$ (linear axis)",
             title=f"The minimum, on a linear axis\n($B(x^*)={bs:.4g}$)")
    return fig


def share_vs_budget(prices: A.Prices, c_dyn, c_rew, *, ax=None):
    """The optimal dynamics share against N for alpha_d < alpha_r, equal, and greater (E10, E11)."""
    fig, ax = axis(ax)
    N = np.logspace(np.log10(prices.kappa_d + prices.kappa_r) + 0.5, 10, 400)
    for ((xd, xr), (ls, mk)) in zip(((0.2, 0.8), (0.5, 0.5), (0.8, 0.2)), STYLES):
        s = A.optimal_split(N, prices, PowerLaw(1.0, xd), PowerLaw(1.0, xr), c_dyn, c_rew)
        ax.plot(N, s.share_dyn, ls=ls, marker=mk, markevery=80, ms=5, label=rf"$\alpha_d={xd}$, $\alpha_r={xr}$")
    ax.set(xscale="log", ylim=(0, 1), xlabel="budget $N$", ylabel="optimal dynamics share $x^*$",
           title=f"E11: the slower-improving model takes the budget\n($a_d=a_r=1$, $C_{{dyn}}={c_dyn:.3g}$, $C_{{rew}}={c_rew:.3g}$)")
    ax.legend()
    return fig


def share_vs_price_ratio(c_dyn: float, c_rew: float, budget: float = 1e6, *, ax=None):
    """The optimal dynamics share x* against the price ratio kappa_r/kappa_d, for a few exponent pairs (E10, E11):
    the first question a student asks of the split."""
    fig, ax = axis(ax)
    ratio = np.logspace(-2, 3, 300)
    pairs = ((0.11, 0.96), (0.5, 0.5), (0.3, 0.6), (0.96, 0.11))
    for (xd, xr), (ls, mk) in zip(pairs, STYLES):
        s = A.optimal_split(budget, A.Prices(1.0, ratio), PowerLaw(1.0, xd), PowerLaw(1.0, xr), c_dyn, c_rew)
        ax.plot(ratio, s.share_dyn, ls=ls, marker=mk, markevery=50, ms=5, label=rf"$\alpha_d={xd}$, $\alpha_r={xr}$")
    ax.set(xscale="log", ylim=(0, 1), xlabel=r"price ratio $\kappa_r/\kappa_d$ (reward label / dynamics sample)",
           ylabel=r"optimal dynamics share $x^*$",
           title=(f"Where the money goes as labels get dearer\n($N=10^{{{np.log10(budget):.0f}}}$, $a_d=a_r=1$, "
                  f"$C_{{dyn}}={c_dyn:.3g}$, $C_{{rew}}={c_rew:.3g}$)"))
    ax.legend(fontsize=8)
    return fig


def fitted_laws(fits: dict[str, PowerLawFit], *, title: str, truth: dict | None = None, truth_label: str = "planted law",
                ax=None):
    """Measured errors, fitted laws and bootstrap bands (2.5-97.5% of replicate curves) on log-log axes;
    ``truth`` laws (planted, or the paper's) are drawn dotted beside the fits."""
    fig, ax = axis(ax)
    for (label, fit), color, (ls, mk) in zip(fits.items(), ("C0", "C1", "C2", "C3"), STYLES):
        grid = np.logspace(np.log10(fit.n.min()), np.log10(fit.n.max()), 200)
        ax.loglog(fit.n, fit.error, mk, color=color, ms=4, alpha=0.7)
        ax.loglog(grid, fit.law(grid), ls=ls, color=color,
                  label=rf"{label}: ${fit.law.a:.3g}\,n^{{-{fit.law.alpha:.3f}}}$" + (f" + {fit.law.e:.2g}" if fit.floor else ""))
        if fit.boot.size:
            curves = fit.boot[:, 2:3] + fit.boot[:, 0:1] * grid[None, :] ** (-fit.boot[:, 1:2])
            lo, hi = np.percentile(curves, [2.5, 97.5], axis=0)
            ax.fill_between(grid, lo, hi, color=color, alpha=0.2)
        if truth and label in truth:  # dotted, with the family's own marker: told apart without colour
            law = truth[label]
            ax.loglog(grid, law(grid), ":", color=color, lw=1.6, marker=mk, markevery=40, ms=5, mfc="white",
                      label=rf"{truth_label} ({label}): ${law.a:g}\,n^{{-{law.alpha:g}}}$")
    ax.set(xlabel="samples $n$", ylabel=r"error $\varepsilon(n)$", title=title)
    ax.legend(fontsize=8)
    return fig
