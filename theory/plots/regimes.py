"""Figure of the regime map: measured exponents with intervals beside the predicted ones and the paper's."""

from __future__ import annotations

import numpy as np

from theory.plots import new


def regime_map(result, paper_laws: dict, *, measures=("mse", "mean")):
    """One panel per measure: each regime's fitted exponent with its interval (circles), the parametric and
    nonparametric predictions (triangles, squares) and the paper's exponents (horizontal lines), from a
    :class:`~theory.checks.regime_map.RegimeMap`; ``paper_laws`` maps ``"dyn"``, ``"rew"`` to power laws."""
    names = list(dict.fromkeys(f.regime.name for f in result.fits))
    fig, axes = new(ncols=len(measures), width=5.6, height=2.2 + 0.45 * len(names))
    y = np.arange(len(names))[::-1]
    for ax, measure in zip(axes[0], measures):
        labelled: set[str] = set()

        def once(label: str) -> str | None:  # each marker's label in the legend once per panel
            if label in labelled:
                return None
            labelled.add(label)
            return label

        fits = {f.regime.name: f for f in result.fits if f.measure == measure}
        right = max([1.1] + [1.05 * f.fit.ci["alpha"][1] for f in fits.values() if f.fit is not None])
        for yi, name in zip(y, names):
            f = fits[name]
            if f.fit is not None:
                lo, hi = f.fit.ci["alpha"]
                ax.errorbar(f.fit.law.alpha, yi, xerr=[[f.fit.law.alpha - lo], [hi - f.fit.law.alpha]], fmt="o",
                            color="k", ms=7, capsize=3, label=once("measured (95% interval)"))
            for key, marker, label in (("parametric", "^", "parametric prediction"),
                                       ("nonparametric", "s", "nonparametric (minimax) rate")):
                value = f.predicted_exponents[key]
                if value is not None:
                    ax.plot(value, yi, marker, mfc="none", mec="C0" if key == "parametric" else "C3", ms=9, mew=1.6,
                            label=once(label))
        for kind, ls, text in (("rew", "--", "paper's reward"), ("dyn", ":", "paper's dynamics")):
            # the paper does not state its measure: its exponents drawn as they are on both panels
            ax.axvline(paper_laws[kind].alpha, color="0.4", ls=ls, lw=1.4, label=f"{text} exponent")
        ax.set_yticks(y, names if ax is axes[0][0] else [""] * len(names))
        ax.set(xlabel=rf"exponent $\alpha$ on the {'MSE' if measure == 'mse' else 'mean error'}",
               title=f"{'MSE' if measure == 'mse' else 'mean absolute error'}", xlim=(0, right))
        ax.set_ylim(y[-1] - 0.6, y[0] + 0.6)
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=9, frameon=False)
    fig.suptitle("Regime map of the teacher-student reward experiment: measured against predicted exponents")
    return fig
