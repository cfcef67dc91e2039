"""The REINFORCE checker end to end, against the generator's one-uniform ceiling, measured in one run.

* ``check_reinforce`` (sampling, noise, estimator and batch moments) on random chains of 10, 100 and 1,000
  states, H = 20, 200,000 rollouts, with the NumPy path and with the compiled path (``engine="numba"``, the
  ``fast`` extra), in rollout steps per second, against the ceiling: the generator filling a reused buffer with one
  uniform per rollout step (the draw no sampler avoids). Interleaved rounds, medians and the min-max of the
  per-round ratios.
* The sparse estimator against the dense (N, H, S, A) score coefficients it replaced (30-state chain).
* The fixed cost of ``imagination check-reinforce`` before its first rollout, in CPU seconds of a fresh process.

Run: ``python benchmarks/bench_reinforce.py``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

import numpy as np

from _timing import interleaved, ratio_line
from theory.checks.reinforce_check import check_reinforce
from theory.mdp import _fast
from theory.mdp.learned import random_chain
from theory.mdp.rollouts import Rollouts, estimates, per_rollout_estimates, reward_coefficients, rollouts

N, H = 200_000, 20

FIRST_ROLLOUT = """
import sys, time
import theory.checks.reinforce_check as C
def first(*args, **kwargs):
    print(time.process_time()); sys.exit(0)
C.rollouts = first
from theory.cli import main
main(["check-reinforce"])
"""


def dense(ro: Rollouts, pi: np.ndarray, gamma: float) -> np.ndarray:
    """The former path: dense score coefficients in chunks of 16,384 rollouts."""
    out = np.empty((ro.states.shape[0],) + pi.shape)
    for lo in range(0, ro.states.shape[0], 16384):
        part = Rollouts(ro.states[lo:lo + 16384], ro.actions[lo:lo + 16384], ro.rewards[lo:lo + 16384])
        out[lo:lo + 16384] = per_rollout_estimates(reward_coefficients(part, pi, gamma, "full"), part.rewards)
    return out


def main(rounds: int = 5) -> None:
    engines = ["numpy"] + (["numba"] if _fast.available() else [])
    print(f"check_reinforce end to end: {N:,} rollouts of {H} steps; million rollout steps per second (medians of "
          f"{rounds} rounds) and the ratio to the one-uniform ceiling [min, max]")
    gen = np.random.default_rng(0)
    buf = gen.random(N * H)  # touched once: the ceiling pays no page faults
    for S in (10, 100, 1000):
        mdp = random_chain(np.random.default_rng(0), S=S, gamma=0.95, horizon=H)
        for engine in engines:  # compile and warm up outside the timing
            check_reinforce(mdp, n_rollouts=1000, rng=0, engine=engine)
        contenders = {"ceiling": lambda: gen.random(out=buf)}
        contenders |= {e: (lambda e=e: check_reinforce(mdp, n_rollouts=N, rng=0, engine=e)) for e in engines}
        t = interleaved(contenders, repeats=rounds)
        for e in engines:
            ratios = [c / x for c, x in zip(t["ceiling"], t[e])]
            print(f"  {S:>5} states, {e:<6} {N * H / statistics.median(t[e]) / 1e6:7.1f} M/s   ceiling "
                  f"{N * H / statistics.median(t['ceiling']) / 1e6:6.0f} M/s   ratio {statistics.median(ratios):.3f} "
                  f"[{min(ratios):.3f}, {max(ratios):.3f}]")
        if len(engines) == 2:
            print(ratio_line(f"  {S:>5} states: speed-up of numba over numpy", t["numpy"], t["numba"]))

    rng = np.random.default_rng(0)
    mdp = random_chain(rng, S=30, gamma=0.95, horizon=H)
    pi = np.full((30, mdp.A), 1 / mdp.A)
    ro = rollouts(mdp.P, mdp.R, pi, mdp.mu, H, 100_000, rng)
    assert np.allclose(estimates(ro, pi, 0.95, "full"), dense(ro, pi, 0.95), atol=1e-10)
    times = interleaved({"sparse": lambda: estimates(ro, pi, 0.95, "full"), "dense": lambda: dense(ro, pi, 0.95)},
                        repeats=rounds)
    print(ratio_line(f"estimator on 100,000 rollouts, 30 states, H = {H}: speed-up of the sparse score over dense "
                     "coefficients", times["dense"], times["sparse"]))

    cpu = sorted(float(subprocess.run([sys.executable, "-c", FIRST_ROLLOUT], capture_output=True, text=True,
                                      check=True).stdout) for _ in range(5))
    print(f"imagination check-reinforce before its first rollout: {statistics.median(cpu):.2f} s of CPU "
          f"(median of 5 fresh processes, interpreter start included)")


if __name__ == "__main__":
    main()
