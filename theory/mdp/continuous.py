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
        $K_f(1+K_\pi)$ and $K_r(1+K_\pi)$ (``docs/theory.md`` section 0)."""
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


def norm_box_errors(true: LipschitzSystems, learned: LipschitzSystems) -> tuple[np.ndarray, np.ndarray]:
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


# --------------------------------------------------------------------------- linear-quadratic-Gaussian
def box_vertices(d: int) -> np.ndarray:
    """The ``2**d`` vertices of ``[-1, 1]^d``, shape ``(2**d, d)``."""
    return np.array(np.meshgrid(*([[-1.0, 1.0]] * d), indexing="ij")).reshape(d, -1).T


def box_sup_norm(M: np.ndarray) -> np.ndarray:
    r"""$\sup_{s\in[-1,1]^d}\|Ms\|_2$ for a stack ``M (n, k, d)``: exact (a convex function peaks at a vertex)."""
    V = box_vertices(M.shape[-1])
    return np.linalg.norm(np.einsum("nkd,vd->nvk", M, V), axis=2).max(1)


def box_sup_quadratic(M: np.ndarray, pinned: int = 0) -> np.ndarray:
    r"""$\sup_{s\in[-1,1]^d}|s^\top Ms|$ for a stack ``M (n, d, d)``: exact, by the KKT conditions of the box.

    Every local extremum has each coordinate at $-1$, $+1$ or free, and the free ones solve
    $M_{FF}s_F=-M_{FB}s_B$; all $3^d$ patterns are tried (singular blocks, by a condition number above
    $10^{12}$ and so independent of the scale of $M$, are skipped: their extrema are attained on a face
    that another pattern covers). The last ``pinned`` coordinates are held at
    $\pm1$ (a constant coordinate lifts an affine-quadratic function to a quadratic form).
    """
    M = 0.5 * (M + np.swapaxes(M, 1, 2))
    n, d, _ = M.shape
    best = np.zeros(n)
    for pattern in np.array(np.meshgrid(*([[-1, 0, 1]] * d), indexing="ij")).reshape(d, -1).T:
        if pinned and (pattern[d - pinned:] == 0).any():
            continue
        free = pattern == 0
        s = np.broadcast_to(pattern.astype(float), (n, d)).copy()
        if free.any():
            Mff = M[:, free][:, :, free]
            rhs = -np.einsum("nfb,b->nf", M[:, free][:, :, ~free], pattern[~free].astype(float))
            # a scale-free test of singularity (a determinant threshold is not: it skipped every block
            # once the entries were about 1e-6)
            ok = np.linalg.cond(Mff) < 1e12
            sol = np.zeros((n, int(free.sum())))
            if ok.any():
                sol[ok] = np.linalg.solve(Mff[ok], rhs[ok][..., None])[..., 0]
            inside = ok & np.all(np.abs(sol) <= 1 + 1e-12, axis=1)
            s[:, free] = np.clip(sol, -1, 1)
        else:
            inside = np.ones(n, bool)
        val = np.abs(np.einsum("nd,nde,ne->n", s, M, s))
        best = np.where(inside, np.maximum(best, val), best)
    return best


@dataclass(frozen=True)
class LQGSystems:
    r"""Linear-quadratic-Gaussian systems under a linear policy (no clipping): $s_{t+1}=As_t+Ba_t+w_t$,
    $w_t\sim\mathcal N(0,\sigma_w^2I)$, $a_t=Ks_t$, $r=-(s^\top Qs+a^\top Ra)$, $s_0$ uniform on $[-1,1]^d$.
    Shapes as in :class:`LipschitzSystems`; ``sigma_w (n,)``."""

    A: np.ndarray
    B: np.ndarray
    K: np.ndarray
    Q: np.ndarray
    R: np.ndarray
    sigma_w: np.ndarray

    @property
    def n(self) -> int:
        return self.A.shape[0]

    @property
    def M(self) -> np.ndarray:
        """Closed-loop dynamics matrix $A+BK$."""
        return self.A + self.B @ self.K

    @property
    def C(self) -> np.ndarray:
        """Closed-loop cost matrix $Q+K^\\top RK$, so that $r_\\pi(s)=-s^\\top Cs$."""
        return self.Q + np.swapaxes(self.K, 1, 2) @ self.R @ self.K

    def returns(self, gamma: float, horizon: float) -> np.ndarray:
        """Exact expected returns, by :func:`lqg_return`."""
        return lqg_return(self.M, self.C, self.sigma_w, gamma, horizon)

    def closed_loop_constants(self) -> tuple[np.ndarray, np.ndarray]:
        r"""$L=\|A+BK\|_2$ (the exact $W_1$-Lipschitz constant of $\mathcal N(Ms,\sigma_w^2I)$ in $s$) and
        $K_{r\pi}=\sup_{s\in\text{box}}\|2Cs\|$ (the reward's gradient on the box), exact."""
        return np.linalg.norm(self.M, 2, axis=(1, 2)), 2 * box_sup_norm(0.5 * (self.C + np.swapaxes(self.C, 1, 2)))


def random_lqg_systems(rng: np.random.Generator, n: int, d: int = 3, m: int = 2, noise=(0.05, 0.3)) -> LQGSystems:
    """As :func:`random_lq_systems` (same draws of A, B, Q, R and the LQR gain), with process noise of
    standard deviation uniform in ``noise`` and no clipping."""
    lq = random_lq_systems(rng, n, d, m)
    return LQGSystems(lq.A, lq.B, lq.K, lq.Q, lq.R, rng.uniform(*noise, n))


def lqg_errors(true: LQGSystems, learned: LQGSystems) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact sup errors on the box, closed loop: $\varepsilon_{dyn}=\sup\|(\hat M-M)s\|$ ($W_1$ of two Gaussians
    with one covariance is the distance of their means) and $\varepsilon_{rew}=\sup|s^\top(\hat C-C)s|$."""
    return box_sup_norm(learned.M - true.M), box_sup_quadratic(learned.C - true.C)


def perturb_lqg(rng: np.random.Generator, sys: LQGSystems, scale: np.ndarray) -> LQGSystems:
    """A learned model of an LQG batch: A, B, Q, R moved as in :func:`perturb`; policy and noise shared."""
    lq = perturb(rng, LipschitzSystems(sys.A, sys.B, sys.K, np.zeros((sys.n, sys.A.shape[1])),
                                       np.zeros((sys.n, sys.B.shape[2])), sys.Q, sys.R, "clip"), scale)
    return LQGSystems(lq.A, lq.B, sys.K, lq.Q, lq.R, sys.sigma_w)


def exact_box_errors(true: LipschitzSystems, learned: LipschitzSystems) -> tuple[np.ndarray, np.ndarray]:
    r"""Tighter valid sup errors than :func:`norm_box_errors` on the box: $\sup_{(s,a)}\|\Delta A s+\Delta B a\|$ over the
    vertices of the state-action box (exact for the pre-squashing error, which bounds the squashed one), and
    for the reward the exact sup of $|\Delta w^\top s+\Delta v^\top a-s^\top\Delta Qs-a^\top\Delta Ra|$ (by the box
    KKT enumeration on the lifted quadratic form)."""
    n, d, m = true.n, true.A.shape[1], true.B.shape[2]
    dAB = np.concatenate([learned.A - true.A, learned.B - true.B], axis=2)  # (n, d, d+m)
    eps_dyn = box_sup_norm(dAB)
    # the reward error as a quadratic form in z = (s, a, 1) restricted to z_last = 1
    k = d + m
    G = np.zeros((n, k + 1, k + 1))
    G[:, :d, :d] = -(learned.Q - true.Q)
    G[:, d:k, d:k] = -(learned.R - true.R)
    lin = np.concatenate([learned.w - true.w, learned.v - true.v], axis=1)
    G[:, :k, k] = G[:, k, :k] = 0.5 * lin
    # the form is even in z, so z_last = -1 gives the same values as z_last = 1
    eps_rew = box_sup_quadratic(G, pinned=1)
    return eps_dyn, eps_rew


def lqg_return(M: np.ndarray, C: np.ndarray, sigma_w, gamma: float, horizon: float) -> np.ndarray:
    r"""Exact $J=-\big(\operatorname{tr}(P_0\Sigma_0)+c_0\big)$ of $s_{t+1}=Ms_t+w_t$, $r=-s^\top Cs$, $s_0$ uniform on
    the box ($\Sigma_0=I/3$), for stacks ``M, C (n, d, d)``: the backward Riccati-Lyapunov recursion
    $P_t=C+\gamma M^\top P_{t+1}M$, $c_t=\gamma(\sigma_w^2\operatorname{tr}P_{t+1}+c_{t+1})$, or for $H=\infty$ the
    discrete Lyapunov equation (``-inf`` where $\gamma\rho(M)^2\ge1$)."""
    n = M.shape[0]
    sigma_w = np.broadcast_to(np.asarray(sigma_w, float), (n,))
    Mt = np.swapaxes(M, 1, 2)
    if np.isinf(horizon):
        out = np.empty(n)
        for j in range(n):
            if gamma * max(abs(np.linalg.eigvals(M[j]))) ** 2 >= 1:
                out[j] = -np.inf
                continue
            P = scipy.linalg.solve_discrete_lyapunov(np.sqrt(gamma) * Mt[j], C[j])
            out[j] = -(np.trace(P) / 3 + gamma * sigma_w[j] ** 2 * np.trace(P) / (1 - gamma))
        return out
    P = np.zeros_like(C)
    c = np.zeros(n)
    for _ in range(int(horizon)):
        c = gamma * (sigma_w**2 * np.trace(P, axis1=1, axis2=2) + c)
        P = C + gamma * Mt @ P @ M
    return -(np.trace(P, axis1=1, axis2=2) / 3 + c)


def learn_lqg(rng: np.random.Generator, sys: LQGSystems, n_d: int, n_r: int, label_noise: float = 0.1) -> LQGSystems:
    r"""Models learned from samples: $(\hat A,\hat B)$ by least squares on ``n_d`` transitions from $(s,a)$ uniform on
    the state-action box; diagonal $(\hat Q,\hat R)$ by least squares on ``n_r`` reward labels with Gaussian noise
    of ``label_noise`` (features $s_i^2$, $a_j^2$). Policy and process noise are shared."""
    n, d, m = sys.n, sys.A.shape[1], sys.B.shape[2]
    X = rng.uniform(-1, 1, (n, n_d, d + m))
    AB = np.concatenate([sys.A, sys.B], axis=2)
    Y = np.einsum("nkx,ndx->nkd", X, AB) + sys.sigma_w[:, None, None] * rng.standard_normal((n, n_d, d))
    AB_hat = np.swapaxes(np.stack([np.linalg.lstsq(X[j], Y[j], rcond=None)[0] for j in range(n)]), 1, 2)
    Z = rng.uniform(-1, 1, (n, n_r, d + m))
    diag = np.concatenate([np.diagonal(sys.Q, axis1=1, axis2=2), np.diagonal(sys.R, axis1=1, axis2=2)], axis=1)
    labels = -np.einsum("nkx,nx->nk", Z**2, diag) + label_noise * rng.standard_normal((n, n_r))
    coef = -np.stack([np.linalg.lstsq(Z[j] ** 2, labels[j], rcond=None)[0] for j in range(n)])
    Q_hat = np.stack([np.diag(c[:d]) for c in coef])
    R_hat = np.stack([np.diag(c[d:]) for c in coef])
    return LQGSystems(AB_hat[:, :, :d], AB_hat[:, :, d:], sys.K, Q_hat, R_hat, sys.sigma_w)
