"""``diagnose`` (``docs/theory.md`` section 7, E3, E6, E12, E13): a user's own model from its data, held to
answers known independently.

Linear systems with known matrices: the per-sample errors are recomputed here from the definitions,
the true Lipschitz constants under the sum metric come from singular values (for (s, a) -> M s + B a
the constant is max(||M||_2, ||B||_2): the bound ||M ds + B da|| <= max(.) (||ds|| + ||da||) is attained
along the top singular vector of the larger), and each estimate must be at most the true constant and
within 30% of it with 2,000 samples.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from theory import InputError
from theory.maths.diagnose import Transitions, advise, diagnose, read_curves, read_transitions
from theory.maths.pairwise import lipschitz_estimates, pairwise_lipschitz


def linear_data(seed: int, n: int = 2000, d_s: int = 3, d_a: int = 1):
    rng = np.random.default_rng(seed)
    M, B = rng.normal(size=(d_s, d_s)), rng.normal(size=(d_s, d_a))
    Mh, Bh = M + 0.05 * rng.normal(size=M.shape), B + 0.05 * rng.normal(size=B.shape)
    w, u = rng.normal(size=d_s), rng.normal(size=d_a)
    K = rng.normal(size=(d_a, d_s))
    s = rng.normal(size=(n, d_s))
    a = s @ K.T + rng.normal(size=(n, d_a))
    data = dict(s=s, a=a, r=s @ w + a @ u + 0.1 * rng.normal(size=n), s_next=s @ M.T + a @ B.T + 0.1 * rng.normal(size=(n, d_s)),
                s_next_model=s @ Mh.T + a @ Bh.T, r_model=s @ (w + 0.05) + a @ u, a_policy=s @ K.T)
    true = {"lip_dyn": max(np.linalg.norm(Mh, 2), np.linalg.norm(Bh, 2)), "lip_rew": max(np.linalg.norm(w + 0.05), np.linalg.norm(u)),
            "lip_pi": np.linalg.norm(K, 2)}
    return data, true


@pytest.mark.parametrize("seed", range(6))
def test_errors_and_constants_on_linear_systems(seed):
    data, true = linear_data(seed)
    d = diagnose(data, gamma=0.9, horizon=50, bootstrap=200, rng=seed)
    e_dyn = np.sqrt(((data["s_next"] - data["s_next_model"]) ** 2).sum(1))
    e_rew = np.abs(data["r"] - data["r_model"])
    assert d.eps_dyn_mean.value == pytest.approx(e_dyn.mean(), rel=1e-12)
    assert d.eps_rew_mean.value == pytest.approx(e_rew.mean(), rel=1e-12)
    assert d.eps_dyn_max.value == e_dyn.max() and d.eps_rew_max.value == e_rew.max()
    lo, hi = d.eps_dyn_mean.interval
    assert lo < e_dyn.mean() < hi
    for name, value in true.items():
        est = d.lipschitz[name].value
        assert est <= value * (1 + 1e-12), (name, est, value)
        assert est >= 0.7 * value, (name, est, value)
    gamma_L = 0.9 * d.lipschitz["lip_dyn"].value * (1 + d.lipschitz["lip_pi"].value)
    assert d.gamma_L == pytest.approx(gamma_L, rel=1e-15)


@pytest.mark.parametrize("K_scale,expect", [(0.2, False), (3.0, True)])
def test_vacuous_agrees_with_the_constants(K_scale, expect):
    data, _ = linear_data(1)
    data = data | {"s_next_model": K_scale * data["s_next_model"], "a_policy": 0.1 * data["a_policy"]}
    d = diagnose(data, gamma=0.9, bootstrap=100)
    assert d.vacuous == (d.gamma_L >= 1) == expect
    assert (d.bound is None) == expect
    if expect:
        assert d.horizon_max is not None and d.horizon_max < math.inf  # a finite horizon still says something


def test_horizon_max_is_the_largest_horizon_below_the_multiple():
    from theory.maths.bound import return_bound
    from theory.maths.coefficients import c_rew

    data, _ = linear_data(2)
    d = diagnose(data, gamma=0.99, horizon=10, multiple=0.5, bootstrap=100)
    lip = d.lipschitz
    span = max(data["r"].max(), data["r_model"].max()) - min(data["r"].min(), data["r_model"].min())

    def ratio(H):  # independent: bound over return scale at H
        b = return_bound(0.99, H, d.eps_dyn_max.value, d.eps_rew_max.value, K_f=lip["lip_dyn"].value, K_r=lip["lip_rew"].value,
                         K_pi=lip["lip_pi"].value)
        return float(b.bound) / (span * float(c_rew(0.99, H)))

    H = d.horizon_max
    assert H is not None and math.isfinite(H)
    assert ratio(H) <= 0.5 < ratio(H + 1)


def test_horizon_max_is_not_every_horizon_when_the_infinite_horizon_bound_is_infinite():
    """gamma L = (1 - 1e-13)(1 + 2e-13) > 1: B(inf) is infinite (E3's discounted case needs gamma L < 1), yet
    (gamma L)^H stays near e^0.1 up to H = 1e12, so every horizon the command line takes holds and the answer
    is that cap, not 'every horizon'."""
    from theory.maths.bound import return_bound
    from theory.maths.diagnose import _longest_horizon

    g, K_f = 1 - 1e-13, 1 + 2e-13
    assert not return_bound(g, math.inf, 1e-16, 0.1, K_f=K_f, K_r=1, K_pi=0.0).finite
    assert _longest_horizon(g, 1e-16, 0.1, K_f, 1.0, 0.0, 1.0) == 1e12


def test_pairwise_on_many_samples_is_a_lower_bound_and_close():
    rng = np.random.default_rng(3)
    n, d_s = 30000, 2
    s, a = rng.normal(size=(n, d_s)), rng.normal(size=(n, 1))
    M = np.array([[2.0, 0.3], [0.1, -1.0]])
    est = lipschitz_estimates({"s": s, "a": a}, {"K": (("s", "a"), s @ M.T)}, exact_limit=5000)["K"]
    true = np.linalg.norm(M, 2)
    assert 0.9 * true <= est.value <= true * (1 + 1e-12)
    assert "subset" in est.method and est.local_quantiles["99%"] <= est.value + 1e-12


def test_pairwise_identical_inputs_are_skipped():
    s = np.array([[0.0], [0.0], [1.0], [3.0]])
    # by hand: (0,1) has no distance and is skipped; (0,2) 4, (0,3) 0, (1,2) 6, (1,3) 2/3, (2,3) 2
    est = pairwise_lipschitz([s], np.array([5.0, 7.0, 1.0, 5.0]))
    assert est.value == 6.0 and est.pair == (1, 2)


def test_a_model_callable_gives_realised_sensitivities():
    data, true = linear_data(4, n=500)
    rng = np.random.default_rng(4)
    M = rng.normal(size=(3, 3))

    def model(s, a):
        return s @ M.T, 2.0 * a[:, 0]

    d = diagnose(data, gamma=0.9, horizon=20, bootstrap=100, model=model)
    real = d.sensitivities["realised"]
    # a central difference of a linear map is exact to rounding; a random unit direction never beats the constant
    assert 0 < real["dynamics"]["median"] <= real["dynamics"]["max"] <= max(np.linalg.norm(M, 2), 0) * (1 + 1e-6)
    assert real["reward"]["max"] <= 2.0 * (1 + 1e-6)


@pytest.mark.parametrize("change,match", [
    ({"s": np.ones((5, 3))}, "rows"),
    ({"r": np.full(2000, np.nan)}, "NaN"),
    ({"r": np.full(2000, np.inf)}, "finite"),
    ({"s_next_model": np.ones((2000, 2))}, "d_s"),
    ({"a_policy": np.ones((2000, 3))}, "d_a"),
    ({"s": np.ones((2000, 3, 1))}, "shape"),
])
def test_bad_arrays_name_the_field(change, match):
    data, _ = linear_data(0)
    with pytest.raises(InputError, match=match):
        Transitions(**(data | change))


def test_too_few_rows():
    data, _ = linear_data(0, n=5)
    with pytest.raises(InputError, match="too few rows"):
        Transitions(**data)


def test_files_npz_and_csv_agree(tmp_path):
    data, _ = linear_data(5, n=300)
    np.savez(tmp_path / "d.npz", **data, gamma=0.9, horizon=-1)
    cols = {"s": 3, "a": 1, "s_next": 3, "s_next_model": 3, "a_policy": 1}
    header = [f"{k}_{i}" for k, d in cols.items() for i in range(d)] + ["r", "r_model"]
    table = np.column_stack([data[k] for k in cols] + [data["r"], data["r_model"]])
    (tmp_path / "d.csv").write_text(",".join(header) + "\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in table))
    a, b = read_transitions(tmp_path / "d.npz"), read_transitions(tmp_path / "d.csv")
    assert a.gamma == 0.9 and math.isinf(a.horizon)
    for k in (*cols, "r", "r_model"):
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k))


@pytest.mark.parametrize("content,match", [
    (b"s_0,a_0,r\n1,2,3\n", "missing"),
    (b"s_0,s_0\n1,2\n", "repeated"),
    (b"s_0,wat\n1,2\n", "unknown column"),
    (b"s_1,a_0,r,s_next_1,s_next_model_1,r_model\n" + b"1,2,3,4,5,6\n" * 20, "s_0"),
    (b"\x00\x01", "binary"),
])
def test_bad_csv_files(tmp_path, content, match):
    (tmp_path / "x.csv").write_bytes(content)
    with pytest.raises(InputError, match=match):
        read_transitions(tmp_path / "x.csv")


def test_curves_to_advice_with_an_independent_split():
    from scipy.optimize import minimize_scalar

    from theory.maths.scaling import PowerLaw

    n = np.array([100, 200, 400, 800, 1600, 3200.0])
    curves = {"dyn": (n, 0.5 * n**-0.2), "rew": (n, 9.0 * n**-0.8)}
    adv = advise(curves, budget=1e5, price_dyn=1.0, price_rew=10.0, c_dyn=30.0, c_rew=10.0, bootstrap=0)
    dyn, rew = PowerLaw(0.5, 0.2), PowerLaw(9.0, 0.8)
    # brute force: the share x of the budget on dynamics minimising the bound on the budget line
    f = lambda x: 30.0 * dyn(x * 1e5) + 10.0 * rew((1 - x) * 1e5 / 10.0)  # noqa: E731
    best = minimize_scalar(f, bounds=(1e-6, 1 - 1e-6), method="bounded", options={"xatol": 1e-12}).x
    assert adv.success and adv.split["share_dyn"] == pytest.approx(best, rel=1e-6)
    one = advise({"dyn": curves["dyn"]}, budget=1e5, c_dyn=1.0, c_rew=1.0, bootstrap=0)
    assert not one.success and "both curves" in one.message


def test_curves_file(tmp_path):
    (tmp_path / "c.csv").write_text("n_d,eps_dyn,n_r,eps_rew\n10,1,10,2\n100,0.5,100,0.4\n1000,0.25,,\n")
    c = read_curves(tmp_path / "c.csv")
    assert c["dyn"][0].tolist() == [10, 100, 1000] and c["rew"][1].tolist() == [2, 0.4]
    (tmp_path / "bad.csv").write_text("n_d,eps_rew\n1,2\n")
    with pytest.raises(InputError, match="go together"):
        read_curves(tmp_path / "bad.csv")


def test_the_command_on_the_shipped_example(capsys):
    from pathlib import Path

    from theory.cli import main

    root = Path(__file__).resolve().parents[2]
    code = main(["diagnose", "--data", str(root / "examples/world_model.npz"), "--curves",
                 str(root / "examples/world_model_curves.csv"), "--budget", "10000", "--price-rew", "10",
                 "--horizon", "20", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    for key in ("eps_dyn_mean", "eps_rew_mean", "eps_dyn_max", "eps_rew_max", "lipschitz", "gamma_L",
                "vacuous", "bound", "horizon_max", "lower_first", "advice"):
        assert key in out
    assert out["advice"]["split"]["share_dyn_ci"][0] <= out["advice"]["split"]["share_dyn"] <= out["advice"]["split"]["share_dyn_ci"][1]
