r"""The allocation on LQG systems (``docs/theory.md`` E9b, section 6): global constants against realised
sensitivities, each against the measured best split of a budget.

On each LQG system (:func:`~theory.mdp.continuous.random_lqg_systems`) models are learned from samples
(:func:`~theory.mdp.continuous.learn_lqg`). The closed-loop errors $\varepsilon_{dyn}(n)$,
$\varepsilon_{rew}(n)$ (exact sups on the box) are measured and fitted as power laws (E12). Two sets of
coefficients enter the optimal split (E9-E11):

* global: $C_{dyn}$, $C_{rew}$ of the bound E3 with the system's closed-loop constants;
* realised: $s_{dyn}=|\tfrac{d}{d\delta}J(M+\delta(\hat M-M))|/\varepsilon_{dyn}(\hat M)$ and likewise
  $s_{rew}$ with $C+\delta(\hat C-C)$, averaged over learned models (exact returns, central differences).

The measured best split minimises the mean $|J-\hat J|$ over a grid of dynamics shares, averaged over
seeds. The report is the factor between each predicted ratio $n_d/n_r$ and the best one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.maths.allocation import Prices, optimal_split
from theory.maths.bound import coefficients
from theory.maths.scaling import fit_power_law
from theory.mdp.continuous import LQGSystems, learn_lqg, lqg_errors, lqg_return, random_lqg_systems
from theory.results import Result


@dataclass(frozen=True)
class LQGAllocation(Result):
    """Per system: predicted and measured-best ratios $n_d/n_r$ and the factors between them."""

    json_properties = ("global_factor", "realised_factor", "structured_factor")

    best_ratio: np.ndarray
    global_ratio: np.ndarray  # with the exact closed-loop constants of each system
    realised_ratio: np.ndarray
    structured_ratio: np.ndarray  # with structured constants K_f(1+K_pi), K_r(1+K_pi); inf where the bound is
    exponents: np.ndarray  # (systems, 2): fitted alpha_d, alpha_r

    @property
    def global_factor(self) -> np.ndarray:
        return np.exp(np.abs(np.log(self.global_ratio / self.best_ratio)))

    @property
    def realised_factor(self) -> np.ndarray:
        return np.exp(np.abs(np.log(self.realised_ratio / self.best_ratio)))

    @property
    def structured_factor(self) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.exp(np.abs(np.log(self.structured_ratio / self.best_ratio)))



def _gap(sys: LQGSystems, models: LQGSystems, gamma: float) -> np.ndarray:
    J = lqg_return(sys.M, sys.C, sys.sigma_w, gamma, np.inf)
    return np.abs(J - lqg_return(models.M, models.C, models.sigma_w, gamma, np.inf))


def _stack(sys: LQGSystems, k: int) -> LQGSystems:
    return LQGSystems(*(np.repeat(a, k, axis=0) for a in (sys.A, sys.B, sys.K, sys.Q, sys.R, sys.sigma_w)))


def _system_task(params: dict, seed_seq) -> dict:
    """One LQG system of :func:`lqg_allocation` (a task of the sweep runner, with its own child seed)."""
    seeds, budget, gamma, shares = params["seeds"], params["budget"], params["gamma"], params["shares"]
    prices = Prices(*params["prices"])
    rng = np.random.default_rng(seed_seq)
    sys = random_lqg_systems(rng, 1)
    ns = np.array([16, 32, 64, 128, 256, 512, 1024])
    grid = np.linspace(0.05, 0.95, shares)
    many = _stack(sys, seeds)
    e_d, e_r = np.zeros(ns.size), np.zeros(ns.size)
    for k, n in enumerate(ns):
        ed, er = lqg_errors(many, learn_lqg(rng, many, int(n), int(n)))
        e_d[k], e_r[k] = ed.mean(), er.mean()
    law_d = fit_power_law(ns, e_d, bootstrap=0).law
    law_r = fit_power_law(ns, e_r, bootstrap=0).law
    L, K = sys.closed_loop_constants()
    c_dyn, c_rew = (float(c) for c in coefficients(gamma, "inf", L=L[0], K_rpi=K[0]))
    # realised sensitivities: directional derivatives of the exact return along learned-model errors
    models = learn_lqg(rng, many, 256, 256)
    ed, er = lqg_errors(many, models)
    delta = 1e-5
    dM, dC = models.M - many.M, models.C - many.C
    dJ_d = (lqg_return(many.M + delta * dM, many.C, many.sigma_w, gamma, np.inf)
            - lqg_return(many.M - delta * dM, many.C, many.sigma_w, gamma, np.inf)) / (2 * delta)
    dJ_r = (lqg_return(many.M, many.C + delta * dC, many.sigma_w, gamma, np.inf)
            - lqg_return(many.M, many.C - delta * dC, many.sigma_w, gamma, np.inf)) / (2 * delta)
    s_dyn, s_rew = float(np.mean(np.abs(dJ_d) / ed)), float(np.mean(np.abs(dJ_r) / er))
    d, m = sys.A.shape[1], sys.B.shape[2]
    K_f = max(np.linalg.norm(sys.A[0], 2), np.linalg.norm(sys.B[0], 2))
    K_pi = np.linalg.norm(sys.K[0], 2)
    K_r = max(2 * np.linalg.norm(sys.Q[0], 2) * np.sqrt(d), 2 * np.linalg.norm(sys.R[0], 2) * np.sqrt(m))
    sd, sr = (float(c) for c in coefficients(gamma, "inf", K_f=K_f, K_r=K_r, K_pi=K_pi))
    ratios = {"structured": np.inf}
    for name, (cd, cr) in (("global", (c_dyn, c_rew)), ("realised", (s_dyn, s_rew)), ("structured", (sd, sr))):
        if np.isfinite(cd):
            ratios[name] = float(optimal_split(budget, prices, law_d, law_r, cd, cr).sample_ratio)
    errors = []
    for x in grid:
        n_d = max(int(x * budget / prices.kappa_d), 8)
        n_r = max(int((1 - x) * budget / prices.kappa_r), 8)
        errors.append(_gap(many, learn_lqg(rng, many, n_d, n_r), gamma).mean())
    x_best = grid[int(np.argmin(errors))]
    return {"best": (x_best / prices.kappa_d) / ((1 - x_best) / prices.kappa_r), "global": ratios["global"],
            "realised": ratios["realised"], "structured": ratios["structured"], "exponents": [law_d.alpha, law_r.alpha]}


def lqg_allocation(systems: int = 4, seeds: int = 40, budget: float = 4000.0, prices: Prices = Prices(1.0, 1.0),
                   gamma: float = 0.9, shares: int = 13, seed: int = 0, *, executor=None, results=None) -> LQGAllocation:
    """Run the comparison on ``systems`` random LQG systems (module docstring), one task of the sweep runner
    per system (``executor``, ``results`` as in :func:`~theory.sweep.run_sweep`)."""
    from theory.sweep import run_sweep

    params = {"seeds": seeds, "budget": budget, "gamma": gamma, "shares": shares,
              "prices": (float(prices.kappa_d), float(prices.kappa_r))}
    outcome = run_sweep(_system_task, [(f"system {j}", params) for j in range(systems)], seed=seed, name="lqg-allocation",
                        args=params, executor=executor, results=results)
    rows = outcome.results
    return LQGAllocation(*(np.array([r[k] for r in rows], dtype=float) for k in ("best", "global", "realised", "structured")),
                         np.array([r["exponents"] for r in rows]))
