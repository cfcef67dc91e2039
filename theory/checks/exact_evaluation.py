"""Exact policy evaluation against Monte Carlo rollouts (``docs/theory.md`` section 5)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.mdp.finite import evaluate
from theory.mdp.learned import random_grid
from theory.mdp.rollouts import rollouts


@dataclass(frozen=True)
class EvaluationCheck:
    exact: float
    monte_carlo: float
    standard_error: float
    rollouts: int

    @property
    def z(self) -> float:
        return (self.monte_carlo - self.exact) / self.standard_error


def monte_carlo_vs_exact(n_rollouts: int = 20_000, seed: int = 5, horizon: int = 12) -> EvaluationCheck:
    """A random 3x3 grid MDP at gamma 0.9: the exact finite-horizon return against the rollout mean."""
    rng = np.random.default_rng(seed)
    mdp = random_grid(rng, 3, 3, gamma=0.9, horizon=horizon)
    ro = rollouts(mdp.P, mdp.R, mdp.pi, mdp.mu, horizon, n_rollouts, rng)
    G = ro.rewards @ mdp.gamma ** np.arange(horizon)
    return EvaluationCheck(float(evaluate(mdp)), float(G.mean()), float(G.std(ddof=1) / np.sqrt(n_rollouts)), n_rollouts)
