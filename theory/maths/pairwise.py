r"""Sampled Lipschitz constants from data: the largest ratio over pairs of samples (``docs/theory.md`` E13, section 7).

For inputs $x_i=(s_i,a_i)$ under the sum metric $d(x_i,x_j)=\|s_i-s_j\|+\|a_i-a_j\|$ and outputs $y_i$,

.. math::
    \hat K=\max_{i\ne j}\frac{\|y_i-y_j\|}{d(x_i,x_j)},

a lower bound of the true constant of any map with $y_i=f(x_i)$ (the true constant is a supremum over
all pairs of the domain, these are some of them). Distances come from Gram matrices in blocks of rows
(memory flat in $n$); the best few pairs of each block are then recomputed from the difference
vectors themselves, so the reported maximum is the exact ratio of a real pair of samples (the Gram
identity $\|u-v\|^2=\|u\|^2+\|v\|^2-2u\cdot v$ loses accuracy for close pairs, which is where the
maximum tends to sit).

Beyond ``exact_limit`` samples the pairs are all pairs of a random subsample of that size plus, for
every sample, its successors along a few random projections of $x$ (points close in a projection are
often close in space): far fewer than $n^2/2$ pairs, still a lower bound, and the local ratios of
those near pairs give the quantiles reported beside the maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import _validate as V

BLOCK_ELEMENTS = 1 << 22  # numbers in one block of the (rows x n) distance matrices


@dataclass(frozen=True)
class PairwiseLipschitz:
    """A sampled Lipschitz constant: the maximum ratio, the pair attaining it, the local quantiles, the pairs seen."""

    value: float
    pair: tuple[int, int]
    local_quantiles: dict[str, float]
    pairs: int
    method: str

    def to_dict(self) -> dict:
        return {"value": self.value, "pair": list(self.pair), "local_quantiles": self.local_quantiles,
                "pairs": self.pairs, "method": self.method, "kind": "empirical lower bound"}


def _sq_norms(X: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", X, X)


def _dist_block(X: np.ndarray, sq: np.ndarray, rows: slice) -> np.ndarray:
    """Euclidean distances from ``X[rows]`` to every row of ``X``, by the Gram identity (clipped at 0)."""
    if X.shape[1] == 0:
        return np.zeros((rows.stop - rows.start, X.shape[0]))
    g = X[rows] @ X.T
    d2 = sq[rows, None] + sq[None, :] - 2.0 * g
    np.maximum(d2, 0.0, out=d2)
    return np.sqrt(d2, out=d2)


def _exact_ratio(inputs: list[np.ndarray], Y: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    den = sum(np.linalg.norm(Z[i] - Z[j], axis=1) for Z in inputs)
    num = np.linalg.norm(Y[i] - Y[j], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def _all_pairs(inputs: list[np.ndarray], Y: np.ndarray, candidates: int = 8) -> tuple[float, tuple[int, int], int]:
    """The largest exact ratio over all pairs i < j, in blocks of rows."""
    n = Y.shape[0]
    sq_in = [_sq_norms(Z) for Z in inputs]
    sq_out = _sq_norms(Y)
    per = max(1, BLOCK_ELEMENTS // max(n, 1))
    best, best_pair = 0.0, (0, 1)
    scale = max(float(np.sqrt(s.max())) if s.size else 0.0 for s in sq_in) or 1.0
    for start in range(0, n, per):
        rows = slice(start, min(start + per, n))
        den = sum(_dist_block(Z, s, rows) for Z, s in zip(inputs, sq_in))
        num = _dist_block(Y, sq_out, rows)
        r_idx = np.arange(rows.start, rows.stop)[:, None]
        valid = (np.arange(n)[None, :] > r_idx) & (den > 1e-12 * scale)  # i < j, and not a duplicate input
        ratio = np.where(valid, num / np.where(valid, den, 1.0), -1.0)
        flat = ratio.ravel()
        k = min(candidates, flat.size)
        top = np.argpartition(flat, -k)[-k:]
        top = top[flat[top] >= 0]
        if top.size:
            i = top // n + rows.start
            j = top % n
            exact = _exact_ratio(inputs, Y, i, j)
            m = int(np.argmax(exact))
            if exact[m] > best:
                best, best_pair = float(exact[m]), (int(i[m]), int(j[m]))
    return best, best_pair, n * (n - 1) // 2


def _projection_pairs(inputs: list[np.ndarray], n: int, rng: np.random.Generator, projections: int,
                      window: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of samples adjacent (within ``window``) along random projections of the inputs."""
    X = np.concatenate(inputs, axis=1) if inputs else np.zeros((n, 0))
    scale = X.std(0)
    X = X / np.where(scale > 0, scale, 1.0)
    I, J = [], []
    for _ in range(projections):
        order = np.argsort(X @ rng.standard_normal(X.shape[1]), kind="stable")
        for w in range(1, window + 1):
            I.append(order[:-w])
            J.append(order[w:])
    return np.concatenate(I), np.concatenate(J)


