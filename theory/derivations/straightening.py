r"""Derivation of E13, E14 and E14b: exact Lipschitz constants, curvature, and why straight is a near-translation."""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.derivations import Derivation

LABELS = ("E13", "E14", "E14b")


def _operator_norm_check() -> tuple[int, float]:
    rng = np.random.default_rng(8)
    worst = np.inf
    for _ in range(500):
        M = rng.normal(size=(3, 3))
        x = rng.normal(size=3)
        worst = min(worst, float(np.linalg.norm(M, 2) * np.linalg.norm(x) - np.linalg.norm(M @ x)))
    return 500, worst


def _kantorovich_check() -> tuple[int, float]:
    """|E_p f - E_q f| <= Lip(f) W1(p, q) with W1 from the laboratory's exact solver, random metric spaces."""
    from theory.checks.transport_check import random_metric
    from theory.mdp.transport import wasserstein

    rng = np.random.default_rng(9)
    worst = np.inf
    for _ in range(300):
        S = int(rng.integers(2, 7))
        D = random_metric(rng, S)
        p, q = rng.dirichlet(np.ones(S)), rng.dirichlet(np.ones(S))
        f = D[:, int(rng.integers(S))] * rng.uniform(-1, 1)  # Lipschitz with constant |scale| <= 1
        worst = min(worst, float(wasserstein(p, q, D)) - abs(float((p - q) @ f)))
    return 300, worst


def derive_straightening(strict: bool = True) -> Derivation:
    d = Derivation("Lipschitz constants and temporal straightening (docs/theory.md E13, E14, E14b)", strict=strict)
    d.inequality("E13: the operator norm is the Lipschitz constant of a linear map",
                 r"$$\|Mx\|\le\|M\|_2\|x\|$$", _operator_norm_check, cite="the operator norm (Horn and Johnson 2013, Matrix Analysis, 5.6)",
                 on="500 random 3x3 maps and vectors", note="equality at the top right singular vector.")
    d.inequality("E13: W1 duality behind the kernel constants", r"$$|\mathbb E_pf-\mathbb E_qf|\le\mathrm{Lip}(f)\,W_1(p,q)$$",
                 _kantorovich_check, cite="Kantorovich-Rubinstein duality (Villani 2009, Optimal Transport, Remark 6.5)",
                 on="300 random metric spaces, potentials f = scale * D[:, k] with |scale| <= 1")
    a1, a2, b1, b2, lam, phi = sp.symbols("a1 a2 b1 b2 lambda phi", real=True)
    cosine = lambda u, v: (u[0] * v[0] + u[1] * v[1]) / sp.sqrt((u[0] ** 2 + u[1] ** 2) * (v[0] ** 2 + v[1] ** 2))  # noqa: E731
    rot = lambda v: (sp.cos(phi) * v[0] - sp.sin(phi) * v[1], sp.sin(phi) * v[0] + sp.cos(phi) * v[1])  # noqa: E731
    d.identity("E14: curvature does not change under rotation", cosine(rot((a1, a2)), rot((b1, b2))), cosine((a1, a2), (b1, b2)),
               note=r"$\kappa_t=1-\cos(v_t,v_{t+1})$ depends only on the angle between consecutive steps.", lhs_tex=r"\cos(Rv_t,Rv_{t+1})")
    lam_pos = sp.Symbol("lambda", positive=True)
    d.identity("E14: ... nor under scaling", cosine((lam_pos * a1, lam_pos * a2), (lam_pos * b1, lam_pos * b2)),
               cosine((a1, a2), (b1, b2)), lhs_tex=r"\cos(\lambda v_t,\lambda v_{t+1})",
               note='a common factor $\\lambda>0$ cancels between the dot product and the norms.')
    eps = sp.Symbol("epsilon", positive=True)
    v1, v2, w1, w2 = sp.symbols("v1 v2 w1 w2", real=True)
    vw, ww = v1 * w1 + v2 * w2, w1**2 + w2**2
    dist2 = (v1**2 + v2**2) - vw**2 / ww  # squared distance from v to the line through w
    d.identity("E14b's geometric core: the distance to a line is at most the distance to a point on it",
               (v1 - w1) ** 2 + (v2 - w2) ** 2 - dist2, (vw / sp.sqrt(ww) - sp.sqrt(ww)) ** 2,
               shown=r"$$\|v-w\|^2-\mathrm{dist}(v,\mathbb Rw)^2=\Big(\frac{v\cdot w}{\|w\|}-\|w\|\Big)^2\ge0,\qquad"
                     r"\sin\angle(v,w)=\frac{\mathrm{dist}(v,\mathbb Rw)}{\|v\|}\le\frac{\|v-w\|}{\|v\|}\le\varepsilon$$",
               note=r"with $v=v_t$, $w=v_{t+1}$ and $\|v_{t+1}-v_t\|\le\varepsilon\|v_t\|$; symbolic coordinates in the plane "
                    "that $v$ and $w$ span, so it holds in every dimension.")
    d.identity("E14b: from a bounded change of the step to a bounded turn",
               1 - sp.sqrt(1 - eps**2), eps**2 / (1 + sp.sqrt(1 - eps**2)),
               note=r"if $\|v_{t+1}-v_t\|\le\varepsilon\|v_t\|$ the angle has $\sin\le\varepsilon$, so "
                    r"$\kappa_t\le1-\sqrt{1-\varepsilon^2}=\varepsilon^2/(1+\sqrt{1-\varepsilon^2})$.", lhs_tex=r"1-\sqrt{1-\varepsilon^2}")
    grid = np.linspace(1e-6, 1 - 1e-6, 100001)
    d.inequality("E14b: ... which is at most eps^2 / (2 (1 - eps))",
                 r"$$\frac{\varepsilon^2}{1+\sqrt{1-\varepsilon^2}}\le\frac{\varepsilon^2}{2(1-\varepsilon)}$$",
                 lambda: (grid.size, float(np.min(grid**2 / (2 * (1 - grid)) - grid**2 / (1 + np.sqrt(1 - grid**2))))),
                 on="a grid of 100,001 points of (0, 1)",
                 note=r"since $1+\sqrt{1-\varepsilon^2}\ge1\ge2(1-\varepsilon)$ for $\varepsilon\ge1/2$ and "
                      r"$\sqrt{1-\varepsilon^2}\ge1-2\varepsilon$ below.")
    return d
