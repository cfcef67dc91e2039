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
    m, j = sp.Symbol("m", integer=True, positive=True), sp.Symbol("j", integer=True)
    x, y = sp.IndexedBase("x"), sp.IndexedBase("y")
    b0, b1 = sp.symbols("b0 b1", real=True)
    rss = sp.Sum((y[j] - b0 - b1 * x[j]) ** 2, (j, 1, m))
    Sx, Sy, Sxx, Sxy = (sp.Sum(e, (j, 1, m)) for e in (x[j], y[j], x[j] ** 2, x[j] * y[j]))
    d.identity("E12: the normal equations, for any number of points", sp.expand(sp.diff(rss, b0).doit()),
               sp.expand((-2 * (Sy - m * b0 - b1 * Sx)).doit()),
               shown=r"$$\frac{\partial}{\partial b_0}\sum_{j=1}^m(y_j-b_0-b_1x_j)^2=-2\big(S_y-mb_0-b_1S_x\big)$$",
               note=r"with $x_j=\log n_j$, $y_j=\log\varepsilon_j$, $S_x=\sum x_j$, $S_{xy}=\sum x_jy_j$ and so on; symbolic $m$.")
    d.identity("... the second normal equation", sp.expand(sp.diff(rss, b1).doit()),
               sp.expand((-2 * (Sxy - b0 * Sx - b1 * Sxx)).doit()),
               shown=r"$$\frac{\partial}{\partial b_1}\sum_{j=1}^m(y_j-b_0-b_1x_j)^2=-2\big(S_{xy}-b_0S_x-b_1S_{xx}\big)$$",
               note='the same linearity, with the weights $x_j$.')
    sx, sy, sxx, sxy, mm = sp.symbols("S_x S_y S_xx S_xy m", positive=True)
    sol = sp.solve([sy - mm * b0 - b1 * sx, sxy - b0 * sx - b1 * sxx], [b0, b1], dict=True)[0]
    d.identity("E12: their solution", sol[b1], (mm * sxy - sx * sy) / (mm * sxx - sx**2),
               shown=r"$$\hat b_1=\frac{mS_{xy}-S_xS_y}{mS_{xx}-S_x^2},\qquad\hat b_0=\frac{S_y-\hat b_1S_x}{m}$$",
               note=r"so $\hat\alpha=-\hat b_1$ and $\hat a=e^{\hat b_0}$ (the denominator is $m$ times the spread of the $x_j$, "
                    "positive when two sample sizes differ).")
    d.identity("... and the intercept", sol[b0], (sy - sol[b1] * sx) / mm, shown=r"$$\hat b_0=\frac{S_y-\hat b_1S_x}{m}$$",
               note='the first normal equation solved for $b_0$.')
    d.inequality("E12: the 95% bootstrap-t interval covers the planted exponent",
                 r"$$\Pr\{\alpha\in[\hat\alpha_{lo},\hat\alpha_{hi}]\}\ge0.95-3\sqrt{0.95\cdot0.05/\text{runs}}$$",
                 _coverage_spot_check, on="100 synthetic fits of 12 points with 5% noise",
                 note="slack = coverage less the floor.")
    return d
