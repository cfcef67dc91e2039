r"""Tabular softmax policies, a vectorised rollout engine and REINFORCE estimators (``docs/theory.md`` section 4).

Policy $\pi_\theta(a|s)\propto e^{\theta_{s,a}}$; score $\nabla_\theta\log\pi_\theta(a|s)=e_s\otimes(e_a-\pi_\theta(\cdot|s))$.

Every estimator here is affine in the rewards, $\hat g=\sum_t r_t\,c_t(\tau)-\beta(\tau)$, and is computed
from the *reward coefficients* $c_t=\partial\hat g/\partial r_t$ (an $S\times A$ array per step):

* ``"full"``: $\tilde G\,S(\tau)$ with $\tilde G=\sum_t\gamma^t\tilde r_t$: $c_t=\gamma^t S(\tau)$.
* ``"reward-to-go"``: $\sum_t\gamma^t\psi_t\tilde G_t$: $c_t=\gamma^t\sum_{u\le t}\psi_u$.
* ``"reward-to-go-no-discount-weight"``: $\sum_t\psi_t\tilde G_t$, the common variant without the
  leading $\gamma^t$: $c_t=\sum_{u\le t}\gamma^{t-u}\psi_u$; biased for $\nabla J$ when $\gamma<1$.

with $\psi_t=\nabla_\theta\log\pi_\theta(a_t|s_t)$ and $S(\tau)=\sum_t\psi_t$.
"""

from __future__ import annotations

import hashlib

from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory._memory import keep_freed_arrays

ESTIMATORS = ("full", "reward-to-go", "reward-to-go-no-discount-weight")


def softmax_policy(theta: np.ndarray) -> np.ndarray:
    """$\\pi_\\theta[s,a]$, numerically stable."""
    z = theta - theta.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


@dataclass(frozen=True)
class Rollouts:
    """``N`` rollouts of horizon ``H``: ``states``, ``actions`` (``(N, H)`` int) and mean rewards ``rewards`` (``(N, H)``)."""

    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray


