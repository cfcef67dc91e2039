r"""Learning at equal budget (``docs/theory.md`` E18, E20): REINFORCE runs that spend the same money on
rollouts with different label prices, so the solver's choice can be held against alternatives.

Each gradient step spends a budget $\mathcal B$ on $K=\lfloor\mathcal B/(c_0+c)\rfloor$ rollouts whose
rewards carry zero-mean noise of variance $\sigma^2(c)$; the step is $\theta\leftarrow\theta+\eta\hat g_K$.
E20 says the expected one-step gain is at least $\eta\|\nabla J\|^2-\frac{\ell\eta^2}{2}(\|\nabla J\|^2+
\operatorname{tr}\operatorname{Cov}\hat g_K)$, so the price with the smallest MSE should learn fastest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from theory import _validate as V
from theory.mdp.finite import FiniteMDP, evaluate, small_mdp
from theory.mdp.rollouts import estimates, rollouts, softmax_policy
from theory.maths.noise_budget import BudgetProblem, NoiseFamily
from theory.results import NOT_JSON, Result


@dataclass(frozen=True)
class LearningCurves(Result):
    """Exact return $J(\\theta_t)$ per price (rows), step (columns) and seed; mean and 95% band over seeds.

    The JSON carries the prices, labels, noise variances and rollouts per step, the optimum, and the computed
    ``mean_return_over_run``, ``final_return`` and ``fastest`` (the label with the largest mean return over the
    run); the returns themselves stay out."""

    json_properties = ("mean_return_over_run", "final_return", "fastest")

    prices: np.ndarray
    labels: list[str]
    returns: np.ndarray = field(metadata=NOT_JSON)  # (prices, seeds, steps + 1)
    rollouts_per_step: np.ndarray
    sigma2: np.ndarray
    optimum: float = float("nan")  # the best return of a deterministic stationary policy, by enumeration

    def regret(self) -> np.ndarray:
        """$J^*-J(\theta_t)$ per price, seed and step (the learning curves on a scale where they separate)."""
        return self.optimum - self.returns

    def mean(self) -> np.ndarray:
        return self.returns.mean(1)

    def band(self) -> np.ndarray:
        """Half-width of the 95% confidence interval of the mean over seeds."""
        n = self.returns.shape[1]
        return 1.96 * self.returns.std(1, ddof=1) / np.sqrt(n)

    def final_auc(self) -> np.ndarray:
        """Mean return over the run (area under the learning curve), per price."""
        return self.returns.mean((1, 2))

    @property
    def mean_return_over_run(self) -> np.ndarray:
        return self.final_auc()

    @property
    def final_return(self) -> np.ndarray:
        return self.mean()[:, -1]

    @property
    def fastest(self) -> str:
        return self.labels[int(np.argmax(self.final_auc()))]


def _seed_task(params: dict, seed_seq) -> list:
    """One seed of :func:`train`: every price from the same stream (common random numbers)."""
    mdp, H = params["mdp"], params["horizon"]
    out = []
    for K, s2 in zip(params["K"], params["sig2"]):
        rng = np.random.default_rng(seed_seq)
        theta = np.zeros((mdp.S, mdp.A))
        row = [evaluate(mdp, pi=softmax_policy(theta), horizon=H)]
        for _ in range(params["steps"]):
            pi = softmax_policy(theta)
            ro = rollouts(mdp.P, mdp.R, pi, mdp.mu, H, int(K), rng)
            noisy = ro.rewards + np.sqrt(s2) * rng.standard_normal(ro.rewards.shape)
            theta = theta + params["lr"] * estimates(ro, pi, mdp.gamma, params["estimator"], noisy).mean(0)
            row.append(evaluate(mdp, pi=softmax_policy(theta), horizon=H))
        out.append(row)
    return out


def learning_curves(mdp: FiniteMDP, family: NoiseFamily, problem: BudgetProblem, prices, labels, *,
          steps: int = 40, lr: float = 0.5, seeds: int = 20, estimator: str = "reward-to-go", seed: int = 0,
          executor=None, results=None) -> LearningCurves:
    """REINFORCE from $\\theta=0$ at each price in ``prices``, the same budget per step and the same seeds
    (the MDP's own finite horizon)."""
    if not np.isfinite(mdp.horizon):
        raise V.InputError("learning at equal budget needs a finite horizon")
    horizon = int(mdp.horizon)
    if int(steps) != steps or steps < 1:
        raise V.InputError(f"steps must be an integer >= 1, got {steps}")
    V.positive("lr", lr)
    prices = np.asarray(prices, dtype=float)
    K = np.floor(problem.budget / (problem.c0 + prices) + 1e-9).astype(int)
    if (K < 1).any():
        raise V.InputError("every price must leave at least one rollout per step within the budget")
    sig2 = np.asarray(family.sigma2(prices), dtype=float)
    from theory.sweep import run_sweep

    params = {"mdp": mdp, "horizon": horizon, "K": K.tolist(), "sig2": sig2.tolist(), "steps": int(steps), "lr": lr,
              "estimator": estimator}
    outcome = run_sweep(_seed_task, [(f"seed {s}", params) for s in range(seeds)], seed=seed, name="equal-budget",
                        args={"prices": prices.tolist(), "steps": int(steps), "lr": lr, "estimator": estimator},
                        executor=executor, results=results)
    out = np.stack([np.asarray(r, dtype=float) for r in outcome.results], axis=1)  # (prices, seeds, steps + 1)
    best = max(evaluate(mdp, pi=np.eye(mdp.A)[np.array(actions)]) for actions in np.ndindex(*(mdp.A,) * mdp.S))
    return LearningCurves(prices, list(labels), out, K, sig2, float(max(best, out.max())))


def equal_budget_experiment(family: NoiseFamily | None = None, steps: int = 40, seeds: int = 20, seed: int = 0,
                            rollouts_at_optimum: int = 40, *, executor=None, results=None) -> dict:
    """Solve E18 on a small MDP with exact $V_0$, $W$ at $\\theta=0$, then train at the solver's price and at
    prices ten times cheaper (noisier) and ten times dearer (cleaner)."""
    from theory.mdp.exact_gradients import enumerate_trajectories, exact_moments
    from theory.maths.noise_budget import power, solve

    mdp = small_mdp(seed)
    H = int(mdp.horizon)
    pi = softmax_policy(np.zeros((mdp.S, mdp.A)))
    mom = exact_moments(enumerate_trajectories(mdp.P, mdp.R, pi, mdp.mu, H), pi, mdp.gamma, "reward-to-go")
    family = family or power(A=mom.cov_trace / mom.noise_weight, p=2.0)  # sigma^2 = V0/W at price 1
    c_star_guess = ((2 - 1) * mom.noise_weight * family.params.get("A", 1.0) / mom.cov_trace) ** 0.5
    problem = BudgetProblem(mom.cov_trace, mom.noise_weight, budget=rollouts_at_optimum * c_star_guess,
                            price_min=c_star_guess / 100, price_max=c_star_guess * 100)
    opt = solve(family, problem)
    prices = [opt.price / 10, opt.price, opt.price * 10]
    curves = learning_curves(mdp, family, problem, prices, ["10x cheaper (noisier)", "solver's price", "10x dearer (cleaner)"],
                             steps=steps, seeds=seeds, seed=seed, executor=executor, results=results)
    mse = [float(problem.mse(c, family)) for c in prices]
    return {"V0": mom.cov_trace, "W": mom.noise_weight, "optimum": opt.to_dict(), "mse_at_prices": mse,
            "curves": curves, "summary": curves.to_dict()}