def pairwise_lipschitz(inputs, outputs, *, exact_limit: int = 16384, projections: int = 8, window: int = 4,
                       rng: np.random.Generator | int | None = 0) -> PairwiseLipschitz:
    r"""$\max_{i\ne j}\|y_i-y_j\|/\sum_k\|x^{(k)}_i-x^{(k)}_j\|$: a sampled lower bound of a Lipschitz constant.

    Parameters
    ----------
    inputs : list of (n, d_k) array_like
        The input blocks whose distances add up (``[s, a]`` for the sum metric on $(s,a)$; ``[s]`` for a
        policy).
    outputs : (n, k) or (n,) array_like
        The map's values at the samples.
    exact_limit : int
        Up to this many samples every pair is used; beyond, a random subsample of this size and
        projection neighbours (module docstring).
    projections, window : int
        Random projections, and successors per sample along each, beyond ``exact_limit``.
    rng : Generator or seed
        For the subsample and the projections.

    Returns
    -------
    PairwiseLipschitz
        The maximum (an empirical lower bound), its pair, the 50/90/99% quantiles of the ratios of near
        pairs (nearest along the projections), and how many pairs were seen.

    References
    ----------
    ``docs/theory.md`` E13 and section 7.

    Examples
    --------
    >>> s = np.array([[0.0], [1.0], [3.0]])
    >>> round(pairwise_lipschitz([s], 2 * s[:, 0]).value, 12)
    2.0
    """
    Y = V.as_array("outputs", outputs)
    Y = Y[:, None] if Y.ndim == 1 else Y
    blocks = [V.as_array("inputs", Z) for Z in inputs]
    blocks = [Z[:, None] if Z.ndim == 1 else Z for Z in blocks]
    n = Y.shape[0]
    if n < 2 or any(Z.shape[0] != n for Z in blocks):
        raise V.InputError(f"inputs and outputs need the same number (>= 2) of rows, got {[Z.shape[0] for Z in blocks]} and {n}")
    rng = np.random.default_rng(rng)
    i_near, j_near = _projection_pairs(blocks, n, rng, projections, window)
    near = _exact_ratio(blocks, Y, i_near, j_near)
    quantiles = {f"{q}%": float(np.quantile(near, q / 100)) for q in (50, 90, 99)}
    if n <= exact_limit:
        value, pair, count = _all_pairs(blocks, Y)
        return PairwiseLipschitz(value, pair, quantiles, count, "all pairs")
    sub = np.sort(rng.choice(n, exact_limit, replace=False))
    value, (a, b), count = _all_pairs([Z[sub] for Z in blocks], Y[sub])
    pair = (int(sub[a]), int(sub[b]))
    k = int(np.argmax(near))
    if near[k] > value:
        value, pair = float(near[k]), (int(i_near[k]), int(j_near[k]))
    return PairwiseLipschitz(value, pair, quantiles, count + near.size,
                             f"all pairs of a random {exact_limit}-sample subset, and {near.size} projection neighbours")
