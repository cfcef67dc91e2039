"""Vectorised optimal split (E11) against a scalar root finder called per budget, measured in one run.

Prints the ratio of the two times (noise on a shared machine moves both alike)."""

import time

import numpy as np
from scipy.optimize import brentq

from theory.maths.allocation import Prices, optimal_split
from theory.maths.scaling import PowerLaw


def scalar_split(budget, prices, dyn, rew, cd, cr):
    def g(x):
        nd, nr = x * budget / prices.kappa_d, (1 - x) * budget / prices.kappa_r
        return (np.log(dyn.alpha * cd * dyn.a / prices.kappa_d) - (dyn.alpha + 1) * np.log(nd)
                - np.log(rew.alpha * cr * rew.a / prices.kappa_r) + (rew.alpha + 1) * np.log(nr))
    return brentq(g, 1e-15, 1 - 1e-15, xtol=1e-15)


def main(n: int = 100_000, scalar_n: int = 5_000) -> None:
    prices, dyn, rew = Prices(1.0, 10.0), PowerLaw(0.34, 0.11), PowerLaw(90.0, 0.96)
    budgets = np.logspace(3, 9, n)
    start = time.perf_counter()
    vec = optimal_split(budgets, prices, dyn, rew, 10.0, 5.0)
    t_vec = time.perf_counter() - start
    idx = np.linspace(0, n - 1, scalar_n).astype(int)
    start = time.perf_counter()
    shares = np.array([scalar_split(budgets[j], prices, dyn, rew, 10.0, 5.0) for j in idx])
    t_scalar = (time.perf_counter() - start) * n / scalar_n
    assert np.allclose(shares, vec.share_dyn[idx], rtol=1e-9)
    print(f"optimal split for {n} budgets: vectorised {t_vec:.3f} s; scalar brentq per point {t_scalar:.2f} s "
          f"(extrapolated from {scalar_n}); speed-up {t_scalar / t_vec:.0f}x")


if __name__ == "__main__":
    main()
