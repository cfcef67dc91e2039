r"""Learned models from samples, and random MDPs with local, Lipschitz dynamics and rewards.

Sampling rule (documented, ``docs/theory.md`` section 5): $n$ samples are spread over the $SA$
state-action pairs as evenly as possible: every pair gets $\lfloor n/SA\rfloor$, and the remaining
$n \bmod SA$ go to distinct pairs chosen uniformly at random.

* Dynamics: $\hat P(\cdot|s,a)$ is the empirical distribution of the pair's sampled next states.
  An unvisited pair is predicted to stay where it is ($\hat P(s|s,a)=1$), the choice that adds no
  expansion to the learned model's Lipschitz constant.
* Rewards: a label is $r(s,a)+\xi$ with $\xi\sim\mathcal N(0,\sigma_r^2)$; $\hat r(s,a)$ is the mean
  of the pair's labels. An unvisited pair is predicted by the mean of all labels (0 if there are none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.mdp.finite import FiniteMDP


def allocate_samples(n: int, S: int, A: int, rng: np.random.Generator) -> np.ndarray:
    """Counts ``(S, A)`` summing to ``n``: an even spread, the remainder on random distinct pairs."""
    if int(n) != n or n < 0:
        raise V.InputError(f"sample count must be an integer >= 0, got {n}")
    counts = np.full(S * A, int(n) // (S * A))
    extra = rng.choice(S * A, int(n) % (S * A), replace=False)
    counts[extra] += 1
    return counts.reshape(S, A)


def learned_dynamics(mdp: FiniteMDP, n: int, rng: np.random.Generator) -> np.ndarray:
    r"""$\hat P$ from $n$ sampled transitions (module docstring for the rule)."""
    S, A = mdp.S, mdp.A
    counts = allocate_samples(n, S, A, rng)
    # multinomial draws for every pair at once
    nxt = rng.multinomial(counts, mdp.P)  # (S, A, S)
    P_hat = np.where(counts[..., None] > 0, nxt / np.maximum(counts, 1)[..., None], 0.0)
    unvisited = counts == 0
    s_idx, a_idx = np.nonzero(unvisited)
    P_hat[s_idx, a_idx, s_idx] = 1.0
    return P_hat


def learned_rewards(mdp: FiniteMDP, n: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    r"""$\hat r$ from $n$ labels with Gaussian noise of standard deviation ``sigma`` (module docstring)."""
    V.nonnegative("sigma", sigma)
    counts = allocate_samples(n, mdp.S, mdp.A, rng)
    # the mean of c labels is r + N(0, sigma^2 / c)
    noise = rng.standard_normal(counts.shape) * sigma / np.sqrt(np.maximum(counts, 1))
    R_hat = mdp.R + noise
    if (counts == 0).any():
        fill = float((R_hat * counts).sum() / counts.sum()) if counts.sum() else 0.0
        R_hat = np.where(counts > 0, R_hat, fill)
    return R_hat


@dataclass(frozen=True)
class LearnedModel:
    """A learned model $(\\hat P, \\hat r)$ and the sample counts it came from."""

    P: np.ndarray
    R: np.ndarray
    n_d: int
    n_r: int


def learn(mdp: FiniteMDP, n_d: int, n_r: int, sigma: float, rng: np.random.Generator) -> LearnedModel:
    """Both parts of a learned model, from their own samples."""
    return LearnedModel(learned_dynamics(mdp, n_d, rng), learned_rewards(mdp, n_r, sigma, rng), int(n_d), int(n_r))


# --------------------------------------------------------------------------- generators
def random_chain(rng: np.random.Generator, S: int = 8, gamma: float = 0.9, horizon=math.inf,
                 slip: tuple[float, float] = (0.05, 0.3)) -> FiniteMDP:
    """A chain of ``S`` states on a line at unit spacing; actions left, stay, right succeed with
    probability 1 - slip and otherwise move to a random neighbour (or stay); a smooth random reward
    (a random walk of small steps) in the position, the same for every action up to a small action cost."""
    A = 3
    slips = rng.uniform(*slip, S)
    P = np.zeros((S, A, S))
    for s in range(S):
        for a, move in enumerate((-1, 0, 1)):
            target = min(max(s + move, 0), S - 1)
            P[s, a, target] += 1 - slips[s]
            for nb in (s - 1, s, s + 1):
                P[s, a, min(max(nb, 0), S - 1)] += slips[s] / 3
    pos = np.arange(S, dtype=float)
    reward_s = np.cumsum(rng.uniform(-0.3, 0.3, S))
    R = reward_s[:, None] - np.array([0.05, 0.0, 0.05])[None, :]
    return FiniteMDP(P, R, np.abs(pos[:, None] - pos[None, :]), gamma, horizon, mu=np.full(S, 1 / S))


def random_grid(rng: np.random.Generator, width: int = 3, height: int = 3, gamma: float = 0.9, horizon=math.inf,
                slip: tuple[float, float] = (0.05, 0.3)) -> FiniteMDP:
    """A ``width x height`` grid with the Manhattan metric; actions stay, N, S, E, W succeed with
    probability 1 - slip, else a uniformly random move; reward a smooth random function of position."""
    cells = [(x, y) for y in range(height) for x in range(width)]
    S = len(cells)
    moves = [(0, 0), (0, 1), (0, -1), (1, 0), (-1, 0)]
    index = {c: i for i, c in enumerate(cells)}
    slips = rng.uniform(*slip, S)
    P = np.zeros((S, len(moves), S))
    for s, (x, y) in enumerate(cells):
        for a, (dx, dy) in enumerate(moves):
            for m, weight in [((dx, dy), 1 - slips[s])] + [(mv, slips[s] / len(moves)) for mv in moves]:
                tx = min(max(x + m[0], 0), width - 1)
                ty = min(max(y + m[1], 0), height - 1)
                P[s, a, index[(tx, ty)]] += weight
    pts = np.array(cells, dtype=float)
    D = np.abs(pts[:, None, :] - pts[None, :, :]).sum(-1)
    w = rng.normal(0, 0.3, 2)
    reward_s = pts @ w + 0.1 * np.sin(pts[:, 0] + 2 * pts[:, 1] + rng.uniform(0, 6))
    R = reward_s[:, None] - 0.05 * (np.arange(len(moves)) > 0)[None, :]
    return FiniteMDP(P, R, D, gamma, horizon, mu=np.full(S, 1 / S))
