r"""Wasserstein-1 distances on a finite metric space and the Lipschitz constants of E13 (``docs/theory.md``).

$W_1(p,q)=\min_{T\ge0}\sum_{ij}T_{ij}D_{ij}$ subject to $T\mathbf 1=p$, $T^\top\mathbf 1=q$. The structure
of the problem is used first, and an exact solver only where none applies:

* the discrete metric $D=c(\mathbf 1\mathbf 1^\top-I)$: $W_1=\tfrac c2\|p-q\|_1$ (total variation);
* a line metric $D_{ij}=|x_i-x_j|$: $W_1=\sum_i|F_p(i)-F_q(i)|(x_{i+1}-x_i)$ over sorted points;
* otherwise POT's network simplex (``ot.emd2``, exact), on the supports of the two rows only: transport
  never leaves them, so the deterministic and learned-from-samples kernels of the laboratory, with a
  handful of nonzeros a row, cost a tiny problem each.

POT replaced a dense HiGHS LP: measured here 5x (10 states) to 120x (100 states) faster per pair, and
exact where HiGHS reported valid marginals with masses near 1e-7 as infeasible
(``benchmarks/bench_transport.py`` prints the ratios). Masses within $10^{-12}$ of the simplex are
accepted (and projected onto it); anything else is an error naming the row.

The Lipschitz constant of a kernel, $\max_{s\ne s'}W_1(K_s,K_{s'})/D_{ss'}$, is exact without solving every
pair: the independent coupling gives the upper bound $(KDK^\top)_{ss'}$ and the potential $D_{\cdot k}$ the
lower bound $\max_k|(KD)_{sk}-(KD)_{s'k}|$; pairs are solved in decreasing order of their upper bound
until it falls below the best exact ratio found, in chunks, so memory stays $O(S^2)$. When many pairs
survive (dense rows, and metrics with many equal distances, such as grids), $W_1$ under tree metrics that
dominate $D$ (:func:`spanning_trees`) tightens the upper bound first; an exact solve then works on the
supports of $(p-q)_\pm$ only.

Note: ``scipy.stats.wasserstein_distance`` is one-dimensional only; it is not used here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from theory import _validate as V

MASS_TOL = 1e-12
#: above this many states :func:`spanning_trees` skips the metric's graph (S^3 work) for a minimum spanning tree
ESSENTIAL_MAX_STATES = 1500


def line_positions(D: np.ndarray, tol: float = 1e-12) -> np.ndarray | None:
    """Positions ``x`` with ``D[i, j] == |x_i - x_j|`` when the metric is a line metric, else ``None``."""
    end = int(np.argmax(D[0]))  # the state farthest from state 0 is an end of the line
    x = D[end]
    scale = max(float(D.max()), 1.0)
    return x if np.allclose(D, np.abs(x[:, None] - x[None, :]), atol=tol * scale, rtol=0) else None


def discrete_scale(D: np.ndarray) -> float | None:
    """``c`` when ``D == c (1 - I)`` (the discrete metric, up to scale), else ``None``."""
    S = D.shape[0]
    if S < 2:
        return None
    c = float(D[0, 1])
    return c if np.array_equal(D, c * (1.0 - np.eye(S))) else None


def to_simplex(name: str, m: np.ndarray, label: Callable[[int], str] | None = None) -> np.ndarray:
    """Rows of ``m (K, S)`` within :data:`MASS_TOL` of the probability simplex, projected onto it exactly;
    anything further off is an :class:`~theory.InputError` naming the row (``label(k)``, say a state-action pair)."""
    m = np.asarray(m, dtype=float)
    if not np.isfinite(m).all():
        k = int(np.argwhere(~np.isfinite(m))[0][0])
        raise V.InputError(f"{name}: {label(k) if label else f'row {k}'} has a non-finite mass")
    low = m.min(axis=-1)
    sums = m.sum(axis=-1)
    bad = (low < -MASS_TOL) | (np.abs(sums - 1) > MASS_TOL * max(1, m.shape[-1]))
    if bad.any():
        k = int(np.argmax(bad))
        where = label(k) if label else f"row {k}"
        raise V.InputError(f"{name}: {where} is not a probability distribution (min mass {low[k]:.3g}, total "
                           f"{sums[k]:.15g}; within {MASS_TOL:g} of the simplex is accepted)")
    m = np.clip(m, 0.0, None)
    return m / m.sum(axis=-1, keepdims=True)


def wasserstein_line(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Closed form on a line: the integral of |F_p - F_q| between sorted points; batch axes broadcast."""
    order = np.argsort(x)
    xs = x[order]
    cdf = np.cumsum(p[..., order] - q[..., order], axis=-1)[..., :-1]
    return np.abs(cdf) @ np.diff(xs)


