"""The vectorised optimal split (E11) against SciPy's vectorised root finders, measured in one run.

The strongest baseline is ``scipy.optimize.newton`` on arrays with the analytic slope and the same start
(end to end: ours includes input checks and the whole result; newton's only the root). Also
``scipy.optimize.elementwise.find_root`` (Chandrupatla's bracketing method). Interleaved, medians of the
per-round ratios with their min-max, at 1e5 and 1e7 budgets. A scalar ``brentq`` per budget is shown for
scale. The last lines check that 1e7 budgets cost no more per budget than 1e5 (chunks of 131,072), and the
solver's peak memory."""

from __future__ import annotations

import statistics
import time
import tracemalloc

import numpy as np
from scipy.optimize import brentq, newton
from scipy.optimize.elementwise import find_root

from theory.maths.allocation import Prices, optimal_split
from theory.maths.scaling import PowerLaw

PRICES, DYN, REW, CD, CR = Prices(1.0, 10.0), PowerLaw(0.34, 0.11), PowerLaw(90.0, 0.96), 10.0, 5.0


def g(u, logN):
    """E9 as log LHS - log RHS in the logit u of the dynamics share (increasing in u... decreasing: a root)."""
    logx, log1mx = -np.logaddexp(0.0, -u), -np.logaddexp(0.0, u)
    return (np.log(DYN.alpha * CD * DYN.a / PRICES.kappa_d) - (DYN.alpha + 1) * (logx + logN - np.log(PRICES.kappa_d))
            - np.log(REW.alpha * CR * REW.a / PRICES.kappa_r) + (REW.alpha + 1) * (log1mx + logN - np.log(PRICES.kappa_r)))


def scipy_split(budgets):
    res = find_root(g, (-50.0, 50.0), args=(np.log(budgets),), tolerances={"xatol": 1e-13, "xrtol": 1e-15})
    return 1 / (1 + np.exp(-res.x))


def dg(u, logN):
    x = 1 / (1 + np.exp(-u))
    return -(DYN.alpha + 1) * (1 - x) - (REW.alpha + 1) * x


def newton_split(budgets):
    logN = np.log(budgets)
    c = g(np.zeros_like(logN), logN) - (REW.alpha + 1) * np.log(0.5) + (DYN.alpha + 1) * np.log(0.5)  # g's constant
    u0 = np.clip(np.where(c < 0, c / (DYN.alpha + 1), c / (REW.alpha + 1)), -700, 700)  # the same start as ours
    u = newton(g, u0, fprime=dg, args=(logN,), tol=1e-12, maxiter=200)
    return 1 / (1 + np.exp(-u))


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(n: int = 100_000, rounds: int = 5) -> None:
    budgets = np.logspace(3, 9, n)
    ours, theirs = [], []
    for _ in range(rounds):
        t, a = timed(lambda: optimal_split(budgets, PRICES, DYN, REW, CD, CR).share_dyn)
        ours.append(t)
        t, b = timed(lambda: scipy_split(budgets))
        theirs.append(t)
    diff = float(np.max(np.abs(a - b)))
    ratios = [y / x for x, y in zip(ours, theirs)]
    print(f"{n} budgets: ours {statistics.median(ours):.3f} s, scipy.optimize.elementwise.find_root "
          f"{statistics.median(theirs):.3f} s; find_root / ours = {statistics.median(ratios):.2f} "
          f"[{min(ratios):.2f}, {max(ratios):.2f}]; largest difference in the share {diff:.1e}")
    for size in (10**5, 10**7):
        b = np.logspace(3, 9, size)
        rounds_n = 5 if size == 10**5 else 3
        ratios, diff = [], 0.0
        for _ in range(rounds_n):
            t_ours, a = timed(lambda: optimal_split(b, PRICES, DYN, REW, CD, CR).share_dyn)
            t_newton, c = timed(lambda: newton_split(b))
            ratios.append(t_newton / t_ours)
            diff = max(diff, float(np.max(np.abs(a - c))))
        print(f"{size:>9} budgets: newton / ours = {statistics.median(ratios):.2f} [{min(ratios):.2f}, {max(ratios):.2f}] "
              f"(end to end; above 1: ours is faster); largest difference in the share {diff:.1e}")
    k = 2000
    t, _ = timed(lambda: [brentq(lambda u: g(u, np.log(b)), -50, 50, xtol=1e-13) for b in budgets[:k]])
    print(f"for scale: scalar brentq per budget {t * n / k:.2f} s for all {n} (from {k})")
    for size in (10**5, 10**7):
        b = np.logspace(3, 9, size)
        tracemalloc.start()
        t, _ = timed(lambda: optimal_split(b, PRICES, DYN, REW, CD, CR))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{size:>9} budgets: {t / size * 1e9:.0f} ns per budget, peak {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
