r"""The compiled fast path of the REINFORCE checker (the optional ``fast`` extra: ``pip install ".[fast]"``).

One Numba kernel fuses what the NumPy path does in four passes over ``(n, H)`` and ``(n, S, A)`` arrays: the
rollout engine's alias draws (:func:`theory.mdp.rollouts.rollouts`), the reward noise
(:meth:`theory.mdp.noise.Noise.apply`), the score weights (:func:`theory.mdp.rollouts.score_weights`) and the
batch moments of the per-rollout estimates (:func:`theory.mdp.rollouts.chunk_moments`). It reads the same
uniforms and normals from the same generator, in the same order, and adds in the same order as the NumPy path,
so the two give the same numbers bit for bit (the tests compare them exactly). A rollout touches only the
states it visits: no ``(n, S, A)`` array is built.

Numba is imported on first use only; :func:`available` says whether it can be.
"""

from __future__ import annotations

import functools

import numpy as np

ESTIMATOR_CODES = {"full": 0, "reward-to-go": 1, "reward-to-go-no-discount-weight": 2}


#: Importing Numba and loading the compiled kernel cost about 0.6 s of CPU once per process; the kernel saves about
#: 36 ns a rollout step over NumPy, so ``engine="auto"`` compiles only from this many rollout steps on.
AUTO_MIN_STEPS = 20_000_000


def available() -> bool:
    """True when Numba is installed (the ``fast`` extra); it is not imported here."""
    import importlib.util

    return importlib.util.find_spec("numba") is not None


@functools.cache
def _kernel():
    import numba

    @numba.njit(cache=True, nogil=True)
    def chunk(u0, u, z, acc, code_acc, code_ali, next_row, code_action, code_state, width, mu_acc, mu_alias, R, bias,
              sqrt_var, disc, gamma, estimator, pi, out_mean, out_m2):  # pragma: no cover - compiled
        H, n = u.shape
        S, A = R.shape
        wm1 = float(width - 1)
        has_noise = z.shape[0] > 0
        tile = 16  # rollouts sampled side by side: u[t, k:k + 16] is one contiguous read, as in the NumPy engine
        states = np.empty((tile, H), np.intp)
        actions = np.empty((tile, H), np.intp)
        r = np.empty((tile, H))
        cur = np.empty(tile, np.intp)
        base = np.empty(tile, np.intp)
        w = np.empty(H)
        W = np.zeros(S)
        T = np.zeros((S, A))
        seen = np.zeros(S, np.bool_)
        order = np.empty(H, np.intp)
        visits = np.zeros(S)
        total = np.zeros((S, A))
        entry_state = np.empty(n * H, np.intp)
        entry_g = np.empty((n * H, A))
        entries = 0
        for k0 in range(0, n, tile):
            m_tile = min(tile, n - k0)
            for i in range(m_tile):  # the initial state: Walker's alias on mu, as rollouts._draw
                uk = u0[k0 + i] * S
                j = int(uk)
                if j > S - 1:
                    j = S - 1
                cur[i] = j if uk - j < mu_acc[j] else mu_alias[j]
                base[i] = cur[i] * width
            for t in range(H):  # one uniform a step for (action, next state), as rollouts()
                for i in range(m_tile):
                    x = u[t, k0 + i] * wm1
                    jj = int(x)
                    idx = base[i] + jj
                    code = code_acc[idx] if x - jj < acc[idx] else code_ali[idx]
                    s = cur[i]
                    a = code_action[code]  # tables, not integer division (two divisions cost more than the rest)
                    states[i, t] = s
                    actions[i, t] = a
                    reward = R[s, a] + bias[s, a]
                    if has_noise:
                        reward = reward + sqrt_var[s, a] * z[k0 + i, t]
                    r[i, t] = reward
                    cur[i] = code_state[code]
                    base[i] = next_row[code]
            for i in range(m_tile):
                # the score weights, summed in the NumPy path's order
                if estimator == 0:
                    tot = r[i, 0] * disc[0]
                    for t in range(1, H):
                        tot += r[i, t] * disc[t]
                    for t in range(H):
                        w[t] = tot
                elif estimator == 1:
                    tail = r[i, H - 1] * disc[H - 1]
                    w[H - 1] = tail
                    for t in range(H - 2, -1, -1):
                        tail = tail + r[i, t] * disc[t]
                        w[t] = tail
                else:
                    tail = 0.0
                    for t in range(H - 1, -1, -1):
                        tail = r[i, t] + gamma * tail
                        w[t] = tail
                # the estimate touches the visited states only: g(s, a) = T(s, a) - W(s) pi(a | s)
                m = 0
                for t in range(H):
                    st = states[i, t]
                    W[st] += w[t]
                    T[st, actions[i, t]] += w[t]
                    if not seen[st]:
                        seen[st] = True
                        order[m] = st
                        m += 1
                for q in range(m):
                    st = order[q]
                    visits[st] += 1.0
                    entry_state[entries] = st
                    for a in range(A):
                        g = T[st, a] - W[st] * pi[st, a]
                        total[st, a] += g
                        entry_g[entries, a] = g
                        T[st, a] = 0.0
                    W[st] = 0.0
                    seen[st] = False
                    entries += 1
        for st in range(S):
            for a in range(A):
                out_mean[st, a] = total[st, a] / n
                out_m2[st, a] = 0.0
        for e in range(entries):
            st = entry_state[e]
            for a in range(A):
                d = entry_g[e, a] - out_mean[st, a]
                out_m2[st, a] += d * d
        for st in range(S):
            for a in range(A):
                out_m2[st, a] += (n - visits[st]) * (out_mean[st, a] * out_mean[st, a])

    return chunk


def chunk_moments(P: np.ndarray, R: np.ndarray, pi: np.ndarray, mu: np.ndarray, horizon: int, n: int,
                  rng: np.random.Generator, gamma: float, estimator: str, noise,
                  tables: tuple | None = None) -> tuple[int, np.ndarray, np.ndarray]:
    """The moments of :func:`theory.mdp.rollouts.chunk_moments` for ``n`` new rollouts with ``noise`` on their rewards:
    ``rollouts``, ``Noise.apply`` and ``chunk_moments`` of the NumPy path, fused and compiled, bit for bit.
    ``tables``: :func:`theory.mdp.rollouts.engine_tables` of ``P``, ``pi`` and ``mu``, when the caller keeps them."""
    from theory.mdp.rollouts import _BLOCK, engine_tables

    S, A = R.shape
    H = int(horizon)
    acc, code_acc, code_ali, next_row, width, mu_acc, mu_alias = tables or engine_tables(P, pi, mu)
    # the generator is read exactly as rollouts() and Noise.apply read it: per block the initial uniforms, then
    # the (H, block) step uniforms; after every block, the (n, H) normals of the noise
    u0 = np.empty(n)
    u = np.empty((H, n))
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        u0[lo:hi] = rng.random(hi - lo)
        u[:, lo:hi] = rng.random((H, hi - lo))
    var = noise.variance(S, A)
    z = rng.standard_normal((n, H)) if var.any() else np.empty((0, H))
    mean, m2 = np.empty((S, A)), np.empty((S, A))
    codes = np.arange(A * S)
    _kernel()(u0, u, z, acc, code_acc, code_ali, next_row, codes // S, codes % S, width, mu_acc, mu_alias,
              np.ascontiguousarray(R, dtype=float),
              noise.bias_table(S, A).astype(float), np.sqrt(var), gamma ** np.arange(H), float(gamma),
              ESTIMATOR_CODES[estimator], np.ascontiguousarray(pi, dtype=float), mean, m2)
    return n, mean, m2
