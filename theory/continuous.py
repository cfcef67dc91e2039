r"""Deterministic continuous-state systems where true and imagined returns are exact.

Checks the bound E3 away from tabular MDPs, and calibrates it the way the paper did
(``DESIGN.md`` section 6): random globally Lipschitz systems and linear-quadratic systems
on a bounded domain.

A batch of systems on the box $S=[-1,1]^d$, $A=[-1,1]^m$, Euclidean norms, sum metric on
$(s,a)$:

.. math::
    s_{t+1}=\phi(A s_t+B a_t),\quad a_t=\phi(K s_t),\quad
    r(s,a)=w^\top s+v^\top a-s^\top Q s-a^\top R a,

with $\phi=\tanh$ (``"tanh"``) or the projection onto the box (``"clip"``); both are
1-Lipschitz and map into the box. Constants (sum metric):
$K_f=\max(\|A\|_2,\|B\|_2)$, $K_\pi=\|K\|_2$,
$K_r=\max(\|w\|+2\|Q\|_2\sqrt d,\ \|v\|+2\|R\|_2\sqrt m)$ (sup of the gradient norms on the box);
the check uses the tighter closed-loop constants of :meth:`LipschitzSystems.closed_loop_constants`.
Model errors are sup-norm upper bounds on the box (valid, so the bound stays valid):
$\varepsilon_{dyn}\le\|\Delta A\|_2\sqrt d+\|\Delta B\|_2\sqrt m$ and
$\varepsilon_{rew}\le\|\Delta w\|_1+\|\Delta v\|_1+\|\Delta Q\|_2 d+\|\Delta R\|_2 m$
(exact for the linear part).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.linalg

from . import _validate as V
from .bound import exceeds, return_bound


@dataclass(frozen=True)
class LipschitzSystems:
    """A batch of ``n`` deterministic systems; array shapes ``A (n,d,d)``, ``B (n,d,m)``, ``K (n,m,d)``,
    ``w (n,d)``, ``v (n,m)``, ``Q (n,d,d)``, ``R (n,m,m)``; ``phi`` is ``"tanh"`` or ``"clip"``."""

    A: np.ndarray
    B: np.ndarray
    K: np.ndarray
    w: np.ndarray
    v: np.ndarray
    Q: np.ndarray
    R: np.ndarray
    phi: str

    @property
    def n(self) -> int:
        return self.A.shape[0]

    def squash(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x) if self.phi == "tanh" else np.clip(x, -1.0, 1.0)

    def reward(self, s: np.ndarray, a: np.ndarray) -> np.ndarray:
        """$r(s,a)$ for states ``(n, k, d)`` and actions ``(n, k, m)``."""
        lin = np.einsum("nd,nkd->nk", self.w, s) + np.einsum("nm,nkm->nk", self.v, a)
        quad = np.einsum("nkd,nde,nke->nk", s, self.Q, s) + np.einsum("nkm,nml,nkl->nk", a, self.R, a)
        return lin - quad

    def constants(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r"""Structured $(K_f, K_r, K_\pi)$ per system (see the module docstring)."""
        G_s, G_a = self._reward_gradient_bounds()
        return np.maximum(_norm(self.A), _norm(self.B)), np.maximum(G_s, G_a), _norm(self.K)

    def closed_loop_constants(self) -> tuple[np.ndarray, np.ndarray]:
        r"""Closed-loop $(L, K_{r\pi})$: $L=\|A\|+\|B\|\|K\|$ and $K_{r\pi}=G_s+G_a\|K\|$, with $G_s$, $G_a$
        the sup of the reward's gradient norms in $s$ and $a$ on the box. Never larger than the structured
        $K_f(1+K_\pi)$ and $K_r(1+K_\pi)$ (``DESIGN.md`` section 0)."""
        G_s, G_a = self._reward_gradient_bounds()
        k = _norm(self.K)
        return _norm(self.A) + _norm(self.B) * k, G_s + G_a * k

    def _reward_gradient_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        d, m = self.B.shape[1], self.B.shape[2]
        return (np.linalg.norm(self.w, axis=1) + 2 * _norm(self.Q) * np.sqrt(d),
                np.linalg.norm(self.v, axis=1) + 2 * _norm(self.R) * np.sqrt(m))


def _norm(X: np.ndarray) -> np.ndarray:
    """Spectral norms of a stack of matrices."""
    return np.linalg.norm(X, 2, axis=(1, 2))


def model_errors(true: LipschitzSystems, learned: LipschitzSystems) -> tuple[np.ndarray, np.ndarray]:
    r"""Upper bounds on $(\varepsilon_{dyn},\varepsilon_{rew})$ over the box (module docstring)."""
    d, m = true.B.shape[1], true.B.shape[2]
    eps_dyn = _norm(learned.A - true.A) * np.sqrt(d) + _norm(learned.B - true.B) * np.sqrt(m)
    eps_rew = (
        np.abs(learned.w - true.w).sum(1)
        + np.abs(learned.v - true.v).sum(1)
        + _norm(learned.Q - true.Q) * d
        + _norm(learned.R - true.R) * m
    )
    return eps_dyn, eps_rew


def returns(sys: LipschitzSystems, s0: np.ndarray, gamma: float, steps: int) -> np.ndarray:
    """Exact discounted return over ``steps`` steps, averaged over initial states ``s0 (n, k, d)``."""
    s = s0
    total = np.zeros(s0.shape[:2])
    for step in range(steps):
        a = sys.squash(np.einsum("nmd,nkd->nkm", sys.K, s))
        total += gamma**step * sys.reward(s, a)
        s = sys.squash(np.einsum("nde,nke->nkd", sys.A, s) + np.einsum("ndm,nkm->nkd", sys.B, a))
    return total.mean(axis=1)


def _reward_sup(sys: LipschitzSystems) -> np.ndarray:
    d, m = sys.B.shape[1], sys.B.shape[2]
    return np.abs(sys.w).sum(1) + np.abs(sys.v).sum(1) + _norm(sys.Q) * d + _norm(sys.R) * m


@dataclass(frozen=True)
class GapCheck:
    """Per-system exact gap, bounds with each model's constants, and the smaller bound."""

    gap: np.ndarray
    bound_true: np.ndarray
    bound_learned: np.ndarray
    bound: np.ndarray
    ratio: np.ndarray  # gap / bound (0 where the bound is infinite)
    tail: np.ndarray  # truncation error of the returns (0 for finite horizons)

    @property
    def violations(self) -> int:
        """Systems whose gap exceeds the bound by more than the truncation tail and float round-off."""
        return int(np.sum(exceeds(self.gap, self.bound, self.tail)))


