"""``diagnose`` at the issue's scale, and its all-pairs kernel against SciPy's exact distances, in one run.

1. 100,000 transitions at d_s = 64, d_a = 4 (with the policy's actions): CPU seconds of the whole
   diagnosis (errors with 1,000 bootstrap replicates, K_f, K_r, K_pi, the bound, E6, the longest
   horizon) and the peak of traced memory (NumPy's allocations), against the 30 s the issue allows.
2. The all-pairs maximum ratio at n = 6,000, d_s = 64: ours (Gram blocks over the upper triangle, the
   input distances shared by the three constants, the best pairs recomputed exactly) against
   ``scipy.spatial.distance.cdist`` in blocks (SciPy's exact pairwise distances, the field's tool for
   the job), interleaved, medians of 3 rounds; both must find the same maximum to 1e-9.

Run: ``python benchmarks/bench_diagnose.py``.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
from scipy.spatial.distance import cdist

from _timing import interleaved, ratio_line
from theory.maths.diagnose import diagnose
from theory.maths.pairwise import BLOCK_ELEMENTS, _all_pairs


def data(n: int, d_s: int = 64, d_a: int = 4, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    M, B, K = rng.normal(size=(d_s, d_s)) / 8, rng.normal(size=(d_s, d_a)) / 8, rng.normal(size=(d_a, d_s)) / 8
    s, a = rng.normal(size=(n, d_s)), rng.normal(size=(n, d_a))
    s_next = s @ M.T + a @ B.T + 0.1 * rng.normal(size=(n, d_s))
    return dict(s=s, a=a, r=s[:, 0] - a[:, 0], s_next=s_next, s_next_model=s @ (M.T + 0.01) + a @ B.T,
                r_model=s[:, 0] - 0.9 * a[:, 0], a_policy=s @ K.T)


def cdist_all_pairs(inputs: dict, targets: dict) -> dict:
    """The same maximum with SciPy's exact distances, block by block."""
    n = next(iter(inputs.values())).shape[0]
    per = max(1, BLOCK_ELEMENTS // n)
    best = {k: 0.0 for k in targets}
    for start in range(0, n, per):
        rows = slice(start, min(start + per, n))
        dist = {k: cdist(Z[rows], Z) for k, Z in inputs.items()}
        upper = np.arange(n)[None, :] > np.arange(rows.start, rows.stop)[:, None]
        for name, (blocks, Y) in targets.items():
            den = sum(dist[b] for b in blocks)
            num = cdist(Y[rows], Y)
            ok = upper & (den > 0)
            best[name] = max(best[name], float((num[ok] / den[ok]).max()))
    return best


if __name__ == "__main__":
    d = data(100_000)
    tracemalloc.start()
    start = time.process_time()
    out = diagnose(d, gamma=0.99, horizon=100, bootstrap=1000)
    cpu = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    inputs_mb = sum(v.nbytes for v in d.values()) / 2**20
    print(f"diagnose, 100,000 transitions, d_s = 64: {cpu:.1f} s of CPU (limit 30 s), peak traced memory "
          f"{peak:.0f} MB for {inputs_mb:.0f} MB of input; K_f {out.lipschitz['K_f'].value:.4g} "
          f"({out.lipschitz['K_f'].method})")
    small = data(6000)
    inputs = {"s": small["s"], "a": small["a"]}
    targets = {"K_f": (("s", "a"), small["s_next_model"]), "K_r": (("s", "a"), small["r_model"][:, None]),
               "K_pi": (("s",), small["a_policy"])}
    ours = _all_pairs(inputs, targets)
    ref = cdist_all_pairs(inputs, targets)
    for k in targets:
        assert abs(ours[k][0] - ref[k]) <= 1e-9 * ref[k], (k, ours[k][0], ref[k])
    times = interleaved({"ours": lambda: _all_pairs(inputs, targets), "cdist": lambda: cdist_all_pairs(inputs, targets)},
                        repeats=3)
    print(ratio_line("all pairs of 6,000 samples, three constants: speed-up over scipy cdist", times["cdist"],
                     times["ours"]))
