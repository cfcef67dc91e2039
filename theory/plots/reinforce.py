"""Figures for noisy-reward REINFORCE: E16 variance, the E18 tradeoff per family, learning at equal budget (E20)."""

from __future__ import annotations

import numpy as np

from theory.checks.equal_budget import LearningCurves
from theory.maths import noise_budget as NB
from theory.plots import STYLES, axis, new


def variance(scaling: dict):
    """tr Cov of the batch-mean gradient against the number of rollouts K, and of one rollout against sigma^2, with E16
    through the points."""
    fig, axes = new(ncols=2)
    ax1, ax2 = axes[0]
    N = np.asarray(scaling.batch_sizes)
    ax1.loglog(N, scaling.trace_by_N, "o", label="Monte Carlo")
    ax1.loglog(N, scaling.exact_by_N, "--", label=r"E16: $(V_0+\sigma^2\Gamma G_2)/K$")
    ax1.set(xlabel="rollouts per estimate $K$", ylabel=r"$\mathrm{tr}\,\mathrm{Cov}\,\hat g_K$",
            title=f"E16 in $K$: slope {scaling.slope_N:.3f} ($\\sigma={scaling.sigma_ref}$, 3 states, $H=4$)")
    ax1.legend()
    s2 = np.asarray(scaling.sigma2)
    ax2.plot(s2, scaling.trace_by_sigma2, "s", label="Monte Carlo")
    ax2.plot(s2, scaling.exact_by_sigma2, "--", label=rf"E16: $V_0+\sigma^2\,\Gamma G_2$, slope {scaling.Gamma_G2:.3g}")
    ax2.set(xlabel=r"reward-noise variance $\sigma^2$", ylabel=r"$\mathrm{tr}\,\mathrm{Cov}\,\hat g_1$",
            title=f"E16 in $\\sigma^2$: fitted slope {scaling.slope_sigma2:.3g}")
    ax2.legend()
    return fig


def tradeoff(V0: float, W: float, budget: float = 1000.0):
    """Gradient MSE against the price of one rollout's labels, one panel per noise family (small multiples read in
    greyscale), with both answers in each: the full objective's optimum (star) and the paper's noise-only price
    (open circle), and the same log axes in every panel."""
    lo, hi = 0.1, 100.0
    problem = NB.BudgetProblem(V0, W, budget, lo, hi)
    families = [NB.power(2.0, 2.0), NB.power(2.0, 0.5), NB.bounded(5.0, hi), NB.floor(0.5, 2.0), NB.averaging(4.0, 0.5),
                NB.menu([(0.2, 20.0), (1.0, 3.0), (5.0, 0.5), (20.0, 0.05)])]
    names = [r"power $\sigma^2=2c^{-2}$", r"power $\sigma^2=2c^{-1/2}$", r"bounded $\sigma^2=5(1-c/100)$",
             r"floor $\sigma^2=0.5+2/c$", r"averaging $m$ labels at 0.5", "a menu of 4 offers"]
    fig, axes = new(ncols=3, nrows=2, width=3.6, height=3.0)
    for ax, fam, name in zip(axes.ravel(), families, names):
        c = NB._candidates(fam, lo, hi, None)
        discrete = fam.prices is not None or fam.step is not None
        ax.plot(c, problem.mse(c, fam), "k.", ms=4) if discrete else ax.plot(c, problem.mse(c, fam), "k-", lw=1.6)
        opt = NB.solve(fam, problem)
        ax.plot(opt.price, opt.mse, "*", color="0.35", mec="k", ms=15, label="full objective's optimum")
        ax.plot(opt.noise_only_price, opt.noise_only_mse, "o", mfc="none", mec="k", ms=11, mew=1.5,
                label="paper's noise-only price")
        ax.set(xscale="log", yscale="log", xlim=(0.07, 140), ylim=(5e-4, 0.5), title=name)
        ax.title.set_fontsize(10)
    for ax in axes[1]:
        ax.set_xlabel(r"price $c$ of a rollout's labels")
    for ax in axes[:, 0]:
        ax.set_ylabel(r"gradient MSE")
    axes[0, 0].legend(fontsize=8, loc="upper left")
    fig.suptitle(r"E18-E19: cheap noisy or dear clean labels (MSE $=\frac{c}{\mathcal{B}}(V_0+W\sigma^2(c))$, "
                 rf"$V_0={V0:.3g}$, $W={W:.3g}$, $\mathcal{{B}}={budget:g}$)", fontsize=11)
    return fig


def learning_curves(curves: LearningCurves):
    """Left: regret J* - J(theta_t) on a log axis, with 95% bands over seeds. Right: each price's regret minus
    the solver's, with a 95% band (independent seeds), where bands that overlap on the left separate."""
    fig, axes = new(ncols=2, width=5.0, height=3.9)
    ax, ax2 = axes[0]
    steps = np.arange(curves.returns.shape[2])
    regret = np.maximum(curves.regret(), 1e-6)
    seeds = regret.shape[1]
    means = regret.mean(1)
    ses = regret.std(1, ddof=1) / np.sqrt(seeds)
    solver = next((j for j, lab in enumerate(curves.labels) if "solver" in lab), 1)
    for j, (label, color, (ls, mk)) in enumerate(zip(curves.labels, ("C1", "C3", "C0"), STYLES)):
        every = max(len(steps) // 8, 1)
        ax.plot(steps, means[j], ls=ls, marker=mk, markevery=every, ms=5, color=color,
                label=f"{label}: {curves.rollouts_per_step[j]} rollouts/step, $\\sigma^2={curves.sigma2[j]:.3g}$")
        ax.fill_between(steps, np.maximum(means[j] - 1.96 * ses[j], 1e-6), means[j] + 1.96 * ses[j], color=color, alpha=0.15)
        diff = means[j] - means[solver]
        band = 1.96 * np.sqrt(ses[j] ** 2 + ses[solver] ** 2) if j != solver else np.zeros_like(diff)
        ax2.plot(steps, diff, ls=ls, marker=mk, markevery=every, ms=5, color=color, label=label)
        if j != solver:
            ax2.fill_between(steps, diff - band, diff + band, color=color, alpha=0.15)
    ax.set(yscale="log", xlabel="gradient step", ylabel=r"regret $J^*-J(\theta_t)$",
           title=f"E20: learning at equal budget per step\n({seeds} seeds, 95% bands)")
    ax.legend(fontsize=7)
    ax2.axhline(0, color="k", lw=1)
    ax2.set(xlabel="gradient step", ylabel="regret minus the solver's price's regret",
            title="The difference to the solver's price\n(95% bands; above 0: worse)")
    ax2.legend(fontsize=7)
    return fig
