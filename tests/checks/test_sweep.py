"""The sweep runner on real engines: a process pool and a Dask LocalCluster give the serial numbers bit for bit,
a killed worker changes nothing, an interrupted run resumes from its results file to the same result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from theory import InputError
from theory.checks.bound_sweep import verify_bound
from theory.sweep import run_sweep
from theory.cli import main


def as_json(summary: dict) -> dict:
    from theory.results import to_jsonable

    return json.loads(json.dumps(to_jsonable(summary)))


def cli_summary(text: str) -> dict:
    out = json.loads(text)
    out.pop("samples")
    return out


def same(a, b) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("gap", "bound", "bound_true", "bound_learned", "n_dyn", "n_rew"))


@pytest.fixture(scope="module")
def serial():
    return verify_bound(n_mdps=16, seed=4)


def test_a_process_pool_gives_the_serial_numbers(serial):
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert same(verify_bound(n_mdps=16, seed=4, executor=pool), serial)


def _flaky(params, seed):
    if params == "bad":
        raise ValueError("planted failure")
    return int(np.random.default_rng(seed).integers(1000))


def test_a_failing_task_is_reported_and_the_others_finish():
    out = run_sweep(_flaky, [("a", 1), ("b", "bad"), ("c", 3)], seed=0, name="flaky")
    assert out.failures == {"b": "ValueError: planted failure"}
    assert out.results[0] is not None and out.results[1] is None and out.results[2] is not None


@pytest.mark.parametrize("batch", [1, 2, 5])
def test_batches_on_a_pool_change_nothing_and_a_failure_stays_with_its_task(batch):
    tasks = [(f"t{k}", "bad" if k == 3 else k) for k in range(7)]
    alone = run_sweep(_flaky, tasks, seed=5, name="flaky")
    with ProcessPoolExecutor(max_workers=2) as pool:
        grouped = run_sweep(_flaky, tasks, seed=5, name="flaky", executor=pool, batch=batch)
    assert grouped.results == alone.results
    assert grouped.failures == {"t3": "ValueError: planted failure"}
    assert sum(r is None for r in grouped.results) == 1


def test_a_batch_that_is_not_a_positive_integer_is_refused():
    with ProcessPoolExecutor(max_workers=1) as pool, pytest.raises(InputError, match="batch"):
        run_sweep(_flaky, [("a", 1)], seed=0, name="flaky", executor=pool, batch=0)


def test_a_results_file_for_other_arguments_is_refused(tmp_path):
    path = tmp_path / "r.jsonl"
    verify_bound(n_mdps=2, seed=1, results=path)
    with pytest.raises(InputError, match="other arguments"):
        verify_bound(n_mdps=2, seed=1, sigma=0.7, results=path)


def test_an_interrupted_run_resumes_to_the_same_result(tmp_path):
    path = tmp_path / "sweep.jsonl"
    argv = [sys.executable, "-m", "theory", "verify-bound", "--mdps", "40", "--seed", "6", "--results", str(path), "--json"]
    # a shell that starts jobs in the background ignores SIGINT in them; give the child the default back
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 30
    while time.time() < deadline and (not path.exists() or path.read_text().count("\n") < 6):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    kept = path.read_text().count("\n") - 1
    assert 5 <= kept < 40, kept  # interrupted part-way, with its finished tasks on disk
    resumed = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert path.read_text().count("\n") == 41
    assert cli_summary(resumed.stdout) == as_json(verify_bound(n_mdps=40, seed=6).summary())


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


def test_dask_through_the_cli_and_the_api_gives_the_serial_numbers(cluster, serial, capsys):
    from distributed import Client

    assert main(["verify-bound", "--mdps", "16", "--seed", "4", "--scheduler", cluster.scheduler_address, "--json"]) == 0
    assert cli_summary(capsys.readouterr().out) == as_json(serial.summary())
    with Client(cluster) as client:
        assert same(verify_bound(n_mdps=16, seed=4, executor=client.get_executor()), serial)


def test_a_killed_dask_worker_changes_nothing(cluster):
    from distributed import Client

    with Client(cluster) as client:
        expected = verify_bound(n_mdps=40, seed=8)
        pids = list(client.run(os.getpid).values())

        def kill():
            time.sleep(0.4)
            os.kill(pids[0], signal.SIGKILL)

        killer = threading.Thread(target=kill)
        killer.start()
        got = verify_bound(n_mdps=40, seed=8, executor=client.get_executor())
        killer.join()
        assert same(got, expected)


def _scaling_numbers(res) -> list[float]:
    return res.errors["dyn_mean"] + res.errors["rew_mean"] + [r["measured_bound"] for r in res.split_check]


@pytest.mark.filterwarnings("ignore::theory.maths.scaling.FitWarning")  # a deliberately tiny neural grid
def test_every_sweep_gives_the_same_numbers_on_a_process_pool():
    from theory.checks import neural_scaling as NS
    from theory.checks import regime_map as RM
    from theory.checks.allocation_check import check_allocation
    from theory.checks.calibration import calibrate
    from theory.checks.equal_budget import equal_budget_experiment
    from theory.mdp.finite import small_mdp
    from theory.checks.lqg_allocation import lqg_allocation
    from theory.checks.reinforce_check import variance_scaling

    tiny = NS.Config(sizes=(64, 256), seeds=2, steps=30, test=200)
    cells = (RM.Regime("a", 0.0, 16, 16, 30), RM.Regime("b", 0.5, 64, 2, 30))
    runs = {
        "calibration": lambda ex: calibrate("lq", 18, seed=2, executor=ex).all_gaps,
        "allocation check": lambda ex: [o.return_error for o in check_allocation(seeds=8, shares=5, executor=ex).curve],
        "variance scaling": lambda ex: variance_scaling(small_mdp(1, S=3, A=2, horizon=3), repeats=50, executor=ex).trace_by_N,
        "equal budget": lambda ex: equal_budget_experiment(steps=3, seeds=2, executor=ex)["curves"].returns,
        "lqg allocation": lambda ex: lqg_allocation(systems=2, seeds=6, shares=5, executor=ex).best_ratio,
        # the grid's replicates and, at the split check, the dynamics and reward students in two processes
        "scaling experiment": lambda ex: _scaling_numbers(NS.scaling_experiment(config=tiny, budgets=(500.0,), executor=ex)),
        "convergence probe": lambda ex: NS.convergence_probe(None, seed=1, config=tiny, executor=ex)["rew"],
        "regime map": lambda ex: RM.regime_map("quick", chosen=cells, executor=ex, progress=False).errors["b"]["mse"],
    }
    with ProcessPoolExecutor(max_workers=2) as pool:
        for name, run in runs.items():
            assert np.array_equal(np.asarray(run(None)), np.asarray(run(pool))), name
