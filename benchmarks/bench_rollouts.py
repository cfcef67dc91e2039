"""Rollout engine throughput against the random number generator it draws from, and against a plain
per-step Python loop, measured in one run (best of several repeats; ratios, not absolute times)."""

import time

import numpy as np

from theory.mdp.learned import random_chain
from theory.mdp.rollouts import rollouts


def best_of(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def python_loop(mdp, horizon, n, rng):
    states = np.empty((n, horizon), dtype=int)
    for k in range(n):
        s = rng.choice(mdp.S, p=mdp.mu)
        for t in range(horizon):
            states[k, t] = s
            a = rng.choice(mdp.A, p=mdp.pi[s])
            s = rng.choice(mdp.S, p=mdp.P[s, a])
    return states


def main(n=200_000, horizon=20, loop_n=2_000):
    mdp = random_chain(np.random.default_rng(0), S=8)
    rng = np.random.default_rng(1)
    steps = n * horizon
    t_engine = best_of(lambda: rollouts(mdp.P, mdp.R, mdp.pi, mdp.mu, horizon, n, rng))
    t_rng = best_of(lambda: rng.random(2 * steps))
    t_loop = best_of(lambda: python_loop(mdp, horizon, loop_n, rng), repeats=1) * n / loop_n
    print(f"{steps} environment steps: engine {steps / t_engine / 1e6:.1f} M steps/s; "
          f"generator ceiling (two uniforms a step) {steps / t_rng / 1e6:.1f} M steps/s; "
          f"engine / ceiling = {t_rng / t_engine:.2f}")
    print(f"plain Python loop {steps / t_loop / 1e6:.3f} M steps/s; engine / loop = {t_loop / t_engine:.0f}x")


if __name__ == "__main__":
    main()