def check_gap(true: LipschitzSystems, learned: LipschitzSystems, s0: np.ndarray, gamma: float, horizon) -> GapCheck:
    r"""$|J-\hat J|$ against $B$ (E3) with the true and the learned closed-loop constants.

    For $H=\infty$ the returns are truncated at $T$ steps, with $\gamma^T<10^{-12}$; the truncation tail
    $\gamma^T(\sup|r|+\sup|\hat r|)/(1-\gamma)$ is reported, and a violation must exceed it.
    """
    h = V.horizon(horizon)
    g = float(V.in_closed_interval("gamma", gamma, 0, 1))
    if np.isinf(h):
        if g >= 1:
            raise V.InputError("gamma must be < 1 when the horizon is infinite")
        steps = int(np.ceil(np.log(1e-12) / np.log(max(g, 1e-12)))) if g > 0 else 1
        tail = g**steps * (_reward_sup(true) + _reward_sup(learned)) / (1 - g)
    else:
        steps, tail = int(h), np.zeros(true.n)
    gap = np.abs(returns(true, s0, g, steps) - returns(learned, s0, g, steps))
    eps_dyn, eps_rew = model_errors(true, learned)
    b_true, b_learn = (return_bound(g, horizon, eps_dyn, eps_rew, **dict(zip(("L", "K_rpi"), sys.closed_loop_constants()))).bound
                       for sys in (true, learned))
    b = np.minimum(b_true, b_learn)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.isfinite(b) & (b > 0), gap / b, 0.0)
    return GapCheck(gap, b_true, b_learn, b, ratio, tail)


# --------------------------------------------------------------------------- generators
def _scaled(rng, shape, norms):
    X = rng.standard_normal(shape)
    return X * (norms / np.linalg.norm(X, 2, axis=(-2, -1)))[:, None, None]


def random_lipschitz_systems(rng: np.random.Generator, n: int, d: int = 3, m: int = 2) -> LipschitzSystems:
    """Globally Lipschitz synthetic systems: ``tanh`` dynamics, linear reward, spectral norms in [0.3, 1.2]."""
    return LipschitzSystems(
        A=_scaled(rng, (n, d, d), rng.uniform(0.3, 1.2, n)),
        B=_scaled(rng, (n, d, m), rng.uniform(0.3, 1.2, n)),
        K=_scaled(rng, (n, m, d), rng.uniform(0.1, 0.8, n)),
        w=rng.standard_normal((n, d)) / np.sqrt(d),
        v=rng.standard_normal((n, m)) / np.sqrt(m),
        Q=np.zeros((n, d, d)),
        R=np.zeros((n, m, m)),
        phi="tanh",
    )