def alias_table(prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias tables (Vose's construction) for every row of ``prob (rows, K)``, built for all rows at once.

    A draw from row ``k`` with one uniform ``u``: ``j = floor(u K)``, then ``j`` if ``frac(u K) < accept[k, j]``
    else ``alias[k, j]``: constant time, no search. Vose's pairing of a small and a large column runs in
    lockstep across the rows (at most ``K`` vectorised passes), so no Python loop visits a row."""
    rows = np.asarray(prob, dtype=float).reshape(-1, np.shape(prob)[-1])
    n_rows, K = rows.shape
    scaled = rows * (K / rows.sum(1, keepdims=True))
    accept = np.ones((n_rows, K))
    alias = np.tile(np.arange(K), (n_rows, 1))
    is_small = scaled < 1.0
    order = np.argsort(~is_small, axis=1, kind="stable")  # small columns first
    small, large = order.copy(), order[:, ::-1].copy()  # two stacks per row, tops at n_small - 1 and n_large - 1
    n_small = is_small.sum(1)
    n_large = K - n_small
    active = np.flatnonzero((n_small > 0) & (n_large > 0))
    while active.size:
        r = active
        n_small[r] -= 1
        n_large[r] -= 1
        j, big = small[r, n_small[r]], large[r, n_large[r]]
        accept[r, j] = scaled[r, j]
        alias[r, j] = big
        scaled[r, big] -= 1.0 - scaled[r, j]
        to_small = scaled[r, big] < 1.0
        rs, rl = r[to_small], r[~to_small]
        small[rs, n_small[rs]] = big[to_small]
        n_small[rs] += 1
        large[rl, n_large[rl]] = big[~to_small]
        n_large[rl] += 1
        active = r[(n_small[r] > 0) & (n_large[r] > 0)]
    return accept.ravel(), alias.ravel()


def _draw(u: np.ndarray, row: np.ndarray, K: int, accept: np.ndarray, alias: np.ndarray) -> np.ndarray:
    uk = u * K
    j = uk.astype(np.intp)
    np.minimum(j, K - 1, out=j)
    idx = row * K + j
    return np.where(uk - j < accept[idx], j, alias[idx])


_BLOCK = 8192


def _tables(joint: np.ndarray, mu: np.ndarray, S: int):
    """The engine's alias tables for a joint law, cached by content (the nonzero entries, hashed), so the same
    MDP and policy build once; a sparse kernel hashes only its few nonzeros."""
    rows, cols = np.nonzero(joint)
    digest = hashlib.blake2b(digest_size=16)
    for part in (rows, cols, joint[rows, cols], mu):
        digest.update(np.ascontiguousarray(part).tobytes())
    key = digest.digest() + bytes(str(joint.shape), "ascii")
    hit = _TABLES.get(key)
    if hit is None:
        hit = _TABLES[key] = _build_tables(joint, mu, S)
        if len(_TABLES) > 8:
            _TABLES.pop(next(iter(_TABLES)))
    return hit


_TABLES: dict[bytes, tuple] = {}


def _build_tables(joint: np.ndarray, mu: np.ndarray, S: int):
    K = joint.shape[1]
    # keep only the outcomes with positive probability: rows of real kernels are sparse, so the tables
    # are narrow (width Kc, the most outcomes of any state) and a draw touches little memory
    rows, cols = np.nonzero(joint > 0)
    counts = np.bincount(rows, minlength=S)
    Kc = int(counts.max())
    position = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
    first = np.repeat(cols[np.cumsum(counts) - 1][:, None], Kc, 1)  # padding: the row's last outcome, probability 0
    first[rows, position] = cols
    probs = np.zeros((S, Kc))
    probs[rows, position] = joint[rows, cols]
    acc, ali = alias_table(probs)
    acc, ali = acc.reshape(S, Kc), ali.reshape(S, Kc)
    # tables of outcome codes: the column's own code when accepted, its alias's code otherwise; a padding
    # column (never accepted) catches u * Kc rounding up to Kc
    code_acc = np.concatenate([first, first[:, -1:]], 1).ravel()
    code_ali = np.concatenate([np.take_along_axis(first, ali, 1), first[:, -1:]], 1).ravel()
    acc = np.concatenate([acc, np.zeros((S, 1))], 1).ravel()
    width = Kc + 1
    next_row = (np.arange(K) % S) * width  # row offset of the next state's table, by outcome code
    mu_acc, mu_alias = alias_table(mu[None, :])
    return acc, code_acc, code_ali, next_row, width, mu_acc, mu_alias


def engine_tables(P: np.ndarray, pi: np.ndarray, mu: np.ndarray) -> tuple:
    """The alias tables of the joint law of (action, next state), for :func:`rollouts` ``tables=``: built once
    when the same MDP and policy are sampled in many batches (the checker's), instead of hashed each call."""
    S, A = pi.shape
    joint = (pi[:, :, None] * P).reshape(S, A * S)  # outcome code = a * S + s'
    return _tables(joint, np.asarray(mu, dtype=float), S)


def rollouts(P: np.ndarray, R: np.ndarray, pi: np.ndarray, mu: np.ndarray, horizon: int, n: int,
             rng: np.random.Generator, tables: tuple | None = None) -> Rollouts:
    r"""Run ``n`` rollouts of ``horizon`` steps at once (no Python loop over rollouts).

    Each step draws the pair (action, next state) from its joint law $\pi(a|s)P(s'|s,a)$ with *one*
    uniform by Walker's alias method (:func:`alias_table`), in constant time per draw. Rollouts run
    in cache-sized blocks. ``P[s, a, s']`` may be a true or a learned model; ``tables`` are
    :func:`engine_tables` of the same ``P``, ``pi`` and ``mu``, when the caller keeps them.
    """
    S, A = R.shape
    if int(horizon) != horizon or horizon < 1:
        raise V.InputError(f"horizon must be an integer >= 1 for rollouts, got {horizon}")
    if int(n) != n or n < 1:
        raise V.InputError(f"number of rollouts must be an integer >= 1, got {n}")
    H, n = int(horizon), int(n)
    K = A * S
    keep_freed_arrays()  # once per process: a caller's chunks then reuse the heap, not fresh pages (theory/_memory.py)
    acc, code_acc, code_ali, next_row, width, mu_acc, mu_alias = tables or engine_tables(P, pi, mu)
    # native-width (intp) indices throughout: NumPy gathers with them several times faster than with int32
    codes = np.empty((H + 1, n), dtype=np.intp)  # row 0: the initial state (as the code of action 0)
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        s0 = _draw(rng.random(hi - lo), np.zeros(hi - lo, dtype=np.intp), S, mu_acc, mu_alias)
        codes[0, lo:hi] = s0
        base = s0 * width
        u = rng.random((H, hi - lo))
        u *= width - 1
        for t in range(H):
            j = u[t].astype(np.intp)
            idx = base + j
            code = np.where(u[t] - j < acc[idx], code_acc[idx], code_ali[idx])
            codes[t + 1, lo:hi] = code
            base = next_row[code]
    # decode in the (H, n) layout, where every pass is contiguous; the (n, H) results are transposed views
    actions = (np.arange(K) // S)[codes[1:]]
    states = np.empty((H, n), dtype=np.intp)
    states[0] = codes[0]
    states[1:] = (np.arange(K) % S)[codes[1:-1]]
    rewards = R.ravel()[states * A + actions]
    return Rollouts(states.T, actions.T, rewards.T)


def reward_coefficients(ro: Rollouts, pi: np.ndarray, gamma: float, estimator: str) -> np.ndarray:
    r"""$c_t=\partial\hat g/\partial r_t$ for every rollout and step: shape ``(N, H, S, A)`` (module docstring)."""
    if estimator not in ESTIMATORS:
        raise V.InputError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    N, H = ro.states.shape
    S, A = pi.shape
    psi = np.zeros((N, H, S, A))
    n_idx, t_idx = np.meshgrid(np.arange(N), np.arange(H), indexing="ij")
    psi[n_idx, t_idx, ro.states] -= pi[ro.states]
    psi[n_idx, t_idx, ro.states, ro.actions] += 1.0
    disc = gamma ** np.arange(H)
    if estimator == "full":
        return disc[None, :, None, None] * psi.sum(1, keepdims=True)
    if estimator == "reward-to-go":
        return disc[None, :, None, None] * np.cumsum(psi, axis=1)
    # sum_{u<=t} gamma^(t-u) psi_u, by the recursion c_t = gamma c_{t-1} + psi_t
    out = np.empty_like(psi)
    acc = np.zeros((N, S, A))
    for t in range(H):
        acc = gamma * acc + psi[:, t]
        out[:, t] = acc
    return out


def per_rollout_estimates(coef: np.ndarray, rewards: np.ndarray, baseline: np.ndarray | None = None) -> np.ndarray:
    r"""$\hat g^{(k)}=\sum_t(r_t-b_t)\,c_t$ for each rollout: ``(N, S, A)``.

    ``baseline`` (``(N, H)``), subtracted from each step's reward: a state baseline $b(s_t)$ (unbiased
    when it does not depend on the rollout's own actions), or a batch baseline from
    :func:`batch_baseline`. For the full-return estimator a constant per rollout is the usual form.
    """
    r = rewards if baseline is None else rewards - baseline
    return np.einsum("nt,ntsa->nsa", r, coef)


def score_weights(rewards: np.ndarray, gamma: float, estimator: str) -> np.ndarray:
    r"""The weight $w_u$ of each step's score $\psi_u=\nabla_\theta\log\pi(a_u\mid s_u)$ in $\hat g=\sum_uw_u\psi_u$: ``(N, H)``.

    Exchanging the sums of the module docstring's coefficients: the full return gives $w_u=\sum_t\gamma^tr_t$
    for every $u$; reward-to-go $w_u=\sum_{t\ge u}\gamma^tr_t$; reward-to-go without the leading $\gamma^t$
    $w_u=\sum_{t\ge u}\gamma^{t-u}r_t$.
    """
    if estimator not in ESTIMATORS:
        raise V.InputError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    H = rewards.shape[1]
    disc = gamma ** np.arange(H)
    dr = rewards * disc
    if estimator == "full":
        # summed step by step, not by NumPy's pairwise sum: the compiled path (theory.mdp._fast) adds in this order
        total = dr[:, 0].copy()
        for t in range(1, H):
            total += dr[:, t]
        return np.broadcast_to(total[:, None], rewards.shape)
    tail = np.cumsum(dr[:, ::-1], axis=1)[:, ::-1]  # sum_{t >= u} gamma^t r_t
    if estimator == "reward-to-go":
        return tail
    # sum_{t>=u} gamma^(t-u) r_t by the backward recursion w_u = r_u + gamma w_{u+1} (no division by gamma^u)
    out = np.empty_like(rewards, dtype=float)
    acc = np.zeros(rewards.shape[0])
    for u in range(H - 1, -1, -1):
        acc = rewards[:, u] + gamma * acc
        out[:, u] = acc
    return out


def estimates(ro: Rollouts, pi: np.ndarray, gamma: float, estimator: str, rewards: np.ndarray | None = None,
              baseline: np.ndarray | None = None) -> np.ndarray:
    r"""Per-rollout estimates $\hat g^{(k)}$ ``(N, S, A)`` from ``rewards`` (default: the rollouts' mean rewards).

    The score of a softmax policy at $(s,a)$ touches one row of $\theta$:
    $\psi_u(s,a)=[s=s_u]\big([a=a_u]-\pi(a\mid s_u)\big)$, so
    $\hat g(s,a)=\sum_{u:s_u=s,a_u=a}w_u-\pi(a\mid s)\sum_{u:s_u=s}w_u$ with the weights of
    :func:`score_weights`: two ``bincount`` s over the steps taken, $O(NH+NSA)$ work, nothing of size
    $N\times H\times S\times A$ (:func:`reward_coefficients` with :func:`per_rollout_estimates` is the dense
    reference the tests compare with).
    """
    r = ro.rewards if rewards is None else rewards
    if baseline is not None:
        r = r - baseline
    w = score_weights(np.asarray(r, dtype=float), gamma, estimator)
    N = r.shape[0]
    S, A = pi.shape
    row = np.arange(N)[:, None] * S + ro.states  # (N, H): which (rollout, state) row each step touches
    per_row = np.bincount(row.ravel(), weights=w.ravel(), minlength=N * S).reshape(N, S)
    taken = np.bincount((row * A + ro.actions).ravel(), weights=w.ravel(), minlength=N * S * A).reshape(N, S, A)
    taken -= per_row[:, :, None] * pi[None]
    return taken


def batch_baseline(rewards: np.ndarray, kind: str, batch: int) -> np.ndarray:
    """Per-step batch baselines over consecutive batches of ``batch`` rollouts: ``"leave-one-out"`` (the
    mean of the *other* rollouts' rewards at each step: unbiased) or ``"batch-mean"`` (includes the
    rollout itself: biased by the factor 1 - 1/batch on the gradient)."""
    N, H = rewards.shape
    if batch < 2 or N % batch:
        raise V.InputError(f"batch must be >= 2 and divide the number of rollouts {N}, got {batch}")
    r = rewards.reshape(N // batch, batch, H)
    total = r.sum(1, keepdims=True)
    if kind == "leave-one-out":
        b = (total - r) / (batch - 1)
    elif kind == "batch-mean":
        b = np.broadcast_to(total / batch, r.shape)
    else:
        raise V.InputError(f"batch baseline must be 'leave-one-out' or 'batch-mean', got {kind!r}")
    return b.reshape(N, H)


def chunk_moments(ro: Rollouts, pi: np.ndarray, gamma: float, estimator: str,
                  rewards: np.ndarray | None = None) -> tuple[int, np.ndarray, np.ndarray]:
    r"""Count, mean and sum of squared deviations of the per-rollout estimates $\hat g^{(k)}$ of a batch: the
    moments the checker merges batch by batch.

    $\hat g^{(k)}(s,\cdot)$ vanishes exactly when rollout $k$ never visits $s$, so with $v_s$ the rollouts that do,
    $M_2(s,a)=\sum_{k\text{ visits }s}(\hat g^{(k)}(s,a)-m(s,a))^2+(n-v_s)\,m(s,a)^2$. Every sum runs over the
    rollouts in order, on the visited (rollout, state) cells only (no ``(n, S, A)`` array); the compiled path
    (:mod:`theory.mdp._fast`) computes the same numbers bit for bit.
    """
    r = ro.rewards if rewards is None else rewards
    w = score_weights(np.asarray(r, dtype=float), gamma, estimator)
    n = r.shape[0]
    S, A = pi.shape
    # the (rollout, state) cells a rollout visits, numbered in rollout order; each step finds its cell's number.
    # Steps are read in the engine's (H, n) layout, where every array here is contiguous: a cell belongs to one
    # rollout, so its steps still come in the order they were taken
    states, actions, weights = ro.states.T, ro.actions.T, np.ascontiguousarray(w.T).ravel()
    cell = (states + np.arange(n) * S).ravel()
    visited = np.zeros(n * S, dtype=bool)
    visited[cell] = True
    cells = np.flatnonzero(visited)
    number = np.empty(n * S, dtype=np.int32)  # half the memory of intp: the lookup below stays in cache longer
    number[cells] = np.arange(cells.size, dtype=np.int32)
    entry = number[cell]
    # per cell, the weights added step by step (bincount adds in input order)
    W = np.bincount(entry, weights=weights, minlength=cells.size)
    T = np.bincount(entry * A + actions.ravel(), weights=weights, minlength=cells.size * A)
    state = cells % S
    bins = (state[:, None] * A + np.arange(A)).ravel()  # the cells in rollout order: every bin adds in that order
    # g = T - W pi(a | s) and (g - mean)^2, in place: the same operations, without temporaries
    scratch = pi.ravel()[bins]
    np.multiply(scratch.reshape(-1, A), W[:, None], out=scratch.reshape(-1, A))
    g = np.subtract(T, scratch, out=T)
    mean = np.bincount(bins, weights=g, minlength=S * A) / n
    np.subtract(g, mean[bins], out=scratch)
    m2 = np.bincount(bins, weights=np.square(scratch, out=scratch), minlength=S * A).reshape(S, A)
    mean = mean.reshape(S, A)
    m2 += (n - np.bincount(state, minlength=S).astype(float))[:, None] * mean**2
    return n, mean, m2
