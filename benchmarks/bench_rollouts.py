"""Rollout engine throughput against the strongest baselines we can write, measured in one run.

Contenders, interleaved round by round, medians of 5 rounds and the min-max of the per-round ratios:

* the generator's ceiling: one uniform per step (``rng.random``), the draw the engine cannot avoid;
* a vectorised NumPy sampler: ``searchsorted`` of row-offset uniforms in the flattened cumulative
  joint law of (action, next state), over a batch of rollouts;
* a plain Python loop with ``bisect`` on precomputed cumulative rows (timed on fewer rollouts, scaled).

MDPs: random chains (sparse rows: three successors an action) and dense Dirichlet kernels.
"""

from __future__ import annotations

import bisect
import statistics
import time

import numpy as np

from theory.mdp.learned import random_chain
from theory.mdp.rollouts import rollouts


def dense_mdp(rng, S: int, A: int = 3):
    P = rng.dirichlet(np.ones(S), (S, A))
    return P, rng.normal(size=(S, A)), np.full((S, A), 1.0 / A), np.full(S, 1.0 / S)


def searchsorted_sampler(P, R, pi, mu, H, n, rng):
    S, A = R.shape
    joint = (pi[:, :, None] * P).reshape(S, A * S)
    cum = (np.cumsum(joint, 1) / joint.sum(1, keepdims=True) + np.arange(S)[:, None]).ravel()
    s = np.searchsorted(np.cumsum(mu), rng.random(n))
    states, actions = np.empty((H, n), np.intp), np.empty((H, n), np.intp)
    for t in range(H):
        code = np.searchsorted(cum, s + rng.random(n)) - s * (A * S)
        np.minimum(code, A * S - 1, out=code)
        states[t], actions[t] = s, code // S
        s = code % S
    return states, actions, R[states, actions]


def bisect_loop(P, R, pi, mu, H, n, rng):
    S, A = R.shape
    cum = [list(np.cumsum((pi[s][:, None] * P[s]).ravel())) for s in range(S)]
    cmu = list(np.cumsum(mu))
    u = rng.random((n, H + 1)).tolist()
    out = []
    for k in range(n):
        s = min(bisect.bisect(cmu, u[k][0]), S - 1)
        for t in range(H):
            code = min(bisect.bisect(cum[s], u[k][t + 1]), A * S - 1)
            out.append((s, code // S))
            s = code % S
    return out


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(n: int = 200_000, horizon: int = 20, loop_n: int = 2_000, rounds: int = 5) -> None:
    rng = np.random.default_rng(1)
    steps = n * horizon
    print(f"{steps} steps per call ({n} rollouts x {horizon} steps); M steps/s are medians of {rounds} rounds")
    print(f"{'MDP':<16} {'engine':>8} {'ceiling':>8} {'sorted':>8} {'bisect':>8}   engine/ceiling   engine/searchsorted   engine/bisect")
    for label, make in (("chain, 10", lambda: random_chain(np.random.default_rng(0), S=10)),
                        ("chain, 100", lambda: random_chain(np.random.default_rng(0), S=100)),
                        ("chain, 1000", lambda: random_chain(np.random.default_rng(0), S=1000)),
                        ("dense, 10", lambda: dense_mdp(np.random.default_rng(0), 10)),
                        ("dense, 100", lambda: dense_mdp(np.random.default_rng(0), 100)),
                        ("dense, 1000", lambda: dense_mdp(np.random.default_rng(0), 1000))):
        m = make()
        P, R, pi, mu = (m.P, m.R, m.pi, m.mu) if hasattr(m, "P") else m
        t = {"engine": [], "ceiling": [], "sorted": [], "bisect": []}
        for _ in range(rounds):
            t["engine"].append(timed(lambda: rollouts(P, R, pi, mu, horizon, n, rng)))
            t["ceiling"].append(timed(lambda: rng.random(steps)))
            t["sorted"].append(timed(lambda: searchsorted_sampler(P, R, pi, mu, horizon, n, rng)))
            t["bisect"].append(timed(lambda: bisect_loop(P, R, pi, mu, horizon, loop_n, rng)) * n / loop_n)
        rate = {k: steps / statistics.median(v) / 1e6 for k, v in t.items()}

        def ratio(a, b):
            r = [y / x for x, y in zip(t[a], t[b])]
            return f"{statistics.median(r):6.2f} [{min(r):.2f}, {max(r):.2f}]"

        print(f"{label:<16} {rate['engine']:8.1f} {rate['ceiling']:8.1f} {rate['sorted']:8.1f} {rate['bisect']:8.2f}   "
              f"{ratio('engine', 'ceiling')}   {ratio('engine', 'sorted')}   {ratio('engine', 'bisect')}")


if __name__ == "__main__":
    main()
