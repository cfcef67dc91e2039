"""Random-MDP bound checks (``verify_bound``) serially, on two local worker processes and on a two-worker Dask
LocalCluster: wall time, speed-up and peak memory of each, in one run.

The count is an argument (``python bench_sweep.py 20000``, about two minutes on this machine); the default is
1,000.
"""

from __future__ import annotations

import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from theory.checks.bound_sweep import verify_bound


def peak_mib() -> float:
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def main(n: int = 1000) -> None:
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    serial = verify_bound(n_mdps=n, seed=0, per_pair=((4, 4),), progress=False)
    t_serial = time.perf_counter() - start
    mem_serial = peak_mib()
    with ProcessPoolExecutor(max_workers=2) as pool:
        start = time.perf_counter()
        local = verify_bound(n_mdps=n, seed=0, per_pair=((4, 4),), executor=pool, progress=False)
        t_local = time.perf_counter() - start
    mem_local = peak_mib()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        start = time.perf_counter()
        dask = verify_bound(n_mdps=n, seed=0, per_pair=((4, 4),), executor=client.get_executor(), progress=False)
        t_dask = time.perf_counter() - start
        mem_dask = max(client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024).values())
    same = all((serial.gap == other.gap).all() for other in (local, dask))
    print(f"{n} bound checks: serial {t_serial:.1f} s (peak {mem_serial:.0f} MiB); two local workers {t_local:.1f} s, "
          f"speed-up {t_serial / t_local:.2f}x (peak {mem_local:.0f} MiB); two-worker Dask LocalCluster {t_dask:.1f} s, "
          f"speed-up {t_serial / t_dask:.2f}x (worker peak {mem_dask:.0f} MiB); identical numbers: {same}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
