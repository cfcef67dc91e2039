"""Ctrl-C: any long command stops within a second with one line and exit status 130, and a sweep's
``--results`` file stays resumable (a rerun finishes the remaining tasks and agrees with a clean run)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

CMD = [sys.executable, "-m", "theory"]


def _interrupt_after(argv: list[str], wait: float) -> tuple[int, str, float]:
    proc = subprocess.Popen(CMD + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    time.sleep(wait)
    assert proc.poll() is None, "the command ended before it could be interrupted"
    sent = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    out, err = proc.communicate(timeout=30)
    return proc.returncode, err, time.monotonic() - sent


@pytest.mark.parametrize("argv", [
    ["check-reinforce", "--rollouts", "1000000000"],
    ["scaling-experiment"],
    ["regime-map"],
    ["verify-bound", "--mdps", "5000", "--workers", "2"],
])
def test_ctrl_c_stops_within_a_second(argv):
    code, err, took = _interrupt_after(argv, 3.0)
    assert code == 130, err
    assert took < 1.0, took
    lines = err.strip().splitlines()
    assert lines[-1] == f"imagination {argv[0]}: interrupted"
    assert "Traceback" not in err
    # nothing long is silent: within its first three seconds the command said how far it had got
    assert any(" of " in ln and "%" in ln for ln in lines[:-1]), err


def test_interrupted_results_file_resumes(tmp_path):
    results = tmp_path / "sweep.jsonl"
    argv = ["verify-bound", "--mdps", "400", "--results", str(results), "--json"]
    code, err, _ = _interrupt_after(argv, 2.0)
    assert code == 130, err
    done_before = len(results.read_text().splitlines()) - 1  # the header line
    assert done_before >= 1
    resumed = subprocess.run(CMD + argv, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    clean = subprocess.run(CMD + ["verify-bound", "--mdps", "400", "--json"], capture_output=True, text=True, timeout=300)
    a, b = json.loads(resumed.stdout), json.loads(clean.stdout)
    assert a["cases"] == b["cases"] and a["violations"] == b["violations"] == 0
    assert a["median_ratio"] == b["median_ratio"]