def random_lq_systems(rng: np.random.Generator, n: int, d: int = 3, m: int = 2) -> LipschitzSystems:
    """Linear-quadratic systems on the box: clipped linear dynamics, quadratic cost, the LQR gain
    (discrete algebraic Riccati equation) clipped to the action box. Deterministic: the
    Gaussian noise of LQG is left out so returns are exact."""
    A = _scaled(rng, (n, d, d), rng.uniform(0.5, 1.1, n))
    B = _scaled(rng, (n, d, m), rng.uniform(0.3, 1.0, n))
    Q = np.stack([np.diag(rng.uniform(0.1, 1.0, d)) for _ in range(n)])
    R = np.stack([np.diag(rng.uniform(0.05, 0.5, m)) for _ in range(n)])
    K = np.empty((n, m, d))
    for j in range(n):
        P = scipy.linalg.solve_discrete_are(A[j], B[j], Q[j], R[j])
        K[j] = -np.linalg.solve(R[j] + B[j].T @ P @ B[j], B[j].T @ P @ A[j])
    return LipschitzSystems(A, B, K, np.zeros((n, d)), np.zeros((n, m)), Q, R, "clip")


def perturb(rng: np.random.Generator, sys: LipschitzSystems, scale: np.ndarray) -> LipschitzSystems:
    """A learned model: every model coefficient moved by a relative Gaussian error of size ``scale`` (per system).
    The policy is shared, as in training in imagination."""
    def move(X):
        noise = rng.standard_normal(X.shape)
        return X + scale.reshape((-1,) + (1,) * (X.ndim - 1)) * noise * (np.abs(X).mean(axis=tuple(range(1, X.ndim)), keepdims=True) + 1e-3)

    def sym_move(X):
        Y = move(X)
        return np.maximum((Y + np.swapaxes(Y, 1, 2)) / 2, 0) * (np.abs(X) > 0)  # keep diagonal costs >= 0

    return replace(sys, A=move(sys.A), B=move(sys.B), w=move(sys.w), v=move(sys.v),
                   Q=sym_move(sys.Q) if np.any(sys.Q) else sys.Q, R=sym_move(sys.R) if np.any(sys.R) else sys.R)


@dataclass(frozen=True)
class Calibration:
    """Distribution of gap/bound per family, as in ``DESIGN.md`` section 6."""

    family: str
    cases: int
    violations: int
    infinite: int
    median_ratio: float
    max_ratio: float
    ratios: np.ndarray
    gaps: np.ndarray
    bounds: np.ndarray
    paper_median: float

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("family", "cases", "violations", "infinite", "median_ratio", "max_ratio", "paper_median")}


PAPER_MEDIAN = {"lipschitz": 0.0035, "lq": 0.034}


def calibrate(family: str, n: int, seed: int = 0, gammas=(0.9, 0.95, 0.99), horizons=(10, 50, "inf"),
              starts: int = 16) -> Calibration:
    """Random systems of one family, learned models at log-uniform relative errors in [1e-3, 1e-1],
    every (gamma, horizon) configuration cycled across systems; returns the gap/bound distribution."""
    if family not in PAPER_MEDIAN:
        raise V.InputError(f"family must be one of {sorted(PAPER_MEDIAN)}, got {family!r}")
    rng = np.random.default_rng(seed)
    make = random_lipschitz_systems if family == "lipschitz" else random_lq_systems
    configs = [(g, h) for g in gammas for h in horizons]
    gaps, bounds, ratios = [], [], []
    infinite = violations = 0
    for j, (g, h) in enumerate(configs):
        count = n // len(configs) + (j < n % len(configs))
        if count == 0:
            continue
        true = make(rng, count)
        learned = perturb(rng, true, 10 ** rng.uniform(-3, -1, count))
        s0 = rng.uniform(-1, 1, (count, starts, true.A.shape[1]))
        res = check_gap(true, learned, s0, g, h)
        finite = np.isfinite(res.bound)
        infinite += int((~finite).sum())
        violations += res.violations
        gaps.append(res.gap[finite]); bounds.append(res.bound[finite]); ratios.append(res.ratio[finite])  # noqa: E702
    gaps, bounds, ratios = map(np.concatenate, (gaps, bounds, ratios))
    return Calibration(family, n, violations, infinite,
                       float(np.median(ratios)), float(ratios.max()), ratios, gaps, bounds, PAPER_MEDIAN[family])
