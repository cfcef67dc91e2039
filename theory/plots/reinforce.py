"""Figures for noisy-reward REINFORCE: E16 variance, the E18 tradeoff per family, learning at equal budget."""

from __future__ import annotations

import numpy as np

from theory.maths import noise_budget as NB
from theory.checks.equal_budget import LearningCurves
from theory.plots import new, save


def variance(out_dir, scaling: dict) -> list:
    """tr Cov of the batch-mean gradient against N, and of one rollout against sigma^2, with E16 through the points."""
    fig, axes = new(ncols=2)
    ax1, ax2 = axes[0]
    N = np.asarray(scaling["N"])
    ax1.loglog(N, scaling["trace_by_N"], "o", label="Monte Carlo")
    ax1.loglog(N, scaling["exact_by_N"], "-", label=r"E16: $(V_0+\sigma^2\Gamma G_2)/N$")
    ax1.set(xlabel="rollouts per estimate $N$", ylabel=r"$\mathrm{tr}\,\mathrm{Cov}\,\hat g_N$",
            title=f"E16 in N (slope {scaling['slope_N']:.3f}; $\\sigma={scaling['sigma_ref']}$)")
    ax1.legend()
    s2 = np.asarray(scaling["sigma2"])
    ax2.plot(s2, scaling["trace_by_sigma2"], "o", label="Monte Carlo")
    ax2.plot(s2, scaling["exact_by_sigma2"], "-", label=rf"E16: $V_0+\sigma^2\,\Gamma G_2$, slope {scaling['Gamma_G2']:.3g}")
    ax2.set(xlabel=r"reward-noise variance $\sigma^2$", ylabel=r"$\mathrm{tr}\,\mathrm{Cov}\,\hat g_1$",
            title=f"E16 in $\\sigma^2$ (fitted slope {scaling['slope_sigma2']:.3g})")
    ax2.legend()
    return save(fig, out_dir, "reinforce_variance")


def tradeoff(out_dir, V0: float, W: float, budget: float = 1000.0) -> list:
    """MSE against the noise level sigma bought, one curve per cost family, the optimum sigma* marked."""
    fig, axes = new(width=6.2)
    ax = axes[0][0]
    lo, hi = 0.1, 100.0
    problem = NB.BudgetProblem(V0, W, budget, lo, hi)
    families = [NB.power(2.0, 2.0), NB.power(2.0, 0.5), NB.bounded(5.0, hi), NB.floor(0.5, 2.0), NB.averaging(4.0, 0.5),
                NB.menu([(0.2, 20.0), (1.0, 3.0), (5.0, 0.5), (20.0, 0.05)])]
    names = ["power $p=2$", "power $p=1/2$", "bounded fidelity", "noise floor", "label averaging", "menu"]
    for fam, name, color in zip(families, names, [f"C{j}" for j in range(6)]):
        c = NB._candidates(fam, lo, hi, None)
        sig = np.sqrt(np.maximum(fam.sigma2(c), 1e-12))
        style = "o" if (fam.prices is not None) else "-"
        ax.plot(sig, problem.mse(c, fam), style, color=color, ms=4, label=name)
        opt = NB.solve(fam, problem)
        ax.plot(np.sqrt(max(opt.sigma2, 1e-12)), opt.mse, "*", color=color, ms=14, mec="k")
    ax.set(xscale="log", yscale="log", xlim=(1e-2, 30), xlabel=r"noise standard deviation $\sigma(c)$ bought per rollout",
           ylabel=r"gradient MSE $\frac{c}{B}(V_0+W\sigma^2)$",
           title=f"E18: the tradeoff per cost family\n(stars: optima; $V_0={V0:.3g}$, $W={W:.3g}$, prices in [{lo:g}, {hi:g}])")
    ax.legend(fontsize=8)
    return save(fig, out_dir, "reinforce_tradeoff")


def learning_curves(out_dir, curves: LearningCurves) -> list:
    fig, axes = new()
    ax = axes[0][0]
    steps = np.arange(curves.returns.shape[2])
    mean, band = curves.mean(), curves.band()
    for j, (label, color) in enumerate(zip(curves.labels, ("C1", "C3", "C0"))):
        ax.plot(steps, mean[j], color=color,
                label=f"{label}: {curves.rollouts_per_step[j]} rollouts/step, $\\sigma^2={curves.sigma2[j]:.3g}$")
        ax.fill_between(steps, mean[j] - band[j], mean[j] + band[j], color=color, alpha=0.2)
    ax.set(xlabel="gradient step", ylabel=r"exact return $J(\theta_t)$",
           title="E20: learning at equal budget (95% bands over seeds)")
    ax.legend(fontsize=8)
    return save(fig, out_dir, "reinforce_learning")
