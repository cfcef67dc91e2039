"""The straightening experiment (E4, E13, E14)."""


import pytest

from theory.checks.straightening import straightening_experiment


def test_experiment_bound_holds_and_is_reported():
    res = straightening_experiment(n=100, seed=3)
    assert res["bound_holds"]
    names = [e["encoder"] for e in res["encoders"]]
    assert names[0] == "line" and res["encoders"][0]["mean_curvature"] == pytest.approx(0, abs=1e-12)
    for lev in res["lever"]:
        assert lev["true_error"] <= lev["bound"] * (1 + 1e-9)
    assert "Spearman" in res["reading"]


def test_experiment_numbers_against_independent_references():
    """Each number of the experiment against an answer computed here another way: the curvature of the arc and
    the circle in closed form (a chord of a circle turns by the angle it subtends: 1 - cos of that angle), the
    E4 bound as a plain geometric sum of the reported constants, clipping as the smaller of the norm and s_max, and
    the Spearman correlation by SciPy (ties averaged) from the reported columns."""
    import numpy as np
    from scipy.stats import spearmanr

    v, T = 0.02, 10
    res = straightening_experiment(n=100, T=T, v=v, seed=3)
    by = {e["encoder"]: e for e in res["encoders"]}
    assert by["line"]["mean_curvature"] == pytest.approx(0.0, abs=1e-12)
    assert by["arc"]["mean_curvature"] == pytest.approx(1 - np.cos(v * np.pi / 2), rel=1e-9)
    assert by["circle"]["mean_curvature"] == pytest.approx(1 - np.cos(2 * np.pi * v), rel=1e-9)
    for e in res["encoders"] + res["lever"]:
        geometric = e["eps_dyn"] * sum(e["lipschitz"] ** i for i in range(T))
        assert e["bound"] == pytest.approx(geometric, rel=1e-12)
    top = res["lever"][0]["lipschitz"]
    for e in res["lever"][1:]:
        assert e["lipschitz"] == pytest.approx(min(top, e["s_max"]), rel=1e-12)
    kappa = [e["mean_curvature"] for e in res["encoders"]]
    rho = spearmanr(kappa, [e["true_error"] for e in res["encoders"]]).statistic
    assert res["spearman_curvature_true_error"] == pytest.approx(rho, abs=1e-12)
    rho_b = spearmanr(kappa, [e["bound"] for e in res["encoders"]]).statistic
    assert res["spearman_curvature_bound"] == pytest.approx(rho_b, abs=1e-12)
