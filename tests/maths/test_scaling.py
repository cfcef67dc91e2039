"""E12: fits recover planted laws; the intervals have the coverage they claim."""

import warnings

import numpy as np
import pytest

from theory._validate import InputError
from theory.maths.scaling import FitWarning, PowerLaw, fit_power_law, read_csv

N = np.unique(np.round(np.logspace(1, 4, 12)))


def test_noise_free_fit_returns_planted_law():
    """E7 laws, E12 fit: noise-free data give back the planted law."""
    fit = fit_power_law(N, 3.0 * N**-0.7, bootstrap=0)
    assert fit.law.a == pytest.approx(3.0, rel=1e-10) and fit.law.alpha == pytest.approx(0.7, rel=1e-10)
    fit = fit_power_law(N, 0.05 + 3.0 * N**-0.7, floor=True, bootstrap=0)
    assert (fit.law.a, fit.law.alpha, fit.law.e) == pytest.approx((3.0, 0.7, 0.05), rel=1e-5)


def test_floor_fit_recovers_noisy_law():
    rng = np.random.default_rng(7)
    n = np.repeat(N, 3)
    errs = []
    for _ in range(5):
        y = (0.02 + 0.8 * n**-0.4) * np.exp(rng.normal(0, 0.03, n.size))
        errs.append(fit_power_law(n, y, floor=True, bootstrap=0).law.alpha - 0.4)
    assert abs(np.mean(errs)) < 0.03 and np.std(errs) < 0.05


def test_robust_fit_resists_an_outlier():
    y = 0.01 + 2.0 * N**-0.5
    y[3] *= 5  # one bad measurement
    fit = fit_power_law(N, y, floor=True, bootstrap=0)
    assert fit.law.alpha == pytest.approx(0.5, rel=0.05)


def test_ols_interval_coverage_at_least_90_percent():
    rng = np.random.default_rng(11)
    hits = 0
    runs = 300
    for r in range(runs):
        fit = fit_power_law(N, 5.0 * N**-0.9 * np.exp(rng.normal(0, 0.05, N.size)), bootstrap=300, rng=r)
        hits += fit.ci["alpha"][0] <= 0.9 <= fit.ci["alpha"][1]
    assert hits / runs >= 0.90


def test_same_seed_same_intervals():
    y = 5.0 * N**-0.9 * np.exp(np.random.default_rng(1).normal(0, 0.05, N.size))
    assert fit_power_law(N, y, rng=3).ci == fit_power_law(N, y, rng=3).ci


def test_warns_on_short_range():
    n = np.array([100, 120, 150, 180])
    with pytest.warns(FitWarning, match="decades"):
        fit_power_law(n, n**-0.5, bootstrap=0)


def test_warns_when_floor_and_law_cannot_be_separated():
    n = np.array([1000, 2000, 4000, 8000, 16000])
    with pytest.warns(FitWarning):
        fit_power_law(n, 0.5 + 0.001 * n**-0.1, floor=True, bootstrap=0)


@pytest.mark.parametrize("n,err,match", [
    ([1, 2], [0.1, 0.05], "at least 3"),
    ([1, 2, 3], [0.1, -0.05, 0.01], "> 0"),
    ([1, 2, 3], [0.1, 0.05], "same length"),
])
def test_bad_data(n, err, match):
    with pytest.raises(InputError, match=match):
        fit_power_law(n, err)


def test_csv_roundtrip(tmp_path):
    path = tmp_path / "laws.csv"
    law = PowerLaw(2.0, 0.5)
    path.write_text("n,error\n" + "\n".join(f"{n},{law(n)}" for n in N))
    n, err = read_csv(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_power_law(n, err, bootstrap=0)
    assert fit.law.alpha == pytest.approx(0.5)
    bad = tmp_path / "bad.csv"
    bad.write_text("samples,err\n1,2\n")
    with pytest.raises(InputError, match="columns"):
        read_csv(bad)
