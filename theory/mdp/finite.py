r"""Finite MDPs: one layout, validation at the boundary, converters, and exact evaluation.

``P[s, a, s']`` transition probabilities, ``R[s, a]`` expected rewards, ``D[s, s']`` a metric on the
states, ``gamma`` in $[0,1]$, ``horizon`` an integer $\ge1$ or ``inf``, ``mu[s]`` the initial
distribution (uniform by default), ``pi[s, a]`` a policy (uniform by default).

Exact evaluation (``docs/theory.md`` section 5): the closed loop $P_\pi(s'|s)=\sum_a\pi(a|s)P(s'|s,a)$,
$r_\pi(s)=\sum_a\pi(a|s)r(s,a)$; the value by a linear solve $(I-\gamma P_\pi)V=r_\pi$ for $H=\infty$
and by backward recursion $V_t=r_\pi+\gamma P_\pi V_{t+1}$, $V_H=0$, for finite $H$; $J=\mu^\top V_0$.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from theory import _validate as V

TOL = 1e-9


@dataclass(frozen=True)
class FiniteMDP:
    """A finite MDP with a state metric; validated on construction (errors name the offending entry)."""

    P: np.ndarray
    R: np.ndarray
    D: np.ndarray
    gamma: float
    horizon: float = math.inf
    mu: np.ndarray | None = None
    pi: np.ndarray | None = None

    def __post_init__(self):
        P = np.asarray(self.P, dtype=float)
        R = np.asarray(self.R, dtype=float)
        D = np.asarray(self.D, dtype=float)
        if P.ndim != 3 or P.shape[0] != P.shape[2] or 0 in P.shape:
            raise V.InputError(f"P must have shape (S, A, S) with S, A >= 1, got {P.shape}")
        S, A = P.shape[:2]
        if R.shape != (S, A):
            raise V.InputError(f"R must have shape (S, A) = {(S, A)}, got {R.shape}")
        if D.shape != (S, S):
            raise V.InputError(f"D must have shape (S, S) = {(S, S)}, got {D.shape}")
        check_kernel(P)
        if not np.isfinite(R).all():
            raise V.InputError("R must be finite")
        check_metric(D)
        g = float(V.in_closed_interval("gamma", self.gamma, 0.0, 1.0))
        h = float(V.horizon(self.horizon))
        if math.isinf(h) and g >= 1:
            raise V.InputError("gamma must be < 1 when the horizon is infinite (the discounted return diverges at gamma = 1)")
        mu = np.full(S, 1.0 / S) if self.mu is None else check_distribution("mu", np.asarray(self.mu, dtype=float), S)
        pi = np.full((S, A), 1.0 / A) if self.pi is None else check_policy(np.asarray(self.pi, dtype=float), S, A)
        # rows within the validation tolerance are projected onto the simplex exactly, so that every
        # later computation (W1 accepts 1e-12) sees probability vectors
        P, mu, pi = (_project(x) for x in (P, mu, pi))
        for name, value in (("P", P), ("R", R), ("D", D), ("gamma", g), ("horizon", h), ("mu", mu), ("pi", pi)):
            object.__setattr__(self, name, value)

    @property
    def S(self) -> int:
        return self.P.shape[0]

    @property
    def A(self) -> int:
        return self.P.shape[1]

    def with_policy(self, pi) -> FiniteMDP:
        return replace(self, pi=pi)


def _project(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, None)
    return x / x.sum(-1, keepdims=True)


def check_kernel(P: np.ndarray, name: str = "P") -> None:
    """Rows of ``P[s, a, :]`` are probability vectors (tolerance 1e-9); the error names the pair and its sum."""
    if not np.isfinite(P).all():
        raise V.InputError(f"{name} must be finite")
    neg = np.argwhere(P < -TOL)
    if neg.size:
        s, a, s2 = neg[0]
        raise V.InputError(f"{name}[{s}, {a}, {s2}] = {P[s, a, s2]:.3g} is negative: probabilities must be >= 0")
    sums = P.sum(-1)
    bad = np.argwhere(np.abs(sums - 1) > TOL)
    if bad.size:
        s, a = bad[0]
        raise V.InputError(f"{name}[{s}, {a}, :] sums to {sums[s, a]:.12g}, not 1 (state {s}, action {a})")


def check_metric(D: np.ndarray) -> None:
    """A metric: finite, zero diagonal, positive off the diagonal, symmetric, triangle inequality (names the triple)."""
    if not np.isfinite(D).all():
        raise V.InputError("D must be finite")
    diag = np.argwhere(np.abs(np.diag(D)) > TOL)
    if diag.size:
        s = diag[0][0]
        raise V.InputError(f"D[{s}, {s}] = {D[s, s]:.3g}: a metric has a zero diagonal")
    asym = np.argwhere(np.abs(D - D.T) > TOL)
    if asym.size:
        i, j = asym[0]
        raise V.InputError(f"D is not symmetric: D[{i}, {j}] = {D[i, j]:.6g} but D[{j}, {i}] = {D[j, i]:.6g}")
    off = ~np.eye(D.shape[0], dtype=bool)
    nonpos = np.argwhere(off & (D <= 0))
    if nonpos.size:
        i, j = nonpos[0]
        raise V.InputError(f"D[{i}, {j}] = {D[i, j]:.3g}: distinct states must be at a positive distance")
    # D[i, k] <= D[i, j] + D[j, k] for all triples, one middle state j at a time: O(S^2) memory
    scale = max(float(D.max()), 1.0)
    for j in range(D.shape[0]):
        excess = D - (D[:, j][:, None] + D[j][None, :])
        if excess.max() > TOL * scale:
            i, k = np.unravel_index(np.argmax(excess), excess.shape)
            raise V.InputError(f"D breaks the triangle inequality at states ({i}, {j}, {k}): "
                               f"D[{i}, {k}] = {D[i, k]:.6g} > D[{i}, {j}] + D[{j}, {k}] = {D[i, j] + D[j, k]:.6g}")


def check_distribution(name: str, p: np.ndarray, S: int) -> np.ndarray:
    if p.shape != (S,):
        raise V.InputError(f"{name} must have shape ({S},), got {p.shape}")
    if not np.isfinite(p).all():
        raise V.InputError(f"{name} must be finite")
    if (p < -TOL).any() or abs(p.sum() - 1) > TOL:
        raise V.InputError(f"{name} must be a probability vector (entries >= 0, sum 1), sums to {p.sum():.12g}")
    return p


def check_policy(pi: np.ndarray, S: int, A: int) -> np.ndarray:
    if pi.shape != (S, A):
        raise V.InputError(f"pi must have shape (S, A) = {(S, A)}, got {pi.shape}")
    if not np.isfinite(pi).all():
        raise V.InputError("pi must be finite")
    sums = pi.sum(1)
    bad = np.flatnonzero((np.abs(sums - 1) > TOL) | (pi < -TOL).any(1))
    if bad.size:
        s = bad[0]
        raise V.InputError(f"pi[{s}, :] must be a probability vector, sums to {sums[s]:.12g}")
    return pi


# --------------------------------------------------------------------------- converters and files
def from_sas_layout(P_ass, R, D, gamma, horizon=math.inf, **kw) -> FiniteMDP:
    """From the ``(A, S, S)`` transition layout (pymdptoolbox) and rewards ``R[s, a]`` or ``R[s, a, s']``
    (then the expected reward over next states, $r(s,a)=\\sum_{s'}P(s'|s,a)R(s,a,s')$)."""
    P = np.transpose(np.asarray(P_ass, dtype=float), (1, 0, 2))
    R = np.asarray(R, dtype=float)
    if R.ndim == 3:
        if R.shape != P.shape:
            raise V.InputError(f"R[s, a, s'] must have shape {P.shape}, got {R.shape}")
        R = (P * R).sum(-1)
    return FiniteMDP(P, R, D, gamma, horizon, **kw)


def from_toy_text(table, D=None, gamma: float = 0.99, horizon=math.inf, mu=None, pi=None) -> FiniteMDP:
    """From the toy-text format ``P[s][a] = [(prob, next_state, reward, terminated), ...]``.

    Rewards are expected over next states; a terminated transition leads to an extra absorbing state
    (index ``S``, reward 0), so returns match the episodic ones. ``D`` defaults to the discrete metric
    (1 between distinct states), which must then be sized ``S + 1`` if given. ``mu`` is the start
    distribution over the table's ``S`` states (Gymnasium's ``initial_state_distrib``, or the start cell);
    without it the start is uniform over the table's states (never the absorbing one). ``pi`` may be
    ``(S, A)`` or ``(S + 1, A)``.
    """
    S = len(table)
    A = len(table[0])
    P = np.zeros((S + 1, A, S + 1))
    R = np.zeros((S + 1, A))
    for s in range(S):
        if len(table[s]) != A:
            raise V.InputError(f"state {s} has {len(table[s])} actions, state 0 has {A}")
        for a in range(A):
            for prob, nxt, rew, done in table[s][a]:
                target = S if done else int(nxt)
                P[s, a, target] += prob
                R[s, a] += prob * rew
    P[S, :, S] = 1.0
    if D is None:
        D = 1.0 - np.eye(S + 1)
    start = np.full(S, 1.0 / S) if mu is None else check_distribution("mu", np.asarray(mu, dtype=float), S)
    if pi is not None and np.shape(pi) == (S, A):
        pi = np.vstack([np.asarray(pi, dtype=float), np.full((1, A), 1.0 / A)])
    return FiniteMDP(P, R, D, gamma, horizon, mu=np.append(start, 0.0), pi=pi)


def save_npz(mdp: FiniteMDP, path: str | Path) -> None:
    """Write keys ``P, R, D, gamma, horizon`` (``-1`` for infinite), ``mu``, ``pi`` (read back by :func:`load_npz`)."""
    path = Path(path)
    if path.is_dir():
        raise V.InputError(f"{path} is a folder; give a file name ending in .npz")
    if path.suffix != ".npz":
        raise V.InputError(f"{path}: the file name must end in .npz (numpy.savez would add it silently)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            _savez(fh, mdp)
    except OSError as err:
        raise V.InputError(f"cannot write {path} ({err.strerror})") from None


def _savez(fh, mdp: FiniteMDP) -> None:
    np.savez(fh, P=mdp.P, R=mdp.R, D=mdp.D, gamma=mdp.gamma, horizon=-1 if math.isinf(mdp.horizon) else mdp.horizon,
             mu=mdp.mu, pi=mdp.pi)


def load_npz(path: str | Path) -> FiniteMDP:
    """Read an MDP file (keys ``P, R, D, gamma, horizon``; optional ``mu``, ``pi``); ``horizon = -1`` is infinite.

    Every way a file can be wrong is an :class:`~theory.InputError` naming the file and the field: not a
    NumPy ``.npz`` archive, a missing key, a field of Python objects or text, a ``gamma`` or ``horizon``
    that is not one number, then everything :class:`FiniteMDP` checks (shapes, finiteness, rows on the
    simplex, the metric axioms). Nothing is ever unpickled.
    """
    def zip_magic(name: str, head: bytes) -> None:
        if head[:4] != b"PK\x03\x04":
            raise V.InputError(f"{name}: not an .npz file (a NumPy zip archive, written by numpy.savez or save_npz)")

    path, raw = V.read_input(path, "an .npz MDP", V.BINARY_LIMIT, zip_magic)
    zip_magic(path, raw)
    try:
        archive = np.load(io.BytesIO(raw), allow_pickle=False)
        data = {k: archive[k] for k in archive.files}
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise V.InputError(f"{path}: a field holds Python objects; an MDP file holds numbers only") from None
        raise V.InputError(f"{path}: not a readable .npz file ({err})") from None
    except Exception as err:  # a broken archive is the user's input, not our bug
        raise V.InputError(f"{path}: not a readable .npz file ({type(err).__name__}: {err})") from None
    missing = [k for k in ("P", "R", "D", "gamma", "horizon") if k not in data]
    if missing:
        raise V.InputError(f"{path}: missing keys {missing} (need P, R, D, gamma, horizon; optional mu, pi)")
    for key, value in data.items():
        if value.dtype.kind not in "biuf":
            raise V.InputError(f"{path}: field {key} must hold numbers, got dtype {value.dtype}")
    for key in ("gamma", "horizon"):
        if data[key].size != 1:
            raise V.InputError(f"{path}: field {key} must be one number, got shape {data[key].shape}")
    if data["P"].ndim != 3 or 0 in data["P"].shape:
        raise V.InputError(f"{path}: field P must have shape (S, A, S) with S, A >= 1, got {data['P'].shape}")
    h = float(data["horizon"].ravel()[0])
    try:
        return FiniteMDP(data["P"], data["R"], data["D"], float(data["gamma"].ravel()[0]), math.inf if h == -1 else h,
                         mu=data.get("mu"), pi=data.get("pi"))
    except V.InputError as err:
        raise V.InputError(f"{path}: {err}") from None


# --------------------------------------------------------------------------- exact evaluation
def closed_loop(P: np.ndarray, R: np.ndarray, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""$P_\pi[s,s']=\sum_a\pi[s,a]P[s,a,s']$ and $r_\pi[s]=\sum_a\pi[s,a]R[s,a]$; leading batch axes broadcast."""
    return np.einsum("...sa,...sat->...st", pi, P), np.einsum("...sa,...sa->...s", pi, R)


def values(P_pi: np.ndarray, r_pi: np.ndarray, gamma: float, horizon: float) -> np.ndarray:
    r"""$V_0$ by a linear solve ($H=\infty$), backward recursion (short $H$) or repeated squaring (long $H$).

    $V_0=(I-\gamma P_\pi)^{-1}r_\pi$ for $H=\infty$, else $V_0=\sum_{t<H}\gamma^t P_\pi^t r_\pi$
    (``docs/theory.md`` section 0): by $v\leftarrow r_\pi+\gamma P_\pi v$ from $v=r_\pi$ when
    $H$ matrix-vector products cost less than $2\log_2H$ matrix products, otherwise by doubling
    (:func:`_doubling_values`), so any horizon up to $10^{12}$ answers in $O(\log H)$ products.
    Batch axes broadcast.
    """
    if math.isinf(horizon):
        S = P_pi.shape[-1]
        return np.linalg.solve(np.eye(S) - gamma * P_pi, r_pi[..., None])[..., 0]
    steps = int(horizon)
    if steps == 0:
        return np.zeros_like(r_pi)
    if steps > 2 * max(math.log2(steps), 1.0) * P_pi.shape[-1]:
        return _doubling_values(P_pi, r_pi, gamma, steps)
    # matmul reaches BLAS (einsum does not for a matrix-vector product); two buffers, no temporaries per step
    shape = np.broadcast_shapes(P_pi.shape[:-1], np.shape(r_pi))
    v, nxt = np.empty(shape), np.empty(shape)
    v[...] = r_pi
    v_col, nxt_col = v[..., None], nxt[..., None]
    for _ in range(steps - 1):
        np.matmul(P_pi, v_col, out=nxt_col)
        nxt *= gamma
        nxt += r_pi
        v, nxt, v_col, nxt_col = nxt, v, nxt_col, v_col
    return v


def _doubling_values(P_pi: np.ndarray, r_pi: np.ndarray, gamma: float, steps: int) -> np.ndarray:
    r"""$\sum_{t<n}M^tr$ with $M=\gamma P_\pi$ by binary powering: with $A_m=M^m$ and $s_m=\sum_{t<m}M^tr$,
    $s_{m+k}=s_m+A_ms_k$ and $A_{m+k}=A_mA_k$; the bits of $n$ from the lowest, about $2\log_2n$
    matrix products in all.

    Squaring doubles a relative error of the row sums (the Perron eigenvalue): left alone, the rounding
    of one product, $10^{-16}$, would grow to $10^{-16}n$, $10^{-4}$ at $n=10^{12}$. Since $P_\pi$ is
    stochastic, every power's rows sum to $\gamma^m$ exactly, and each power is rescaled to that sum
    after its product; the error then grows with $\log n$, not with $n$.
    """
    M = gamma * np.asarray(P_pi, dtype=float)
    stochastic = bool(np.all(np.abs(np.sum(P_pi, axis=-1) - 1.0) <= 1e-9))

    def renormalised(A: np.ndarray, m: int) -> np.ndarray:
        if not stochastic:
            return A
        rows = A.sum(-1, keepdims=True)
        with np.errstate(under="ignore"):
            target = gamma**m
        return np.where(rows > 0, A * (target / np.where(rows > 0, rows, 1.0)), A)

    shape = np.broadcast_shapes(P_pi.shape[:-1], np.shape(r_pi))
    block_sum = np.broadcast_to(r_pi, shape)[..., None].astype(float)  # s_m and A_m for m = 2^k, from m = 1
    block_pow, block_m = renormalised(M, 1), 1
    total, total_pow, total_m = None, None, 0  # s and A of the bits consumed so far
    n = steps
    while True:
        if n & 1:
            if total is None:
                total, total_pow, total_m = block_sum, block_pow, block_m
            else:  # s_{m+k} = s_m + A_m s_k, with m the bits so far
                total = total + total_pow @ block_sum
                total_m += block_m
                total_pow = renormalised(total_pow @ block_pow, total_m)
        n >>= 1
        if not n:
            return total[..., 0]
        block_sum = block_sum + block_pow @ block_sum
        block_m *= 2
        block_pow = renormalised(block_pow @ block_pow, block_m)


def evaluate(mdp: FiniteMDP, pi: np.ndarray | None = None, P: np.ndarray | None = None,
             R: np.ndarray | None = None, horizon: float | None = None) -> float:
    r"""$J(\pi)=\mu^\top V_0$ in the MDP (or with ``P``/``R`` of a learned model, or another ``horizon``, in its place).

    Examples
    --------
    >>> import numpy as np
    >>> m = FiniteMDP(np.array([[[1.0, 0.0]], [[0.0, 1.0]]]), np.array([[1.0], [0.0]]),
    ...               np.array([[0.0, 1.0], [1.0, 0.0]]), gamma=0.5, horizon=math.inf, mu=np.array([1.0, 0.0]))
    >>> evaluate(m)  # 1 + 0.5 + 0.25 + ... = 2
    2.0
    """
    P_pi, r_pi = closed_loop(mdp.P if P is None else P, mdp.R if R is None else R, mdp.pi if pi is None else pi)
    return float(mdp.mu @ values(P_pi, r_pi, mdp.gamma, mdp.horizon if horizon is None else horizon))


def small_mdp(seed: int = 0, S: int = 4, A: int = 2, horizon: int = 5, gamma: float = 0.95) -> FiniteMDP:
    """A random small MDP for the REINFORCE experiments: Dirichlet transitions, Gaussian rewards,
    the discrete metric (the metric plays no role in policy gradients)."""
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.full(S, 0.5), (S, A))
    R = rng.normal(0, 1, (S, A))
    return FiniteMDP(P, R, 1 - np.eye(S), gamma, horizon, mu=np.full(S, 1 / S))
