r"""Deterministic continuous-state systems where true and imagined returns are exact.

The laboratory of the calibration (``docs/theory.md`` section 6): random globally Lipschitz systems
and linear-quadratic systems on a bounded domain, learned models, exact returns.

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


def reward_sup(sys: LipschitzSystems) -> np.ndarray:
    d, m = sys.B.shape[1], sys.B.shape[2]
    return np.abs(sys.w).sum(1) + np.abs(sys.v).sum(1) + _norm(sys.Q) * d + _norm(sys.R) * m


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
