"""#29: the regime map of the teacher-student reward experiment (E7, E12; docs/theory.md section 6)."""

import warnings

import numpy as np
import pytest

from theory.checks.regime_map import MEASURES, Regime, RegimeFit, RegimeMap, _teacher, regime_map, regimes
from theory.maths.scaling import PowerLaw, fit_power_law
from theory.mdp import neural as NN


@pytest.mark.parametrize("noise, width, k, parametric, nonparametric", [
    (0.5, 64, 16, 1.0, 2 / 18),  # noisy and well-specified: sigma^2 p / n
    (0.5, 16, 2, 1.0, 2 / 4),  # over-specified: the student can still represent the teacher
    (0.5, 256, 16, None, 2 / 18),  # under-specified: no parametric rate, an approximation floor
    (0.0, 64, 16, None, 2 / 16),  # noise-free: no parametric rate; optimal recovery, MSE of order n^(-2/k)
    (0.0, 16, 2, None, 2 / 2),
])
def test_predicted_exponents(noise, width, k, parametric, nonparametric):
    r = Regime("r", noise, width, k, 10)
    mse, mean = r.predicted_exponents("mse"), r.predicted_exponents("mean")
    assert mse["parametric"] == parametric and mse["nonparametric"] == pytest.approx(nonparametric)
    assert mean["nonparametric"] == pytest.approx(nonparametric / 2)  # E|e| scales as sqrt(E e^2)
    assert (mse["approximation"] == 0.0) == (width > 64)
    assert r.specification == {16: "over", 64: "well", 256: "under"}[width]


def test_teacher_reads_only_its_first_k_inputs():
    rng = np.random.default_rng(0)
    teacher = _teacher(Regime("r", 0.0, 64, 3, 10), rng)
    x = rng.standard_normal((200, 16))
    y = x.copy()
    y[:, 3:] = rng.standard_normal((200, 13))  # change every input past the third
    z = x.copy()
    z[:, 0] += 1.0  # change a read input
    f = lambda v: NN.forward(teacher, v[None])[0, :, 0]  # noqa: E731
    assert np.array_equal(f(x), f(y)) and not np.allclose(f(x), f(z))


def _fit(a, alpha, rng, noise=0.02):
    n = np.repeat([100, 300, 1000, 3000, 10000], 4)
    return fit_power_law(n, a * n ** -alpha * np.exp(noise * rng.standard_normal(n.size)), rng=1)


def test_agreeing_and_closest_on_planted_laws():
    rng = np.random.default_rng(3)
    r = Regime("r", 0.0, 64, 16, 10)
    planted = {"fast": _fit(90.0, 0.96, rng), "slow": _fit(2.0, 0.2, rng), "slower": _fit(2.0, 0.1, rng)}
    fits = [RegimeFit(Regime(k, 0.0, 64, 16, 10), "mse", f, r.predicted_exponents("mse")) for k, f in planted.items()]
    m = RegimeMap(fits, [100, 10000], 4, {})
    assert [f.regime.name for f in m.agreeing(PowerLaw(90.0, 0.96))] == ["fast"]
    assert m.agreeing(PowerLaw(9.0, 0.96)) == []  # the exponent alone is not enough: the coefficient is off
    assert m.closest(PowerLaw(0.34, 0.11)).regime.name == "slower"
    assert m.closest(PowerLaw(1.0, 0.7)).regime.name == "fast"


def test_quick_map_is_deterministic_and_complete():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = regime_map("quick", seed=5, progress=False)
        b = regime_map("quick", seed=5, progress=False)
    cells, sizes, seeds = regimes("quick")
    assert a.to_dict() == b.to_dict() and a.errors == b.errors
    assert len(a.fits) == len(cells) * len(MEASURES) and all(f.success for f in a.fits)
    for cell in cells:
        e = a.errors[cell.name]
        assert len(e["mse"]) == len(sizes) * seeds
        # the mean absolute error is at most the root mean square error (Jensen), for every student
        assert np.all(np.asarray(e["mean"]) <= np.sqrt(e["mse"]) * (1 + 1e-12))


def test_regime_map_rejects_unknown_size():
    from theory._validate import InputError

    with pytest.raises(InputError, match="size must be"):
        regimes("huge")


def test_a_results_file_resumes_without_training_again(tmp_path, monkeypatch):
    cells = (Regime("tiny", 0.5, 16, 2, 50),)
    path = tmp_path / "map.jsonl"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = regime_map("quick", chosen=cells, results=path, progress=False)

        def no_training(*args, **kwargs):
            raise AssertionError("a finished regime was trained again")

        monkeypatch.setattr(NN, "train", no_training)
        again = regime_map("quick", chosen=cells, results=path, progress=False)
    assert again.to_dict() == first.to_dict() and again.errors == first.errors
