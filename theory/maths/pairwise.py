r"""Sampled Lipschitz constants from data: the largest ratio over pairs of samples (``docs/theory.md`` E13, section 7).

For inputs $x_i=(s_i,a_i)$ under the sum metric $d(x_i,x_j)=\|s_i-s_j\|+\|a_i-a_j\|$ and outputs $y_i$,

.. math::
    \hat K=\max_{i\ne j}\frac{\|y_i-y_j\|}{d(x_i,x_j)},

a lower bound of the true constant of any map with $y_i=f(x_i)$ (the true constant is a supremum over
all pairs of the domain, these are some of them). Distances come from the Gram identity
$\|u-v\|^2=\|u\|^2+\|v\|^2-2u\cdot v$ in blocks of rows (memory flat in $n$); it loses accuracy for
close pairs, where the maximum tends to sit, so the best pairs of each block are recomputed from
their difference vectors and the reported maximum is the exact ratio of a real pair of samples.

Beyond ``exact_limit`` samples the pairs are all pairs of a random subsample of that size plus, for
every sample, its successors along a few random projections of $x$ (points close in a projection are
often close in space): far fewer than $n^2/2$ pairs, still a lower bound, and the local ratios of
those near pairs give the quantiles reported beside the maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.results import Result

BLOCK_ELEMENTS = 1 << 22  # numbers in one block of the (rows x n) distance matrices
PAIR_WORK = 1.2e10  # multiply-adds of the all-pairs part (pairs x dimensions), which sets the default subsample


@dataclass(frozen=True)
class PairwiseLipschitz(Result):
    r"""A sampled Lipschitz constant (E13).

    Parameters
    ----------
    value : float
        The largest ratio of output to input distance seen (a lower bound of the constant).
    pair : (int, int)
        The pair of samples attaining it.
    local_quantiles : dict of str to float
        The 50%, 90% and 99% quantiles of the ratios over near pairs found by random projections (the local
        constant).
    pairs : int
        Pairs compared.
    method : str
        How the pairs were chosen: all pairs, or all pairs of a random subset and the projection neighbours.
    kind : str
        ``"empirical lower bound"``: the true constant is at least ``value``.
    """

    value: float
    pair: tuple[int, int]
    local_quantiles: dict[str, float]
    pairs: int
    method: str
    kind: str = "empirical lower bound"


def _exact_ratio(inputs: list[np.ndarray], Y: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Ratios of the pairs (i, j) from the difference vectors, in chunks of pairs (memory flat)."""
    out = np.empty(i.size)
    per = max(1, BLOCK_ELEMENTS // max(sum(Z.shape[1] for Z in inputs) + Y.shape[1], 1))
    for k in range(0, i.size, per):
        a, b = i[k:k + per], j[k:k + per]
        den = sum(np.linalg.norm(Z[a] - Z[b], axis=1) for Z in inputs)
        num = np.linalg.norm(Y[a] - Y[b], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[k:k + per] = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return out


Target = tuple[tuple[str, ...], np.ndarray]  # (names of the input blocks whose distances add up, outputs)


def _sq_norms(X: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", X, X)


def _gram_dist(X: np.ndarray, sq: np.ndarray, rows: slice, cols: slice) -> np.ndarray:
    """Euclidean distances between ``X[rows]`` and ``X[cols]`` by the Gram identity (one BLAS product)."""
    d2 = X[rows] @ X[cols].T
    d2 *= -2.0
    d2 += sq[rows, None]
    d2 += sq[None, cols]
    np.maximum(d2, 0.0, out=d2)
    return np.sqrt(d2, out=d2)


def _all_pairs(inputs: dict[str, np.ndarray], targets: dict[str, Target],
               candidates: int = 8) -> dict[str, tuple[float, tuple[int, int]]]:
    """For every target, the largest ratio over all pairs i < j.

    Blocks of rows against the columns from the block's first row on (the upper triangle only); the
    distances of each input block are computed once per block and shared by the targets. The Gram
    identity is one BLAS product per block (four times faster here than ``scipy.spatial.distance.cdist``
    at d = 64) but loses accuracy for close pairs, where the maximum tends to sit: the best
    ``candidates`` pairs of each block are recomputed from their difference vectors, so the reported
    maximum is the exact ratio of a real pair of samples."""
    n = next(iter(inputs.values())).shape[0]
    sq = {k: _sq_norms(Z) for k, Z in inputs.items()}
    sq_out = {k: _sq_norms(Y) for k, (_, Y) in targets.items()}
    scale = max((float(np.sqrt(v.max())) for v in sq.values() if v.size), default=1.0) or 1.0
    per = max(1, BLOCK_ELEMENTS // max(n, 1))
    best = {k: (0.0, (0, 1)) for k in targets}
    for start in range(0, n - 1, per):
        rows, cols = slice(start, min(start + per, n)), slice(start, n)
        b, m = rows.stop - start, n - start
        dist = {k: _gram_dist(Z, sq[k], rows, cols) for k, Z in inputs.items()}
        lower = np.tri(b, m, 0, dtype=bool)  # j <= i within the block's own square: not a pair i < j
        for name, (blocks, Y) in targets.items():
            den = dist[blocks[0]] if len(blocks) == 1 else sum(dist[k] for k in blocks)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = _gram_dist(Y, sq_out[name], rows, cols) / den
            np.putmask(ratio, lower | (den <= 1e-12 * scale), -1.0)  # and duplicate inputs
            flat = ratio.ravel()
            k = min(candidates, flat.size)
            top = np.argpartition(flat, -k)[-k:]
            top = top[flat[top] >= 0]
            if top.size:
                i, j = top // m + start, top % m + start
                exact = _exact_ratio([inputs[x] for x in blocks], Y, i, j)
                q = int(np.argmax(exact))
                if exact[q] > best[name][0]:
                    best[name] = (float(exact[q]), (int(i[q]), int(j[q])))
    return best


def _projection_pairs(X: np.ndarray, rng: np.random.Generator, projections: int,
                      window: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of samples adjacent (within ``window``) along random projections of ``X`` (standardised)."""
    scale = X.std(0)
    X = X / np.where(scale > 0, scale, 1.0)
    I, J = [], []
    for _ in range(projections):
        order = np.argsort(X @ rng.standard_normal(X.shape[1]), kind="stable")
        for w in range(1, window + 1):
            I.append(order[:-w])
            J.append(order[w:])
    return np.concatenate(I), np.concatenate(J)


def lipschitz_estimates(inputs: dict[str, np.ndarray], targets: dict[str, Target], *, exact_limit: int | None = None,
                        projections: int = 4, window: int = 4,
                        rng: np.random.Generator | int | None = 0) -> dict[str, PairwiseLipschitz]:
    r"""Several sampled Lipschitz constants over the same samples (module docstring), sharing the distances.

    Parameters
    ----------
    inputs : dict of str to (n, d) ndarray
        Named input blocks (``{"s": s, "a": a}``).
    targets : dict of str to (tuple of str, (n, k) ndarray)
        For each constant, the input blocks whose distances add up (the sum metric) and the outputs:
        ``{"K_f": (("s", "a"), s_next_model), "K_pi": (("s",), a_policy)}``.
    exact_limit : int, optional
        Up to this many samples every pair is used; beyond, all pairs of a random subsample of this
        size and the projection neighbours of every sample. By default the size whose pairs cost
        ``PAIR_WORK`` multiply-adds over all dimensions (9,400 samples when $d_s=64$, 30,000 when
        $d_s=4$), so that 100,000 transitions at $d_s=64$ take seconds.
    projections, window : int
        Random projections, and successors per sample along each.
    rng : Generator or seed
        For the subsample and the projections.

    Returns
    -------
    dict of str to PairwiseLipschitz
        Per target: the maximum (an empirical lower bound), its pair, the 50/90/99% quantiles of the
        ratios of near pairs, and the number of pairs seen.

    References
    ----------
    ``docs/theory.md`` E13 and section 7.
    """
    inputs = {k: (Z[:, None] if Z.ndim == 1 else Z) for k, Z in inputs.items()}
    targets = {k: (b, (Y[:, None] if Y.ndim == 1 else Y)) for k, (b, Y) in targets.items()}
    n = next(iter(inputs.values())).shape[0]
    if n < 2:
        raise V.InputError(f"a Lipschitz estimate needs at least 2 samples, got {n}")
    rng = np.random.default_rng(rng)
    if exact_limit is None:
        dims = sum(Z.shape[1] for Z in inputs.values()) + sum(Y.shape[1] for _, Y in targets.values())
        exact_limit = int(np.clip(np.sqrt(PAIR_WORK / max(dims, 1)), 2000, 50000))
    i_near, j_near = _projection_pairs(np.concatenate(list(inputs.values()), axis=1), rng, projections, window)
    if n <= exact_limit:
        sub, found, count = np.arange(n), _all_pairs(inputs, targets), n * (n - 1) // 2
        method = "all pairs"
    else:
        sub = np.sort(rng.choice(n, exact_limit, replace=False))
        found = _all_pairs({k: Z[sub] for k, Z in inputs.items()}, {k: (b, Y[sub]) for k, (b, Y) in targets.items()})
        count = exact_limit * (exact_limit - 1) // 2 + i_near.size
        method = f"all pairs of a random {exact_limit}-sample subset, and {i_near.size} projection neighbours"
    out = {}
    for name, (blocks, Y) in targets.items():
        near = _exact_ratio([inputs[b] for b in blocks], Y, i_near, j_near)
        quantiles = {f"{q}%": float(np.quantile(near, q / 100)) for q in (50, 90, 99)}
        value, (a, b) = found[name]
        pair = (int(sub[a]), int(sub[b]))
        k = int(np.argmax(near))
        if n > exact_limit and near[k] > value:
            value, pair = float(near[k]), (int(i_near[k]), int(j_near[k]))
        out[name] = PairwiseLipschitz(value, pair, quantiles, count, method)
    return out


def pairwise_lipschitz(inputs, outputs, **options) -> PairwiseLipschitz:
    r"""$\max_{i\ne j}\|y_i-y_j\|/\sum_k\|x^{(k)}_i-x^{(k)}_j\|$: a sampled lower bound of one Lipschitz constant.

    Parameters
    ----------
    inputs : list of (n, d_k) array_like
        The input blocks whose distances add up (``[s, a]`` for the sum metric on $(s,a)$).
    outputs : (n, k) or (n,) array_like
        The map's values at the samples.
    **options
        As :func:`lipschitz_estimates`.

    Returns
    -------
    PairwiseLipschitz
        The largest ratio seen, its pair and the local quantiles.

    References
    ----------
    ``docs/theory.md`` E13.

    Examples
    --------
    >>> s = np.array([[0.0], [1.0], [3.0]])
    >>> round(pairwise_lipschitz([s], 2 * s[:, 0]).value, 12)
    2.0
    """
    blocks = {f"x{k}": V.as_array("inputs", Z) for k, Z in enumerate(inputs)}
    Y = V.as_array("outputs", outputs)
    if any(Z.shape[0] != Y.shape[0] for Z in blocks.values()):
        raise V.InputError("inputs and outputs need the same number of rows")
    return lipschitz_estimates(blocks, {"K": (tuple(blocks), Y)}, **options)["K"]
