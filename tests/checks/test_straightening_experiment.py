"""The straightening experiment (E4, E13, E14)."""


import pytest

from theory.checks.straightening import run


def test_experiment_bound_holds_and_is_reported():
    res = run(n=100, seed=3)
    assert res["bound_holds"]
    names = [e["encoder"] for e in res["encoders"]]
    assert names[0] == "line" and res["encoders"][0]["mean_curvature"] == pytest.approx(0, abs=1e-12)
    for lev in res["lever"]:
        assert lev["true_error"] <= lev["bound"] * (1 + 1e-9)
    assert "Spearman" in res["reading"]
