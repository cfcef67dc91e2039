r"""The two coefficients of the return-error bound, evaluated without cancellation (``docs/theory.md`` E3).

.. math::
    C_{rew}=\sum_{t=0}^{H-1}\gamma^t,\qquad
    C_{dyn}=K_{r\pi}\sum_{u=1}^{H-1}\gamma^u\sum_{i=0}^{u-1}L^i .

How the numerics stay exact near the branch points
--------------------------------------------------
The textbook closed form divides differences of geometric sums by $(L-1)$, $(1-\gamma)$ and
$(1-\gamma L)$; within about $10^{-3}$ of $L=1$, $\gamma=1$ or $\gamma L=1$ those differences cancel
and the result can even turn negative. This module never forms them. Instead:

1. **The double sum is a divided difference.** Swapping the sums shows
   $C_{dyn}=K_{r\pi}\,\gamma\,h_{H-2}(\gamma L,\gamma,1)$, where
   $h_m(x_1,x_2,x_3)=\sum_{i+j+k=m}x_1^ix_2^jx_3^k$ is the complete homogeneous symmetric
   polynomial, which equals the second divided difference $f[x_1,x_2,x_3]$ of $f(t)=t^{H}$.
   The three removable branch points are exactly the places where two of the nodes
   $\gamma L,\gamma,1$ coincide.
2. **Accurate gaps between the nodes.** The log-gaps $\log L$, $\log\gamma$ and $\log(\gamma L)$ are
   computed with ``log1p`` of exact differences ($L-1$ and $1-\gamma$ are exact in floating point
   near 1; $\gamma L-1$ is made exact with Dekker's error-free product). Every geometric sum is then
   $S(e^{-\delta},n)=\operatorname{expm1}(-n\delta)/\operatorname{expm1}(-\delta)$, accurate to a few
   ulps for any $n$ up to $10^{12}$.
3. **Two regimes for the second divided difference**, with the nodes scaled so the largest is 1
   (which also keeps overflow out of intermediate results):

   * nodes spread in the $H$ scale ($H\,\delta_{13}>2$): the recursion
     $f[x_1,x_2,x_3]=(f[x_1,x_2]-f[x_2,x_3])/(x_1-x_3)$ of first divided differences, which
     are accurate geometric sums; convexity of $t^H$ keeps the cancellation below a factor of
     about 2;
   * nodes clustered ($H\,\delta_{13}\le2$): the Hermite-Genocchi formula
     $f[x_1,x_2,x_3]=\int_{\Delta_2}f''(s_1x_1+s_2x_2+s_3x_3)\,ds$, an integral of a positive
     integrand that varies by at most $e^{2}$, by a $16\times16$ Gauss-Legendre rule on the
     Duffy-collapsed triangle (error below $10^{-16}$).

The result is multiplied back by the scale in the log domain, so it overflows to ``inf`` only
where the exact value exceeds the float range (:data:`OVERFLOW` says so). The tests check
relative error $\le10^{-10}$ against a 120-digit mpmath reference built from the sums, with inputs
drawn within $10^{-13}$ to $10^{-2}$ of every branch point and horizons up to $10^{9}$.
No SymPy here: ``tests/test_coefficients.py`` proves these kernels equal to the SymPy closed forms.
"""

from __future__ import annotations

import numpy as np

__all__ = ["c_rew", "c_dyn", "geometric_sum"]

# Below this spread of the nodes (in units of 1/H) the quadrature is used; see point 3 above.
_CLUSTER = 2.0
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_GL_NODES = 0.5 * (_GL_NODES + 1.0)  # on [0, 1]
_GL_WEIGHTS = 0.5 * _GL_WEIGHTS
_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitting constant for float64


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's error-free product: ``p + e == a * b`` exactly (for finite, non-overflowing inputs)."""
    p = a * b

    def split(x):
        c = _SPLIT * x
        hi = c - (c - x)
        return hi, x - hi

    with np.errstate(over="ignore", invalid="ignore"):
        ah, al = split(a)
        bh, bl = split(b)
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, np.where(np.isfinite(e), e, 0.0)


