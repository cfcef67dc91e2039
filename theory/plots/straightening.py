"""Figures for the Lipschitz desideratum (E6) and the straightening experiment (E4, E13, E14)."""

from __future__ import annotations

import numpy as np

from theory.maths.sensitivity import sensitivity
from theory.plots import STYLES, axis, new


def elasticities(gamma: float = 0.9, K_r: float = 1.0, K_pi: float = 0.2, eps_dyn: float = 0.01, eps_rew: float = 0.01,
                 *, ax=None):
    """Elasticities of the bound against gamma L (H = inf), varying K_f."""
    fig, ax = axis(ax)
    gl = np.linspace(0.05, 0.97, 60)
    K_f = gl / (gamma * (1 + K_pi))
    el = {k: [] for k in ("lip_dyn", "lip_rew", "lip_pi", "gamma")}
    for kf in K_f:
        s = sensitivity(gamma, "inf", eps_dyn, eps_rew, K_f=kf, K_r=K_r, K_pi=K_pi)
        for k in el:
            el[k].append(s.elasticity[k])
    labels = {"lip_dyn": r"$K_f$ (dynamics)", "lip_rew": r"$K_r$ (reward)", "lip_pi": r"$K_\pi$ (policy)", "gamma": r"$\gamma$"}
    for (k, vals), (ls, mk) in zip(el.items(), STYLES):
        ax.plot(gl, vals, ls=ls, marker=mk, markevery=10, ms=5, label=labels[k])
    ax.set(yscale="log", xlabel=r"$\gamma L$", ylabel=r"elasticity $\partial\log B/\partial\log\theta$",
           title=(f"E6: what to lower first\n($\\gamma={gamma}$, $K_r={K_r}$, $K_\\pi={K_pi}$, "
                  f"$\\varepsilon_{{dyn}}={eps_dyn}$,\n$\\varepsilon_{{rew}}={eps_rew}$, $H=\\infty$)"))
    ax.legend()
    return fig


def curvature_and_error(result: dict):
    """Left: bound and true multi-step error against mean curvature, per encoder. Right: the spectral-norm lever."""
    fig, axes = new(ncols=2)
    ax1, ax2 = axes[0]
    enc = result["encoders"]
    k = np.array([e["mean_curvature"] for e in enc])
    for values, marker, label in ((np.array([e["bound"] for e in enc]), "s", f"bound (E4, $T={result['T']}$)"),
                                  (np.array([e["true_error"] for e in enc]), "o", "true multi-step error")):
        ax1.plot(k + 1e-5, values, marker, ms=7, mfc="none" if marker == "s" else None, label=label)
    for e in enc:
        ax1.annotate(e["encoder"], (e["mean_curvature"] + 1e-5, e["true_error"]), textcoords="offset points",
                     xytext=(6, 4), fontsize=9)
    lo = min(min(e["true_error"] for e in enc), min(e["bound"] for e in enc))
    hi = max(max(e["true_error"] for e in enc), max(e["bound"] for e in enc))
    ax1.set_ylim(lo / 2, hi * 2)  # room for the labels and the markers at both ends
    ax1.set(xscale="log", yscale="log", xlabel=r"mean curvature $\bar\kappa$ (+$10^{-5}$)",
            ylabel="prediction error (latent units)", title=f"Curvature, bound and true error ({result['n']} samples)")
    ax1.legend()
    lev = result["lever"]
    L = np.array([r["lipschitz"] for r in lev])
    order = np.argsort(L)
    ax2.plot(L[order], np.array([r["bound"] for r in lev])[order], "s-", label="bound")
    ax2.plot(L[order], np.array([r["true_error"] for r in lev])[order], "o--", label="true multi-step error")
    ax2.plot(L[order], np.array([r["eps_dyn"] for r in lev])[order], "^:", label=r"one-step error $\varepsilon_{dyn}$")
    ax2.set(yscale="log", xlabel=r"learned model's $L=\|M\|_2$ after clipping", ylabel="error (latent units)",
            title="Clipping the model's norm (spiral encoder):\n"
                  r"$\varepsilon_{dyn}$ rises faster than $L$ falls")
    ax2.legend(loc="lower left", fontsize=8)
    return fig
