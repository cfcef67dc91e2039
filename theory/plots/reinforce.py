"""Figures for noisy-reward REINFORCE: E16 variance, the E18 tradeoff per family, learning at equal budget (E20)."""

from __future__ import annotations

import numpy as np

from theory.checks.equal_budget import LearningCurves
from theory.maths import noise_budget as NB
from theory.plots import STYLES, axis, new


def variance(scaling: dict):
    """tr Cov of the batch-mean gradient against N, and of one rollout against sigma^2, with E16 through the points."""
    fig, axes = new(ncols=2)
    ax1, ax2 = axes[0]
    N = np.asarray(scaling["N"])
    ax1.loglog(N, scaling["trace_by_N"], "o", label="Monte Carlo")
    ax1.loglog(N, scaling["exact_by_N"], "--", label=r"E16: $(V_0+\sigma^2\Gamma G_2)/N$")
    ax1.set(xlabel="rollouts per estimate $N$", ylabel=r"$\mathrm{tr}\,\mathrm{Cov}\,\hat g_N$",
            title=f"E16 in $N$: slope {scaling['slope_N']:.3f} ($\\sigma={scaling['sigma_ref']}$, 3 states, $H=4$)")
    ax1.legend()
    s2 = np.asarray(scaling["sigma2"])
    ax2.plot(s2, scaling["trace_by_sigma2"], "s", label="Monte Carlo")
    ax2.plot(s2, scaling["exact_by_sigma2"], "--", label=rf"E16: $V_0+\sigma^2\,\Gamma G_2$, slope {scaling['Gamma_G2']:.3g}")
    ax2.set(xlabel=r"reward-noise variance $\sigma^2$", ylabel=r"$\mathrm{tr}\,\mathrm{Cov}\,\hat g_1$",
            title=f"E16 in $\\sigma^2$: fitted slope {scaling['slope_sigma2']:.3g}")
    ax2.legend()
    return fig


def tradeoff(V0: float, W: float, budget: float = 1000.0, *, ax=None):
    """Gradient MSE against the price of one rollout's labels, one curve per noise family, with both answers:
    the full objective's optimum (star) and the paper's noise-only price (open circle)."""
    fig, ax = axis(ax, width=6.4, height=4.4)
    lo, hi = 0.1, 100.0
    problem = NB.BudgetProblem(V0, W, budget, lo, hi)
    families = [NB.power(2.0, 2.0), NB.power(2.0, 0.5), NB.bounded(5.0, hi), NB.floor(0.5, 2.0), NB.averaging(4.0, 0.5),
                NB.menu([(0.2, 20.0), (1.0, 3.0), (5.0, 0.5), (20.0, 0.05)])]
    names = [r"power $2c^{-2}$", r"power $2c^{-1/2}$", r"bounded $5(1-c/100)$", r"floor $0.5+2/c$",
             r"averaging $m$ labels", "menu of 4 offers"]
    for fam, name, color, (ls, mk) in zip(families, names, [f"C{j}" for j in range(6)], STYLES):
        c = NB._candidates(fam, lo, hi, None)
        if fam.prices is not None or fam.step is not None:
            ax.plot(c, problem.mse(c, fam), mk, ls="none", color=color, ms=4, label=name)
        else:
            ax.plot(c, problem.mse(c, fam), ls=ls, color=color, label=name)
        opt = NB.solve(fam, problem)
        ax.plot(opt.price, opt.mse, "*", color=color, ms=15, mec="k")
        ax.plot(opt.noise_only_price, opt.noise_only_mse, "o", mfc="none", mec=color, ms=11, mew=1.5)
    ax.plot([], [], "*", color="grey", mec="k", ms=12, label="full objective's optimum")
    ax.plot([], [], "o", mfc="none", mec="grey", ms=10, label="paper's noise-only price")
    ax.set(xscale="log", yscale="log", xlabel=r"price $c$ of one rollout's reward labels",
           ylabel=r"gradient MSE $\frac{c}{\mathcal{B}}(V_0+W\sigma^2(c))$",
           title=f"E18-E19: cheap noisy or dear clean labels\n($V_0={V0:.3g}$, $W={W:.3g}$, budget $\\mathcal{{B}}={budget:g}$, $c_0=0$)")
    ax.legend(fontsize=7, ncol=2)
    return fig


def learning_curves(curves: LearningCurves, *, ax=None):
    """Regret J* - J(theta_t) on a log axis (where the three prices separate), with 95% bands over seeds."""
    fig, ax = axis(ax, width=6.0)
    steps = np.arange(curves.returns.shape[2])
    regret = np.maximum(curves.regret(), 1e-6)
    seeds = regret.shape[1]
    for j, (label, color, (ls, mk)) in enumerate(zip(curves.labels, ("C1", "C3", "C0"), STYLES)):
        mean = regret[j].mean(0)
        band = 1.96 * regret[j].std(0, ddof=1) / np.sqrt(seeds)
        ax.plot(steps, mean, ls=ls, marker=mk, markevery=max(len(steps) // 8, 1), ms=5, color=color,
                label=f"{label}: {curves.rollouts_per_step[j]} rollouts/step, $\\sigma^2={curves.sigma2[j]:.3g}$")
        ax.fill_between(steps, np.maximum(mean - band, 1e-6), mean + band, color=color, alpha=0.15)
    ax.set(yscale="log", xlabel="gradient step", ylabel=r"regret $J^*-J(\theta_t)$",
           title=f"E20: learning at equal budget per step\n({seeds} seeds, 95% bands; $J^*$: the best deterministic policy)")
    ax.legend(fontsize=8)
    return fig