def _log_near_one(x: np.ndarray, x_minus_1: np.ndarray) -> np.ndarray:
    """``log(x)`` given an accurate ``x - 1``: ``log1p`` near 1, ``log`` elsewhere."""
    with np.errstate(divide="ignore"):
        return np.where(np.abs(x_minus_1) < 0.5, np.log1p(np.maximum(x_minus_1, -1.0)), np.log(x))


def _gaps(g: np.ndarray, Lc: np.ndarray):
    """Accurate ``1 - gamma``, ``gamma L - 1`` and the log-gaps ``log gamma``, ``log L``, ``log(gamma L)``."""
    g1 = 1.0 - g  # exact for gamma >= 1/2 (Sterbenz); gamma < 1/2 is far from the branch point
    p, e = _two_product(g, Lc)
    gl1 = (p - 1.0) + e  # p - 1 is exact near 1, so one rounding in all
    log_g = _log_near_one(g, -g1)
    log_L = _log_near_one(Lc, Lc - 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        far = np.log(p) + np.log1p(np.where(p > 0, e / np.where(p > 0, p, 1.0), 0.0))
        log_gL = np.where(np.abs(gl1) < 0.5, np.log1p(np.maximum(gl1, -1.0)), far)
    return g1, gl1, log_g, log_L, log_gL


def _geometric(delta: np.ndarray, n: np.ndarray) -> np.ndarray:
    r"""$S(e^{-\delta},n)=\sum_{k=0}^{n-1}e^{-k\delta}$ for $\delta\ge0$ (``inf`` allowed), accurate for any $n$."""
    with np.errstate(invalid="ignore", over="ignore"):
        val = np.expm1(-n * delta) / np.expm1(-delta)
    return np.where(delta == 0, n, val)


def geometric_sum(x, n) -> np.ndarray:
    r"""$\sum_{k=0}^{n-1}x^k=\operatorname{expm1}(n\log x)/(x-1)$ for $x\ge0$ and real $n\ge0$ (or ``inf``).

    $x-1$ is exact near 1 and $\log x$ comes from ``log1p`` of it, so the ratio is accurate to a
    few ulps at and near $x=1$ (where it is $n$); ``inf`` only beyond the float range or for
    $n=\infty$ with $x\ge1$.
    """
    x, n = np.broadcast_arrays(np.asarray(x, float), np.asarray(n, float))
    xm1 = x - 1.0
    log_x = _log_near_one(x, xm1)
    with np.errstate(divide="ignore", invalid="ignore", under="ignore", over="ignore"):
        # away from 1 the direct form has little cancellation and pow is correctly rounded
        finite = np.where(np.abs(xm1) >= 0.5, (x**n - 1.0) / xm1, np.expm1(n * log_x) / xm1)
        # x^n may overflow where the sum does not (1e160 + 1 for x = 1e160, n = 2): factor out x^(n-1)
        big = np.isinf(finite) & (x > 1)
        if big.any():
            finite = np.where(big, x ** (n - 1.0) * (-np.expm1(-n * log_x)) / (-np.expm1(-log_x)), finite)
        infinite = np.where(x < 1, -1.0 / xm1, np.inf)
    out = np.where(np.isinf(n), infinite, np.where((xm1 == 0) | (n == 1), n, finite))
    return np.where(x == 0, np.minimum(n, 1.0), out)


def c_rew(g, n) -> np.ndarray:
    r"""$C_{rew}=\sum_{t=0}^{H-1}\gamma^t$ (E3); $1/(1-\gamma)$ for $H=\infty$. Arrays broadcast."""
    return geometric_sum(g, n)


def _second_divided_difference(d12: np.ndarray, d23: np.ndarray, d13: np.ndarray, n: np.ndarray) -> np.ndarray:
    r"""$f[1,e^{-\delta_{12}},e^{-\delta_{13}}]$ for $f(t)=t^n$, given the three log-gaps ($\ge0$)."""
    out = np.empty(np.shape(n))
    cluster = n * d13 <= _CLUSTER
    spread = ~cluster
    if spread.any():
        a, b, c, nn = d12[spread], d23[spread], d13[spread], n[spread]
        f12 = _geometric(a, nn)
        with np.errstate(under="ignore"):
            f23 = np.exp(-(nn - 1.0) * a) * _geometric(b, nn)
        out[spread] = (f12 - f23) / -np.expm1(-c)
    if cluster.any():
        w2 = -np.expm1(-d12[cluster])[:, None, None]
        w3 = -np.expm1(-d13[cluster])[:, None, None]
        nn = n[cluster]
        uu = _GL_NODES[None, :, None]
        vv = _GL_NODES[None, None, :]
        t = uu * ((1.0 - vv) * w2 + vv * w3)  # 1 - (point of the triangle), Duffy-collapsed
        integrand = uu * np.exp((nn[:, None, None] - 2.0) * np.log1p(-t))
        weights = _GL_WEIGHTS[:, None] * _GL_WEIGHTS[None, :]
        out[cluster] = nn * (nn - 1.0) * np.einsum("kij,ij->k", integrand, weights)
    return out


def c_dyn(g, n, Lc, K) -> np.ndarray:
    r"""$C_{dyn}=K_{r\pi}\sum_{u=1}^{H-1}\gamma^u\sum_{i=0}^{u-1}L^i$ (E3), stable at every branch point.

    For $H=\infty$: $\gamma K_{r\pi}/((1-\gamma)(1-\gamma L))$ when $\gamma L<1$, else ``inf``
    (when $\gamma K_{r\pi}>0$). Inputs are validated by the caller; arrays broadcast.
    """
    g, n, Lc, K = np.broadcast_arrays(*(np.asarray(v, float) for v in (g, n, Lc, K)))
    g1, gl1, log_g, log_L, log_gL = _gaps(g, Lc)
    out = np.zeros(g.shape)
    active = (g > 0) & (K > 0) & (n > 1)
    two = active & (n == 2)
    out[two] = (K * g)[two]
    inf_h = active & np.isinf(n)
    if inf_h.any():
        with np.errstate(divide="ignore", over="ignore"):
            val = g / (g1 * -gl1) * K  # K last: a subnormal K times gamma would round before the division
        out[inf_h] = np.where(gl1 >= 0, np.inf, val)[inf_h]
    rest = active & (n != 2) & np.isfinite(n)  # real n in (1, 2) continues the closed form
    if rest.any():
        g1, gl1, lg, lL, lgL, nn, gg, KK, LL = (a[rest] for a in (g1, gl1, log_g, log_L, log_gL, n, g, K, Lc))
        # Order the nodes gamma L, gamma, 1 from largest to smallest; the log-gaps come from the
        # accurate pair values, never from differences of logs.
        case_a = gl1 >= 0  # gamma L >= 1 >= gamma
        case_c = LL < 1  # 1 >= gamma > gamma L
        d12 = np.where(case_a, lgL, np.where(case_c, -lg, -lgL))
        d23 = np.where(case_a, -lg, np.where(case_c, -lL, lL))
        d13 = np.where(case_a, lL, np.where(case_c, -lgL, -lg))
        d12, d23, d13 = (np.maximum(d, 0.0) for d in (d12, d23, d13))
        h = _second_divided_difference(d12, d23, d13, nn)
        top = np.where(case_a, lgL, 0.0)  # log of the largest node
        with np.errstate(divide="ignore", over="ignore"):
            log_val = (nn - 2.0) * top + np.log(h) + np.log(KK) + np.log(gg)
            val = np.where(case_a, np.exp(log_val), KK * gg * h)
        out[rest] = val
    return out
