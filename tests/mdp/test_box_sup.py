"""sup over the box [-1, 1]^d of |s^T M s| (the LQG reward error): exact, and free of the scale of M.

The reference is independent of the KKT enumeration: a dense grid of the box, polished by bounded
L-BFGS-B from its best points (d <= 3).
"""

import itertools

import numpy as np
import pytest
from scipy.optimize import minimize

from theory.mdp.continuous import box_sup_quadratic


def brute_sup(M: np.ndarray, pinned: int = 0) -> float:
    d = M.shape[0]
    axes = [np.linspace(-1, 1, 61)] * (d - pinned) + [np.array([-1.0, 1.0])] * pinned
    grid = np.array(list(itertools.product(*axes)))
    vals = np.abs(np.einsum("nd,de,ne->n", grid, M, grid))
    best = float(vals.max())
    for x0 in grid[np.argsort(vals)[-5:]]:
        for sign in (1.0, -1.0):
            def f(z, x0=x0, sign=sign):
                s = np.concatenate([z, x0[d - pinned:]]) if pinned else z
                return -sign * s @ M @ s
            z0 = x0[: d - pinned]
            if z0.size:
                res = minimize(f, z0, bounds=[(-1, 1)] * z0.size, method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-12})
                best = max(best, abs(float(res.fun)))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_matches_a_polished_grid_search(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 4))
    M = rng.normal(size=(d, d))
    pinned = int(rng.integers(0, 2)) if d > 1 else 0
    got = float(box_sup_quadratic(M[None], pinned=pinned)[0])
    ref = brute_sup(0.5 * (M + M.T), pinned)
    assert got == pytest.approx(ref, rel=1e-7)


@pytest.mark.parametrize("scale", [1e-12, 1e-9, 1e-6, 1e-3, 1e3, 1e6, 1e9])
def test_scale_free(scale):
    """The audit's case: entries of about 1e-6 made an absolute determinant threshold skip every interior
    critical point, and the sup came out up to 0.79% too small."""
    rng = np.random.default_rng(3)
    M = rng.normal(size=(40, 3, 3))
    base = box_sup_quadratic(M)
    np.testing.assert_allclose(box_sup_quadratic(scale * M) / scale, base, rtol=1e-12)
    np.testing.assert_allclose(box_sup_quadratic(scale * M, pinned=1) / scale, box_sup_quadratic(M, pinned=1), rtol=1e-12)


def test_interior_maximum_at_small_scale():
    """An indefinite form whose sup of |.| is at an interior critical point of a face; at scale 1e-6
    the old threshold lost it."""
    M = np.array([[-1.0, 0.9, 0.0], [0.9, 0.2, 0.3], [0.0, 0.3, -0.5]])
    ref = brute_sup(M)
    for scale in (1.0, 1e-6):
        assert float(box_sup_quadratic(scale * M[None])[0]) / scale == pytest.approx(ref, rel=1e-7)
