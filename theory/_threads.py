"""One BLAS thread around small dense algebra, without touching the user's global settings.

On a busy two-core machine, OpenBLAS threads fighting over small matrix products made the neural
students about 8x slower (``benchmarks/bench_neural.py`` prints the ratio). :func:`blas_single_thread`
holds the BLAS pool to one thread inside a ``with`` block and restores it on exit (threadpoolctl).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator


@contextmanager
def blas_single_thread() -> Iterator[None]:
    """Within the block, BLAS (OpenBLAS, MKL, BLIS) uses one thread; the previous limits come back after."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