def _emd_on_supports(p: np.ndarray, q: np.ndarray, D: np.ndarray) -> np.ndarray:
    r"""Exact W1 per row pair by POT's network simplex on the supports of $(p-q)_+$ and $(p-q)_-$.

    By Kantorovich-Rubinstein duality $W_1(p,q)=\sup_{\mathrm{Lip}f\le1}\sum_if_i(p_i-q_i)$ depends on $p-q$ only,
    so $W_1(p,q)=m\,W_1\big((p-q)_+/m,(p-q)_-/m\big)$ with $m=\tfrac12\|p-q\|_1$: the mass both rows share
    stays where it is. Each side holds about half of the states of two dense rows, so the network simplex
    solves a problem a quarter of the size of the full one."""
    import ot

    out = np.empty(p.shape[0])
    for k in range(p.shape[0]):
        diff = p[k] - q[k]
        sp, sq = np.flatnonzero(diff > 0), np.flatnonzero(diff < 0)
        if sp.size == 0 or sq.size == 0:  # equal rows (a one-signed nonzero difference cannot sum to 0)
            out[k] = 0.0
            continue
        a, b = diff[sp], -diff[sq]
        mass = 0.5 * (a.sum() + b.sum())
        if sp.size == 1 and sq.size == 1:
            out[k] = mass * D[sp[0], sq[0]]
            continue
        out[k] = mass * ot.emd2(a / a.sum(), b / b.sum(), np.ascontiguousarray(D[np.ix_(sp, sq)]))
    return out


def wasserstein(p, q, D, method: str = "auto", label: Callable[[int], str] | None = None) -> np.ndarray:
    r"""$W_1(p_k, q_k)$ for rows ``p (K, S)`` and ``q (K, S)`` (or single vectors) under the metric ``D (S, S)``.

    Parameters
    ----------
    p, q : array_like
        Distributions, one per row; rows broadcast. Within ``1e-12`` of the simplex.
    D : (S, S) array_like
        A metric on the states.
    method : {"auto", "tv", "line", "emd"}
        ``"auto"`` uses the closed form of the discrete or line metric when ``D`` is one, else ``"emd"``.
    label : callable, optional
        Names row ``k`` in error messages (for instance its state-action pair).

    Returns
    -------
    ndarray
        Exact $W_1$ per row (a scalar for two vectors).

    References
    ----------
    ``docs/theory.md`` E13; Peyre and Cuturi (2019), Computational Optimal Transport, sections 2-3.
    """
    single = np.ndim(p) == 1 and np.ndim(q) == 1
    D = np.asarray(D, dtype=float)
    p = to_simplex("p", np.atleast_2d(p), label)
    q = to_simplex("q", np.atleast_2d(q), label)
    p, q = np.broadcast_arrays(p, q)
    if method not in ("auto", "tv", "line", "emd"):
        raise V.InputError(f"method must be 'auto', 'tv', 'line' or 'emd', got {method!r}")
    c = discrete_scale(D) if method in ("auto", "tv") else None
    if method == "tv" and c is None:
        raise V.InputError("method='tv' needs the discrete metric D = c (1 - I)")
    x = line_positions(D) if method in ("auto", "line") and c is None else None
    if method == "line" and x is None:
        raise V.InputError("method='line' needs a line metric D[i, j] = |x_i - x_j|")
    if c is not None:
        out = 0.5 * c * np.abs(p - q).sum(-1)
    elif x is not None:
        out = wasserstein_line(p, q, x)
    else:
        out = _emd_on_supports(p.reshape(-1, D.shape[0]), q.reshape(-1, D.shape[0]), D).reshape(p.shape[:-1])
    return out[0] if single else out


