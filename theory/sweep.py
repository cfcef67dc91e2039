"""One runner for sweeps: any ``concurrent.futures.Executor``, numbers independent of the workers, results that
survive interruption.

A sweep is a module-level function ``fn(params, seed_sequence) -> result`` (it is sent to workers, so it
must pickle: parameters and seeds travel, never lambdified functions) and a list of ``(key, params)``
tasks. Task ``k`` gets the ``k``-th child of ``numpy.random.SeedSequence(seed)``, so the numbers are the
same whatever the executor, the number of workers or the order they finish in.

With ``results=FILE`` every finished task is appended as one JSON line (key, seed, result), flushed and
fsynced in batches; a rerun with the same file skips the tasks already there and returns the same
results as an uninterrupted run. The first line records the sweep's name and arguments: a file written
for other arguments is refused, never mixed. A task that raises is retried (``retries`` times in all);
one that keeps failing is reported in ``failures`` and the others still finish.

Local processes: ``concurrent.futures.ProcessPoolExecutor``. A cluster: Dask distributed's
``Client(address).get_executor()`` (``pip install ".[dask]"``), which also retries a task whose worker
died.
"""

from __future__ import annotations

import gc
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from theory import _validate as V
from theory._progress import Progress
from theory.results import to_jsonable


def _run_batch(fn: Callable, items: list) -> list[tuple[bool, object]]:
    """Run several tasks in one submission (small tasks would otherwise cost more to ship than to run); one task
    that raises does not take the others down: each comes back as ``(True, result)`` or ``(False, error)``."""
    out: list[tuple[bool, object]] = []
    for params, child in items:
        try:
            out.append((True, fn(params, child)))
        except Exception as err:  # noqa: BLE001  (reported per task by the runner)
            out.append((False, f"{type(err).__name__}: {err}"))
    return out


@dataclass
class SweepOutcome:
    """Results in task order (``None`` where a task failed), and the failures with their last error."""

    results: list
    failures: dict[str, str] = field(default_factory=dict)
    resumed: int = 0  # tasks read back from the results file


