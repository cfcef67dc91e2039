"""Coverage of the power-law fits' bootstrap intervals (E12), measured: the audit's planted law.

Planted $\\varepsilon(n)=0.05+2n^{-0.5}$ at ten sample sizes from 10 to 10^4 (log-spaced), with
multiplicative log-normal noise of 10% (sd 0.1 of log error); each replicate is fitted with a floor and
200 bootstrap replicates, and the share of replicates whose 95% interval covers the planted a, alpha
and e is printed with its binomial standard error. The floor-free fit is measured on 2 n^-0.5 with ten
and with four points. Replicates run in two processes (one SeedSequence child each), so the numbers
do not depend on the worker count.

Run: ``python benchmarks/bench_fit_coverage.py [REPLICATES]`` (default 200: about 4 minutes on two cores).
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from theory.maths.scaling import fit_power_law

PLANTED = {"a": 2.0, "alpha": 0.5, "e": 0.05}


def one(args) -> tuple[bool, bool, bool]:
    child, floor, points = args
    rng = np.random.default_rng(child)
    n = np.geomspace(10, 1e4, points)
    e = PLANTED["e"] if floor else 0.0
    y = (e + PLANTED["a"] * n ** -PLANTED["alpha"]) * np.exp(0.1 * rng.standard_normal(points))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_power_law(n, y, floor=floor, bootstrap=200, rng=rng)
    return tuple(fit.ci[k][0] <= PLANTED[k] <= fit.ci[k][1] for k in ("a", "alpha", "e"))


def study(label: str, floor: bool, points: int, reps: int, pool) -> None:
    children = np.random.SeedSequence(20261202).spawn(reps)
    start = time.perf_counter()
    hits = np.array(list(pool.map(one, [(c, floor, points) for c in children], chunksize=4)))
    se = math.sqrt(0.95 * 0.05 / reps)
    names = ("a", "alpha", "e") if floor else ("a", "alpha")
    cover = ", ".join(f"{k} {hits[:, j].mean():.3f}" for j, k in enumerate(names))
    print(f"{label}: coverage of nominal 0.95 intervals over {reps} replicates: {cover} "
          f"(binomial se {se:.3f}; {time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with ProcessPoolExecutor(2) as pool:
        study("floored fit, 10 points", True, 10, reps, pool)
        study("no floor, 10 points", False, 10, reps, pool)
        study("no floor, 4 points", False, 4, reps, pool)