# --------------------------------------------------------------------------- Lipschitz constants (E13)
def spanning_trees(D: np.ndarray, count: int = 4) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    r"""Spanning trees of the states whose path metric dominates ``D``: ``(order, parent, weight)`` each, with
    ``order`` a breadth-first order from the root, ``parent[v]`` (``-1`` at the root) and ``weight[v] = D[v, parent[v]]``.

    Any spanning tree weighted by ``D`` dominates it, $d_T\ge D$ (the triangle inequality along the tree path),
    so $W_1^{T}\ge W_1^{D}$ whatever the tree. Good trees follow the metric's own graph: the edges $(i,j)$ that
    no third state splits ($D_{ik}+D_{kj}>D_{ij}$ for every $k$), whose shortest paths give back $D$. On a
    grid metric those are the grid's neighbours (about $2S$ edges); the trees are breadth-first trees of that
    graph from ``count`` spread-out roots (a minimum spanning tree when the graph is dense)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    S = D.shape[0]
    if S > ESSENTIAL_MAX_STATES:  # finding the graph costs S^3 comparisons
        return spanning_trees_mst(D)
    essential = ~np.eye(S, dtype=bool)
    scale = float(D.max())
    for k in range(S):  # O(S^3) comparisons, S^2 at a time
        split = D[:, k][:, None] + D[k][None, :] <= D + 1e-12 * scale
        split[k, :] = split[:, k] = False
        essential &= ~split
    if essential.sum() > 8 * S:  # not a sparse graph: breadth-first trees would be stars
        return spanning_trees_mst(D)
    graph = csr_matrix(np.where(essential, D, 0.0))
    roots = [0]
    for _ in range(count - 1):  # spread-out roots: each next root is the state farthest from those chosen
        roots.append(int(np.argmax(D[roots].min(0))))
    trees = []
    for root in roots:
        order, parent = breadth_first_order(graph, root, directed=False)
        if order.size < S:  # disconnected by rounding in the test above: the minimum spanning tree is connected
            return spanning_trees_mst(D)
        trees.append(_tree(D, order, parent))
    return trees


def _tree(D: np.ndarray, order: np.ndarray, parent: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    parent = np.where(parent < 0, -1, parent)  # SciPy marks the root with -9999
    return order, parent, np.where(parent >= 0, D[np.arange(D.shape[0]), np.maximum(parent, 0)], 0.0)


def spanning_trees_mst(D: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The minimum spanning tree of the complete graph weighted by ``D`` (always connected), as :func:`spanning_trees`."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree

    S = D.shape[0]
    mst = minimum_spanning_tree(csr_matrix(np.where(np.eye(S, dtype=bool), 0.0, D)))
    return [_tree(D, *breadth_first_order(mst, 0, directed=False))]


def subtree_masses(K: np.ndarray, order: np.ndarray, parent: np.ndarray) -> np.ndarray:
    r"""``Z[s, v]``: the mass of row ``K[s]`` in the subtree below state ``v``; then
    $W_1^T(K_s,K_{s'})=\sum_vw_v|Z_{sv}-Z_{s'v}|$ (the closed form of $W_1$ on a tree)."""
    Z = np.array(K, dtype=float, copy=True)
    for v in order[::-1]:  # children before parents
        if parent[v] >= 0:
            Z[:, parent[v]] += Z[:, v]
    return Z


def _pair_chunks(S: int, elements: int):
    """Upper-triangle index pairs ``(i, j)``, ``i < j``, in row blocks whose pairs times ``S`` stay near
    ``elements`` (so a block of rows of length ``S`` per pair fits in memory)."""
    rows_per = max(1, elements // max(S * S, 1))
    for start in range(0, S - 1, rows_per):
        stop = min(start + rows_per, S - 1)
        i = np.concatenate([np.full(S - 1 - r, r) for r in range(start, stop)])
        j = np.concatenate([np.arange(r + 1, S) for r in range(start, stop)])
        yield i, j


def kernel_lipschitz(K: np.ndarray, D: np.ndarray, chunk: int = 1 << 22) -> tuple[float, tuple[int, int]]:
    r"""$\mathrm{Lip}_{W_1}(K)=\max_{s\ne s'}W_1(K(\cdot|s),K(\cdot|s'))/D(s,s')$ for a kernel ``K[s, s']``,
    exactly, with the pair that attains it (module docstring: bounds prune the pairs)."""
    K = to_simplex("kernel", K, lambda k: f"state {k}")
    D = np.asarray(D, dtype=float)
    S = K.shape[0]
    if S < 2:
        return 0.0, (0, 0)
    c = discrete_scale(D)
    x = None if c is not None else line_positions(D)
    KD = K @ D
    upper_all = KD @ K.T  # cost of the independent coupling, an upper bound on W1
    cand_i, cand_j, cand_ub = [], [], []
    best, best_pair = 0.0, (0, 1)
    for i, j in _pair_chunks(S, chunk):
        d = D[i, j]
        lower = np.abs(KD[i] - KD[j]).max(1) / d  # the potential f = D[:, k] is 1-Lipschitz
        k = int(np.argmax(lower))
        if lower[k] > best:
            best, best_pair = float(lower[k]), (int(i[k]), int(j[k]))
        ub = upper_all[i, j] / d
        keep = ub > best
        cand_i.append(i[keep]), cand_j.append(j[keep]), cand_ub.append(ub[keep])
    i, j, ub = (np.concatenate(a) for a in (cand_i, cand_j, cand_ub))
    keep = ub > best
    i, j, ub = i[keep], j[keep], ub[keep]
    if c is None and x is None and i.size > 4 * S:
        # Dense rows: the independent coupling is far above W1, and on a metric with many equal distances (a
        # grid) so many pairs tie near the top that it prunes little. Trees of the metric's own graph give an
        # upper bound within a small factor of W1, for O(S) work a pair.
        for order_t, parent_t, weight_t in spanning_trees(D):
            Z = subtree_masses(K, order_t, parent_t) * weight_t
            step = max(1, chunk // S)
            for lo in range(0, i.size, step):
                sl = slice(lo, lo + step)
                ub[sl] = np.minimum(ub[sl], np.abs(Z[i[sl]] - Z[j[sl]]).sum(1) / D[i[sl], j[sl]])
        keep = ub > best
        i, j, ub = i[keep], j[keep], ub[keep]
    order = np.argsort(-ub)
    i, j, ub = i[order], j[order], ub[order]
    step = 256
    for start in range(0, i.size, step):
        if ub[start] <= best:
            break
        ii, jj = i[start:start + step], j[start:start + step]
        if c is not None:
            w = 0.5 * c * np.abs(K[ii] - K[jj]).sum(-1)
        elif x is not None:
            w = wasserstein_line(K[ii], K[jj], x)
        else:
            w = _emd_on_supports(K[ii], K[jj], D)
        ratios = w / D[ii, jj]
        k = int(np.argmax(ratios))
        if ratios[k] > best:
            best, best_pair = float(ratios[k]), (int(ii[k]), int(jj[k]))
    return best, best_pair


def function_lipschitz(f: np.ndarray, D: np.ndarray, chunk: int = 1 << 22) -> tuple[float, tuple[int, int]]:
    r"""$\max_{s\ne s'}|f(s)-f(s')|/D(s,s')$ with the attaining pair, in chunks (memory $O(S^2)$)."""
    S = f.shape[0]
    if S < 2:
        return 0.0, (0, 0)
    best, pair = -1.0, (0, 1)
    for i, j in _pair_chunks(S, chunk):
        ratios = np.abs(f[i] - f[j]) / D[i, j]
        k = int(np.argmax(ratios))
        if ratios[k] > best:
            best, pair = float(ratios[k]), (int(i[k]), int(j[k]))
    return best, pair


def kernel_distance(P: np.ndarray, P_hat: np.ndarray, D: np.ndarray) -> float:
    r"""$\sup_x W_1(\hat P(\cdot|x),P(\cdot|x))$ over the leading axes (states, or state-action pairs)."""
    S = D.shape[0]
    shape = P.shape[:-1]

    def label(k: int) -> str:
        idx = np.unravel_index(k, shape)
        return f"state-action pair {tuple(int(v) for v in idx)}" if len(shape) == 2 else f"state {int(idx[0])}"

    return float(np.max(wasserstein(P_hat.reshape(-1, S), P.reshape(-1, S), D, label=label)))
