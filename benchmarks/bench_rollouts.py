"""Rollout engine throughput against the strongest baselines we can write, measured in one run.

Contenders, interleaved round by round, medians of 5 rounds and the min-max of the per-round ratios:

* the generator's ceiling: one uniform per step, the generator filling a reused (already touched) buffer, the
  draw the engine cannot avoid;
* a vectorised NumPy sampler on the nonzeros only (CSR): ``searchsorted`` of row-offset uniforms in the
  cumulative joint law of (action, next state) restricted to each row's nonzero entries;
* a Numba sampler (when the ``fast`` extra is installed): the engine's loop order (steps outer, rollouts inner) on
  the engine's alias tables and the engine's uniforms, so it reproduces :func:`rollouts` bit for bit (checked);
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


def csr_sampler(P, R, pi, mu, H, n, rng):
    """Vectorised inverse-CDF sampling on the nonzero entries of each row of the joint law (CSR)."""
    S, A = R.shape
    joint = (pi[:, :, None] * P).reshape(S, A * S)
    rows, cols = np.nonzero(joint)
    vals = joint[rows, cols]
    cum = np.cumsum(vals)
    start = np.searchsorted(rows, np.arange(S))  # first nonzero of each row
    before = np.concatenate([[0.0], cum])[start]
    total = np.concatenate([cum[np.r_[start[1:], rows.size] - 1]]) - before
    s = np.searchsorted(np.cumsum(mu), rng.random(n))
    np.minimum(s, S - 1, out=s)
    states, actions = np.empty((H, n), np.intp), np.empty((H, n), np.intp)
    last = np.r_[start[1:], rows.size] - 1
    for t in range(H):
        pos = np.searchsorted(cum, before[s] + rng.random(n) * total[s], side="right")
        np.minimum(pos, last[s], out=pos)
        code = cols[pos]
        states[t], actions[t] = s, code // S
        s = code % S
    return states, actions, R[states, actions]


def numba_sampler():
    """The engine's draws compiled: steps outer, rollouts inner, the engine's tables and uniforms."""
    import numba

    from theory.mdp.rollouts import _BLOCK, _draw, engine_tables

    @numba.njit(cache=True)
    def kernel(u, s0, acc, code_acc, code_ali, next_row, width, code_action, code_state, R, states, actions, rewards, lo):
        H, b = u.shape
        wm1 = float(width - 1)
        base = s0 * width
        cur = s0.copy()
        for t in range(H):
            for k in range(b):
                x = u[t, k] * wm1
                j = int(x)
                idx = base[k] + j
                code = code_acc[idx] if x - j < acc[idx] else code_ali[idx]
                a = code_action[code]
                states[t, lo + k] = cur[k]
                actions[t, lo + k] = a
                rewards[t, lo + k] = R[cur[k], a]
                cur[k] = code_state[code]
                base[k] = next_row[code]

    def sample(P, R, pi, mu, H, n, rng):
        S, A = R.shape
        acc, code_acc, code_ali, next_row, width, mu_acc, mu_alias = engine_tables(P, pi, mu)
        codes = np.arange(A * S)
        states, actions, rewards = np.empty((H, n), np.intp), np.empty((H, n), np.intp), np.empty((H, n))
        for lo in range(0, n, _BLOCK):
            hi = min(lo + _BLOCK, n)
            s0 = _draw(rng.random(hi - lo), np.zeros(hi - lo, dtype=np.intp), S, mu_acc, mu_alias)
            kernel(rng.random((H, hi - lo)), s0, acc, code_acc, code_ali, next_row, width, codes // S, codes % S,
                   np.ascontiguousarray(R), states, actions, rewards, lo)
        return states.T, actions.T, rewards.T

    return sample


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
    from theory.mdp import _fast

    rng = np.random.default_rng(1)
    steps = n * horizon
    buf = rng.random(steps)  # touched once: the ceiling pays no page faults
    contenders = {"engine": rollouts, "csr": csr_sampler}
    if _fast.available():
        contenders["numba"] = numba_sampler()
    print(f"{steps} steps per call ({n} rollouts x {horizon} steps); M steps/s are medians of {rounds} rounds; "
          "ratios [min, max] over rounds")
    print(f"{'MDP':<12} " + " ".join(f"{k:>8}" for k in ["ceiling", *contenders, "bisect"])
          + "   engine/ceiling       engine/csr          engine/bisect" + ("       numba/ceiling" if "numba" in contenders else ""))
    for label, make in (("chain, 10", lambda: random_chain(np.random.default_rng(0), S=10)),
                        ("chain, 100", lambda: random_chain(np.random.default_rng(0), S=100)),
                        ("chain, 1000", lambda: random_chain(np.random.default_rng(0), S=1000)),
                        ("dense, 10", lambda: dense_mdp(np.random.default_rng(0), 10)),
                        ("dense, 100", lambda: dense_mdp(np.random.default_rng(0), 100)),
                        ("dense, 1000", lambda: dense_mdp(np.random.default_rng(0), 1000))):
        m = make()
        P, R, pi, mu = (m.P, m.R, m.pi, m.mu) if hasattr(m, "P") else m
        if "numba" in contenders:  # the compiled sampler reproduces the engine exactly (and is compiled here)
            ours = rollouts(P, R, pi, mu, horizon, 1000, np.random.default_rng(3))
            theirs = contenders["numba"](P, R, pi, mu, horizon, 1000, np.random.default_rng(3))
            assert all(np.array_equal(a, b) for a, b in zip((ours.states, ours.actions, ours.rewards), theirs))
        t = {k: [] for k in ["ceiling", *contenders, "bisect"]}
        for _ in range(rounds):
            t["ceiling"].append(timed(lambda: rng.random(out=buf)))
            for name, fn in contenders.items():
                t[name].append(timed(lambda: fn(P, R, pi, mu, horizon, n, rng)))
            t["bisect"].append(timed(lambda: bisect_loop(P, R, pi, mu, horizon, loop_n, rng)) * n / loop_n)
        rate = {k: steps / statistics.median(v) / 1e6 for k, v in t.items()}

        def ratio(a, b):
            r = [y / x for x, y in zip(t[a], t[b])]
            return f"{statistics.median(r):6.2f} [{min(r):.2f}, {max(r):.2f}]"

        print(f"{label:<12} " + " ".join(f"{rate[k]:8.1f}" for k in t) + f"   {ratio('engine', 'ceiling')}   "
              f"{ratio('engine', 'csr')}   {ratio('engine', 'bisect')}"
              + (f"   {ratio('numba', 'ceiling')}" if "numba" in contenders else ""))


if __name__ == "__main__":
    main()
