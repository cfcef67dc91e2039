r"""The allocation against data (``docs/theory.md`` section 5): measured power laws, the bound-optimal split
(with global Lipschitz constants, and with realised sensitivities), and the empirically best split.

Realised sensitivities (``docs/theory.md`` section 6) replace $C_{dyn}$, $C_{rew}$ by how much the true
return actually moves per unit of model error: with $P_\delta=P+\delta(\hat P-P)$ (whose $W_1$ distance
to $P$ is exactly $\delta\,\varepsilon_{dyn}(\hat P)$ on the closed loop),
$s_{dyn}=\big|\frac{d}{d\delta}J(P_\delta)\big|_{\delta=0}\big|/\varepsilon_{dyn}(\hat P)$, a central finite
difference averaged over learned models; likewise $s_{rew}$ with $R+\delta(\hat R-R)$.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from theory.maths.allocation import Prices, optimal_split
from theory.maths.bound import return_bound
from theory.mdp.analysis import closed_loop_constants, model_errors, optimal_policy
from theory.mdp.finite import FiniteMDP, evaluate
from theory.mdp.learned import learn, random_chain
from theory.maths.scaling import fit_power_law
from theory.results import Result


@dataclass(frozen=True)
class SplitOutcome(Result):
    """A split of the budget and what it achieved on average over seeds."""

    share_dyn: float
    n_dyn: int
    n_rew: int
    return_error: float  # mean |J - J_hat|
    return_error_se: float
    suboptimality: float  # mean J(pi*) - J(pi_hat*)


@dataclass(frozen=True)
class AllocationCheck(Result):
    """The bound-optimal splits against the empirically best one (``docs/theory.md`` section 5).

    Parameters
    ----------
    budget : float
        The budget split.
    prices : (float, float)
        The prices of a dynamics sample and of a reward label.
    fits : dict
        ``"dyn"`` and ``"rew"`` to the measured error laws (:class:`~theory.maths.scaling.PowerLawFit`).
    coefficients : dict
        ``"global"`` and ``"realised"`` to their ``c_dyn`` and ``c_rew``.
    predicted : dict
        The split each set of coefficients predicts, by the same keys, with what it achieved.
    empirical_best : SplitOutcome
        The best split of the grid.
    curve : list of SplitOutcome
        Every split of the grid.
    message : str
        The comparison in words.
    success : bool
        True: the check measures, it has no pass or fail (``message`` says which prediction came closer).
    """

    budget: float
    prices: tuple[float, float]
    fits: dict  # "dyn"/"rew" -> PowerLawFit
    coefficients: dict
    predicted: dict[str, SplitOutcome]
    empirical_best: SplitOutcome
    curve: list[SplitOutcome] = field(repr=False)
    message: str = ""
    success: bool = True


def _outcome(mdp: FiniteMDP, share: float, budget: float, prices: Prices, sigma: float, seeds, J: float,
             J_star: float) -> SplitOutcome:
    n_d = max(int(round(share * budget / prices.kappa_d)), 1)
    n_r = max(int((budget - prices.kappa_d * n_d) // prices.kappa_r), 1)
    errs, subs = [], []
    for seed in seeds:
        model = learn(mdp, n_d, n_r, sigma, np.random.default_rng(seed))
        errs.append(abs(J - evaluate(mdp, P=model.P, R=model.R)))
        pi_hat = optimal_policy(model.P, model.R, mdp.gamma)
        subs.append(J_star - evaluate(mdp, pi=pi_hat))
    errs = np.asarray(errs)
    return SplitOutcome(prices.kappa_d * n_d / budget, n_d, n_r, float(errs.mean()), float(errs.std(ddof=1) / np.sqrt(errs.size)),
                        float(np.mean(subs)))


def measure_errors(mdp: FiniteMDP, ns, seeds: int, sigma: float, rng: np.random.Generator) -> dict:
    """Mean closed-loop errors $\\varepsilon_{dyn}(n)$, $\\varepsilon_{rew}(n)$ over ``seeds`` learned models per ``n``."""
    eps_d, eps_r = np.zeros(len(ns)), np.zeros(len(ns))
    for j, n in enumerate(ns):
        vals = [model_errors(mdp, m) for m in (learn(mdp, n, n, sigma, rng) for _ in range(seeds))]
        eps_d[j], eps_r[j] = np.mean(vals, axis=0)
    return {"n": np.asarray(ns, dtype=float), "eps_dyn": eps_d, "eps_rew": eps_r}


def realised_sensitivities(mdp: FiniteMDP, n: int, sigma: float, seeds: int, rng: np.random.Generator,
                           delta: float = 1e-4) -> tuple[float, float]:
    """$(s_{dyn}, s_{rew})$ of the module docstring, averaged over ``seeds`` learned models with ``n`` samples."""
    s_d, s_r = [], []
    for _ in range(seeds):
        m = learn(mdp, n, n, sigma, rng)
        e_d, e_r = model_errors(mdp, m)
        dJ_d = (evaluate(mdp, P=mdp.P + delta * (m.P - mdp.P)) - evaluate(mdp, P=mdp.P - delta * (m.P - mdp.P))) / (2 * delta)
        dJ_r = (evaluate(mdp, R=mdp.R + delta * (m.R - mdp.R)) - evaluate(mdp, R=mdp.R - delta * (m.R - mdp.R))) / (2 * delta)
        if e_d > 0:
            s_d.append(abs(dJ_d) / e_d)
        if e_r > 0:
            s_r.append(abs(dJ_r) / e_r)
    return float(np.mean(s_d)), float(np.mean(s_r))


def _outcome_task(params: dict, seed_seq) -> dict:
    """One split of the budget, averaged over the shared evaluation seeds (a task of the sweep runner)."""
    return _outcome(**params).to_dict()


def check_allocation(mdp: FiniteMDP | None = None, budget_per_pair: float = 40.0, prices: Prices = Prices(1.0, 4.0),
                     sigma: float = 1.0, seeds: int = 100, shares: int = 19, seed: int = 0, *, executor=None,
                     results=None) -> AllocationCheck:
    """Run ``docs/theory.md`` section 5's allocation check on ``mdp`` (default: a random 8-state chain, gamma 0.9).

    Every split evaluated (the predicted ones and the grid) is a task of the sweep runner (``executor``,
    ``results`` as in :func:`~theory.sweep.run_sweep`); all use the same evaluation seeds."""
    from theory.sweep import run_sweep

    rng = np.random.default_rng(seed)
    if mdp is None:
        mdp = random_chain(rng, S=8, gamma=0.9)
    SA = mdp.S * mdp.A
    budget = budget_per_pair * SA * (prices.kappa_d + prices.kappa_r) / 2
    ns = (SA * np.array([1, 2, 4, 8, 16, 32, 64])).astype(int)
    measured = measure_errors(mdp, ns, max(seeds // 4, 5), sigma, rng)
    fits = {k: fit_power_law(measured["n"], measured[f"eps_{k}"], bootstrap=200, rng=rng) for k in ("dyn", "rew")}
    const = closed_loop_constants(mdp)
    res = return_bound(mdp.gamma, mdp.horizon, 1.0, 1.0, L=const.L, K_rpi=const.K_rpi)
    s_dyn, s_rew = realised_sensitivities(mdp, int(budget_per_pair * SA / 4), sigma, max(seeds // 4, 5), rng)
    coefficients = {"global": (float(res.c_dyn), float(res.c_rew)), "realised": (s_dyn, s_rew)}
    J = evaluate(mdp)
    J_star = evaluate(mdp, pi=optimal_policy(mdp.P, mdp.R, mdp.gamma))
    eval_seeds = [int(s) for s in rng.integers(0, 2**31, seeds)]
    common = {"mdp": mdp, "budget": budget, "prices": prices, "sigma": sigma, "seeds": eval_seeds, "J": J, "J_star": J_star}
    tasks = []
    for name, (cd, cr) in coefficients.items():
        if np.isfinite(cd):
            split = optimal_split(budget, prices, fits["dyn"].law, fits["rew"].law, cd, cr)
            tasks.append((f"predicted {name}", common | {"share": float(split.share_dyn)}))
    # log-spaced: the best share of a cheap-dynamics chain is small, and a grid from 0.05 put it on the first point
    grid = np.geomspace(0.005, 0.95, shares)
    tasks += [(f"share {x:.6f}", common | {"share": float(x)}) for x in grid]
    outcome = run_sweep(_outcome_task, tasks, seed=seed, name="verify-allocation",
                        args={"budget": budget, "sigma": sigma, "seeds": seeds, "shares": shares, "seed": seed},
                        executor=executor, results=results)
    done = {key: SplitOutcome(**res) for (key, _), res in zip(tasks, outcome.results)}
    predicted = {key.removeprefix("predicted "): v for key, v in done.items() if key.startswith("predicted ")}
    curve = [v for key, v in done.items() if key.startswith("share ")]
    best = min(curve, key=lambda o: o.return_error)
    distance = {k: abs(np.log(v.share_dyn / best.share_dyn)) for k, v in predicted.items()}
    closer = min(distance, key=distance.get) if distance else None
    verdict = (f"empirically best dynamics share {best.share_dyn:.2f}; predicted "
               + ", ".join(f"{k} {v.share_dyn:.2f} (error {v.return_error:.4g} vs best {best.return_error:.4g})"
                           for k, v in predicted.items())
               + (f"; {closer} coefficients predict the best split better" if closer else ""))
    return AllocationCheck(budget, (prices.kappa_d, prices.kappa_r), fits,
                           {k: {"c_dyn": v[0], "c_rew": v[1]} for k, v in coefficients.items()},
                           predicted, best, curve, fits, verdict)


def brute_force_split(budget: float, prices: Prices, dyn, rew, c_dyn: float, c_rew: float,
                      points: int = 200_001) -> tuple[float, float]:
    """The bound at the numeric optimum of E9-E11 and the smallest bound on a grid of ``points`` shares."""
    from theory.maths.allocation import bound_at

    split = optimal_split(budget, prices, dyn, rew, c_dyn, c_rew)
    grid = np.linspace(prices.kappa_d / budget, 1 - prices.kappa_r / budget, points)
    brute = bound_at(grid * budget / prices.kappa_d, (1 - grid) * budget / prices.kappa_r, dyn, rew, c_dyn, c_rew).min()
    return float(split.bound), float(brute)
