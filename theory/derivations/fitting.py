r"""Derivation of E12: the least-squares fit of a power law in log space, and its bootstrap check."""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.derivations import Derivation

LABELS = ("E7", "E12")


def _coverage_spot_check() -> tuple[int, float]:
    """Coverage of the 95% bootstrap-t interval of alpha, minus (0.95 - 3 binomial standard errors)."""
    from theory.checks.fits import ols_coverage

    runs = 100
    return runs, ols_coverage(runs) - (0.95 - 3 * np.sqrt(0.95 * 0.05 / runs))


def derive_fitting(strict: bool = True) -> Derivation:
    d = Derivation("Fitting the error laws (docs/theory.md E7, E12)", strict=strict)
    n, a, alpha = sp.symbols("n a alpha", positive=True)
    d.identity("E7 in log space: a power law is a line", sp.expand_log(sp.log(a * n**-alpha), force=True),
               sp.log(a) - alpha * sp.log(n), note=r"so without a floor, $\log\varepsilon=\log a-\alpha\log n$ is fitted by least squares.", lhs_tex=r"\log\left(a\,n^{-\alpha}\right)")
    k = 4
    x = sp.symbols(f"x1:{k + 1}", real=True)
    y = sp.symbols(f"y1:{k + 1}", real=True)
    b0, b1 = sp.symbols("b0 b1", real=True)
    rss = sum((yj - b0 - b1 * xj) ** 2 for xj, yj in zip(x, y))
    sol = sp.solve([sp.diff(rss, b0), sp.diff(rss, b1)], [b0, b1], dict=True)[0]
    xm, ym = sum(x) / k, sum(y) / k
    slope = sum((xj - xm) * (yj - ym) for xj, yj in zip(x, y)) / sum((xj - xm) ** 2 for xj in x)
    d.identity("E12: the normal equations give the slope S_xy / S_xx (four points)", sol[b1], slope,
               note=r"with $x=\log n$, $y=\log\varepsilon$: $\hat\alpha=-S_{xy}/S_{xx}$ and $\log\hat a=\bar y+\hat\alpha\bar x$.", lhs_tex=r"\hat b_1")
    d.identity("E12: and the intercept ybar - slope xbar", sol[b0], ym - slope * xm, lhs_tex=r"\hat b_0")
    d.inequality("E12: the 95% bootstrap-t interval covers the planted exponent",
                 r"$$\Pr\{\alpha\in[\hat\alpha_{lo},\hat\alpha_{hi}]\}\ge0.95-3\sqrt{0.95\cdot0.05/\text{runs}}$$",
                 _coverage_spot_check, on="100 synthetic fits of 12 points with 5% noise",
                 note="slack = coverage less the floor.")
    return d
