"""The main job at its quick size, run once: every checked line holds, every verdict can fail, the report
is complete (figures, derivations, the paper table) and serialisable."""

from __future__ import annotations

import json
import time

import pytest

from theory.report import reproduce as R
from theory.report.verdicts import Line
from theory.cli import _clean


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("reproduce")
    out, ders = root / "figures", root / "derivations"
    out.mkdir(), ders.mkdir()
    start = time.process_time()
    lines, seconds = R.run_stages(out, ders, "quick", progress=False)
    return {"lines": lines, "seconds": seconds, "out": out, "ders": ders, "cpu": time.process_time() - start}


def test_every_checked_line_holds(quick_run):
    failed = [f"{ln.name}: {ln.detail}" for ln in quick_run["lines"] if ln.kind == "checked" and not ln.held]
    assert not failed, "\n".join(failed)
    assert sum(ln.kind == "checked" for ln in quick_run["lines"]) >= 25


def test_every_checked_verdict_fails_on_a_perturbed_input(quick_run):
    for ln in quick_run["lines"]:
        if ln.kind != "checked":
            continue
        for criterion in ln.criteria:
            assert criterion.held, (ln.name, criterion.statement)
            broken = criterion.perturbed()
            assert not broken.held, f"{ln.name}: '{criterion.statement}' still holds after '{broken.statement}'"


def test_no_line_is_a_constant_verdict():
    with pytest.raises(ValueError, match="criterion"):
        Line("checked", "a claim", "no criterion behind it")


def test_report_has_figures_derivations_and_the_paper_table(quick_run):
    for name in ("bound_horizon", "bound_calibration", "scaling_fits", "lab_bound_sweep", "reinforce_variance",
                 "straightening", "neural_scaling_laws", "neural_split_check"):
        assert (quick_run["out"] / f"{name}.png").exists() and (quick_run["out"] / f"{name}.pdf").exists(), name
    assert "splitConst" in (quick_run["out"] / "explorer.html").read_text()
    for name in ("bound", "allocation", "noise_budget"):
        assert "Step" in (quick_run["ders"] / f"{name}.md").read_text()
    summary = R.summarise(quick_run["lines"], quick_run["out"], quick_run["ders"], "quick", quick_run["seconds"])
    quantities = {row["quantity"] for row in summary["paper_table"]}
    assert {"reward error exponent alpha_r", "E16b looseness (bound / exact noise term)"} <= quantities
    for row in summary["paper_table"]:
        assert row["agree"] in ("agree", "differ") and row["why"]
        assert (row["agree"] == "agree") == (1 / row["factor"] <= row["ours"] / row["paper"] <= row["factor"])
    json.dumps(_clean(summary), allow_nan=False)
    assert "The paper beside ours" in R.render(_clean(summary))


def test_quick_main_job_costs_at_most_30_cpu_seconds(quick_run):
    assert quick_run["cpu"] <= 30.0, quick_run["seconds"]