def _plain(value):
    """NumPy values as plain ones for the results file (infinities stay ``Infinity``: they are results too)."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _seed_record(child: np.random.SeedSequence) -> dict:
    return {"entropy": child.entropy, "spawn_key": list(child.spawn_key)}


def _open_results(path: Path, header: dict) -> dict[str, object]:
    """Tasks already done in ``path`` (after checking its header), or an empty dict for a new file; a
    folder, a missing folder, an unwritable or a binary file is an :class:`~theory.InputError` naming it."""
    if path.is_dir():
        raise V.InputError(f"--results: {path} is a folder, not a results file")
    try:
        return _read_results(path, header)
    except UnicodeDecodeError:
        raise V.InputError(f"--results: {path} is not a results file of this toolkit (binary content)") from None
    except OSError as err:
        raise V.InputError(f"--results: cannot use {path} ({err.strerror})") from None


def _read_results(path: Path, header: dict) -> dict[str, object]:
    if not path.exists() or path.stat().st_size == 0:
        with path.open("w") as fh:
            fh.write(json.dumps(header) + "\n")
        return {}
    done = {}
    with path.open() as fh:
        first = fh.readline()
        try:
            found = json.loads(first)
        except json.JSONDecodeError:
            raise V.InputError(f"--results: {path} is not a results file of this toolkit (its first line is not JSON)") from None
        if found != header:
            raise V.InputError(f"{path} was written for other arguments ({found.get('sweep')}: {found.get('args')}); "
                               "give another --results file or the same arguments")
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                break  # a line cut by an interruption: that task runs again
            done[rec["key"]] = rec["result"]
    return done


def run_sweep(fn: Callable, tasks: Sequence[tuple[str, object]], *, seed: int, name: str, args: dict | None = None,
              executor: Executor | None = None, results: str | Path | None = None, retries: int = 3,
              progress: bool | None = None, window: int = 64, fsync_every: int = 16,
              batch: int = 1) -> SweepOutcome:
    """Run ``fn(params, seed_sequence)`` for every ``(key, params)`` task (module docstring).

    Parameters
    ----------
    fn : callable
        A picklable module-level function returning a JSON-ready result.
    tasks : sequence of (str, object)
        Unique keys and parameters.
    seed : int
        Root of the ``SeedSequence`` whose ``k``-th child task ``k`` receives.
    name, args : str, dict
        Recorded in the results file, which then only accepts the same sweep with the same arguments.
    executor : concurrent.futures.Executor, optional
        Runs the tasks; in-process when omitted.
    results : path, optional
        JSON-lines file: finished tasks are appended; a rerun skips them.
    batch : int
        Tasks per submission to the executor: raise it when one task takes milliseconds, so that shipping
        a task does not cost more than running it. Results and seeds do not depend on it.

    Returns
    -------
    SweepOutcome

    References
    ----------
    ``docs/theory.md`` section 5.
    """
    keys = [k for k, _ in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("task keys must be unique")
    children = np.random.SeedSequence(seed).spawn(len(tasks))
    header = {"sweep": name, "args": to_jsonable(args or {}), "seed": seed, "tasks": len(tasks)}
    path = Path(results) if results is not None else None
    done = _open_results(path, header) if path is not None else {}
    out: dict[str, object] = dict(done)
    failures: dict[str, str] = {}
    pending = [(k, i) for i, k in enumerate(keys) if k not in done]
    params = dict(tasks)
    try:
        fh = path.open("a") if path is not None else None
    except OSError as err:  # readable but not writable
        raise V.InputError(f"--results: cannot append to {path} ({err.strerror})") from None
    unsynced = 0
    last_sync = time.monotonic()

    def record(key: str, index: int, result) -> None:
        nonlocal unsynced, last_sync
        out[key] = result
        if fh is not None:
            fh.write(json.dumps({"key": key, "seed": _seed_record(children[index]), "result": result}, default=_plain) + "\n")
            unsynced += 1
            if unsynced >= fsync_every or time.monotonic() - last_sync > 1.0:
                fh.flush()
                os.fsync(fh.fileno())
                unsynced, last_sync = 0, time.monotonic()

    bar = Progress(len(tasks), name, "tasks", show=progress)
    bar.update(len(done))
    try:
        if executor is None:
            for key, index in pending:
                for attempt in range(retries):
                    try:
                        record(key, index, fn(params[key], children[index]))
                        break
                    except Exception as err:  # noqa: BLE001  (reported, the others still run)
                        if attempt == retries - 1:
                            failures[key] = f"{type(err).__name__}: {err}"
                bar.update(1)
        else:
            if int(batch) != batch or batch < 1:
                raise V.InputError(f"batch must be an integer >= 1, got {batch}")
            queue = [pending[i:i + batch] for i in range(0, len(pending), batch)]
            running: dict = {}
            attempts: dict[str, int] = {}

            def failed(key: str, index: int, error: str) -> None:
                attempts[key] = attempts.get(key, 0) + 1
                if attempts[key] < retries:
                    queue.append([(key, index)])
                else:
                    failures[key] = error
                    bar.update(1)

            while queue or running:
                while queue and len(running) < window:  # a bounded window keeps memory flat in the number of tasks
                    group = queue.pop(0)
                    items = [(params[key], children[index]) for key, index in group]
                    running[executor.submit(_run_batch, fn, items)] = group
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    group = running.pop(fut)
                    try:
                        returned = fut.result()
                    except Exception as err:  # noqa: BLE001  (the worker died: every task of the group is retried)
                        returned = [(False, f"{type(err).__name__}: {err}")] * len(group)
                    for (key, index), (ok, value) in zip(group, returned):
                        if ok:
                            record(key, index, value)
                            bar.update(1)
                        else:
                            failed(key, index, value)
    finally:
        bar.close()
        if fh is not None:
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
    return SweepOutcome([out.get(k) for k in keys], failures, len(done))


# HOST:PORT with an optional tcp:// or tls:// scheme; HOST a name, an IPv4 address or a bracketed IPv6 one
_ADDRESS = re.compile(r"^(?:(?:tcp|tls)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):\d{1,5}$")


@contextmanager
def executor_for(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor | None]:
    """An executor for ``--workers N`` (local processes) or ``--scheduler ADDRESS`` (Dask distributed), shut
    down when the block ends; ``None`` (in-process) for neither or one worker."""
    if workers is not None and scheduler is not None:
        raise V.InputError("give --workers or --scheduler, not both")
    if scheduler is not None:
        if not _ADDRESS.match(scheduler):
            raise V.InputError(f"--scheduler: {scheduler!r} is not a scheduler address (HOST:PORT, tcp://HOST:PORT "
                               "or tls://HOST:PORT, as the scheduler prints it)")
        try:
            from distributed import Client
        except ImportError:
            raise V.InputError('--scheduler needs Dask distributed: pip install ".[dask]"') from None
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as err:  # ValueError: not an address ("missing port number")
            # collect the half-made client now: its finaliser, run later inside another Client's start, deadlocks
            gc.collect()
            raise V.InputError(f"--scheduler: cannot reach a Dask scheduler at {scheduler} ({err})") from None
        with client:
            yield client.get_executor()
    elif workers is not None and workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=workers)
        try:
            yield pool
        except BaseException:  # Ctrl-C or an error: stop the workers now rather than wait for their tasks
            queue = getattr(pool, "_call_queue", None)
            if queue is not None:  # its feeder thread may still write to a dead worker's pipe: that is expected now,
                queue._on_queue_feeder_error = lambda err, obj: None  # not a traceback after "interrupted"
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    else:
        yield None
