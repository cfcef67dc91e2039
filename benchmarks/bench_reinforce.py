"""The REINFORCE estimator on the sparse score against the dense (N, H, S, A) coefficients, and check_reinforce
end to end, measured in one run (30-state chain, H = 20, 100,000 rollouts, the full-return estimator).

Run: ``python benchmarks/bench_reinforce.py``.
"""

from __future__ import annotations

import time

import numpy as np

from _timing import interleaved, ratio_line
from theory.checks.reinforce_check import check_reinforce
from theory.mdp.learned import random_chain
from theory.mdp.rollouts import Rollouts, estimates, per_rollout_estimates, reward_coefficients, rollouts

N, H, S = 100_000, 20, 30


def dense(ro: Rollouts, pi: np.ndarray, gamma: float) -> np.ndarray:
    """The former path: dense score coefficients in chunks of 16,384 rollouts."""
    out = np.empty((ro.states.shape[0],) + pi.shape)
    for lo in range(0, ro.states.shape[0], 16384):
        part = Rollouts(ro.states[lo:lo + 16384], ro.actions[lo:lo + 16384], ro.rewards[lo:lo + 16384])
        out[lo:lo + 16384] = per_rollout_estimates(reward_coefficients(part, pi, gamma, "full"), part.rewards)
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    mdp = random_chain(rng, S=S, gamma=0.95, horizon=H)
    pi = np.full((S, mdp.A), 1 / mdp.A)
    ro = rollouts(mdp.P, mdp.R, pi, mdp.mu, H, N, rng)
    assert np.allclose(estimates(ro, pi, 0.95, "full"), dense(ro, pi, 0.95), atol=1e-10)
    times = interleaved({"sparse": lambda: estimates(ro, pi, 0.95, "full"), "dense": lambda: dense(ro, pi, 0.95)},
                        repeats=5)
    print(ratio_line(f"estimator on {N:,} rollouts, {S} states, H = {H}: speed-up of the sparse score over dense "
                     "coefficients", times["dense"], times["sparse"]))
    start = time.process_time()
    check_reinforce(mdp, n_rollouts=N, rng=0)
    cpu = time.process_time() - start
    print(f"check_reinforce end to end: {cpu:.2f} s of CPU for {N:,} rollouts of {H} steps "
          f"({N * H / cpu / 1e6:.1f} million rollout steps per second)")
