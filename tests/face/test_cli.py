"""The command line as a user meets it: JSON outputs checked against independent arithmetic."""

import json
import subprocess
import sys

import pytest

from theory.cli import main


def run_json(capsys, *argv):
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_bound_json_matches_hand_computation(capsys):
    code, out = run_json(capsys, "bound", "--gamma", "0.9", "--horizon", "3", "--lip-dyn", "0.5",
                         "--lip-rew", "2", "--lip-pi", "1", "--eps-dyn", "0.1", "--eps-rew", "0.2")
    assert code == 0
    L, K = 0.5 * 2, 2 * 2
    c_rew = 1 + 0.9 + 0.81
    c_dyn = K * (0.9 * 1 + 0.81 * (1 + L))
    assert out["L"] == pytest.approx(L) and out["c_rew"] == pytest.approx(c_rew)
    assert out["c_dyn"] == pytest.approx(c_dyn)
    assert out["bound"] == pytest.approx(0.2 * c_rew + 0.1 * c_dyn)
    assert out["finite"] is True and out["message"] == ""
    assert out["reward_share"] + out["dynamics_share"] == pytest.approx(1)


def test_bound_infinite_is_null_with_reason(capsys):
    code, out = run_json(capsys, "bound", "--gamma", "0.9", "--horizon", "inf", "--lip-dyn", "2",
                         "--lip-rew", "1", "--eps-dyn", "0.1", "--eps-rew", "0.2")
    assert code == 0 and out["bound"] is None and out["finite"] is False and "gamma * L" in out["message"]


def test_bound_latex(capsys):
    main(["bound", "--gamma", "0.9", "--lip-dyn", "0.5", "--lip-rew", "1", "--eps-dyn", "0.1", "--eps-rew", "0.1", "--latex"])
    assert r"\varepsilon_{dyn}" in capsys.readouterr().out


@pytest.mark.parametrize("args,param", [
    (["--gamma", "1.5"], "gamma"),
    (["--gamma", "1", "--horizon", "inf"], "gamma"),
    (["--horizon", "0"], "horizon"),
    (["--horizon", "2.5"], "horizon"),
    (["--horizon", "abc"], "horizon"),
    (["--lip-dyn", "-1"], "lip-dyn"),
    (["--eps-rew", "-0.1"], "eps-rew"),
])
def test_bad_input_exits_nonzero_with_one_line(args, param):
    base = {"--gamma": "0.9", "--horizon": "10", "--lip-dyn": "1", "--lip-rew": "1", "--eps-dyn": "0.1", "--eps-rew": "0.1"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    argv = [sys.executable, "-m", "theory", "bound"] + [x for kv in base.items() for x in kv]
    proc = subprocess.run(argv, capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and param in lines[0] and "Traceback" not in proc.stderr


def test_sensitivity_json(capsys):
    code, out = run_json(capsys, "sensitivity", "--gamma", "0.9", "--lip-dyn", "0.5", "--lip-rew", "1",
                         "--lip-pi", "0.2", "--eps-dyn", "0.01", "--eps-rew", "0.01")
    assert code == 0 and set(out["elasticity"]) >= {"lip_dyn", "lip_rew", "lip_pi", "gamma"}
    # independent: the dynamics term's elasticity in K_r is 1, the reward term's is 0
    c_dyn = 0.9 * 1.2 / (0.1 * (1 - 0.9 * 0.6))
    assert out["elasticity"]["lip_rew"] == pytest.approx(c_dyn * 0.01 / (0.1 + c_dyn * 0.01))


def test_reproduce_cli_json_for_one_stage(tmp_path, capsys):
    code, out = run_json(capsys, "reproduce", "--quick", "--out", str(tmp_path / "figs"), "--only", "straightening")
    assert code == 0 and out["failed"] == 0 and out["checked"] >= 4
    assert {ln["kind"] for ln in out["lines"]} <= {"checked", "measured", "compared"}
    for name in ("straightening", "lipschitz_elasticities"):
        assert (tmp_path / "figs" / f"{name}.png").exists() and (tmp_path / "figs" / f"{name}.pdf").exists()
    assert "Step" in (tmp_path / "figs" / "derivations" / "straightening.md").read_text()  # inside --out DIR
    assert (tmp_path / "figs" / "derivations" / "straightening.tex").read_text().startswith("\\section{")


def test_allocate_json_spends_budget_and_matches_E10(capsys):
    code, out = run_json(capsys, "allocate", "--budget", "1e5", "--price-dyn", "2", "--price-rew", "8",
                         "--a-dyn", "1", "--alpha-dyn", "0.5", "--a-rew", "3", "--alpha-rew", "0.5",
                         "--c-dyn", "20", "--c-rew", "4")
    assert code == 0
    assert 2 * out["n_dyn"] + 8 * out["n_rew"] == pytest.approx(1e5)
    assert out["sample_ratio"] == pytest.approx((20 * 1 * 8 / (4 * 3 * 2)) ** (1 / 1.5))
    assert out["share_dyn"] == pytest.approx(2 * out["n_dyn"] / 1e5)


def test_allocate_from_bound_options(capsys):
    code, out = run_json(capsys, "allocate", "--budget", "1e4", "--price-dyn", "1", "--price-rew", "1",
                         "--a-dyn", "1", "--alpha-dyn", "0.5", "--a-rew", "1", "--alpha-rew", "0.5",
                         "--gamma", "0.9", "--lip-dyn", "0.5", "--lip-rew", "1")
    assert code == 0
    assert out["c_rew"] == pytest.approx(10) and out["c_dyn"] == pytest.approx(0.9 / (0.1 * 0.55))


@pytest.mark.parametrize("extra,word", [(["--budget", "0.5"], "budget"), (["--price-dyn", "0"], "price-dyn"),
                                        (["--alpha-rew", "-1"], "alpha")])
def test_allocate_bad_input(extra, word):
    base = {"--budget": "100", "--price-dyn": "1", "--price-rew": "1", "--a-dyn": "1", "--alpha-dyn": "0.5",
            "--a-rew": "1", "--alpha-rew": "0.5", "--c-dyn": "1", "--c-rew": "1"}
    base[extra[0]] = extra[1]
    proc = subprocess.run([sys.executable, "-m", "theory", "allocate"] + [x for kv in base.items() for x in kv],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and word in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_fit_cli(tmp_path, capsys):
    path = tmp_path / "e.csv"
    path.write_text("n,error\n10,0.5\n100,0.158\n1000,0.05\n10000,0.0158\n")
    code, out = run_json(capsys, "fit", str(path), "--bootstrap", "50", "--seed", "1")
    assert code == 0 and out["law"]["alpha"] == pytest.approx(0.5, abs=0.01) and set(out["ci"]) >= {"a", "alpha", "e"}
    short = tmp_path / "s.csv"
    short.write_text("n,error\n10,0.5\n100,0.1\n")
    proc = subprocess.run([sys.executable, "-m", "theory", "fit", str(short)], capture_output=True, text=True)
    assert proc.returncode == 2 and "at least 3" in proc.stderr


def test_lab_commands(tmp_path, capsys):
    import numpy as np

    from theory.mdp.finite import save_npz
    from theory.mdp.learned import random_chain

    m = random_chain(np.random.default_rng(0), S=5)
    path = tmp_path / "m.npz"
    save_npz(m, path)
    code, out = run_json(capsys, "evaluate", "--mdp-file", str(path))
    # independent: the truncated Neumann series
    P_pi = np.einsum("sa,sat->st", m.pi, m.P)
    r_pi = (m.pi * m.R).sum(1)
    assert out["J"] == pytest.approx(sum(m.gamma**t * m.mu @ np.linalg.matrix_power(P_pi, t) @ r_pi for t in range(500)))
    code, out = run_json(capsys, "lipschitz", "--mdp-file", str(path))
    assert code == 0 and out["L"] > 0 and out["K_rpi"] > 0
    code, out = run_json(capsys, "verify-bound", "--mdp-file", str(path), "--mdps", "3", "--n-dyn", "30", "--n-rew", "30")
    assert code == 0 and out["cases"] == 3 and out["violations"] == 0
    proc = subprocess.run([sys.executable, "-m", "theory", "evaluate", "--mdp-file", str(tmp_path / "missing.npz")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_verify_allocation_cli(capsys):
    code, out = run_json(capsys, "verify-allocation", "--seed-count", "10")
    assert code == 0 and set(out["predicted"]) == {"global", "realised"}
    # independent: the predicted splits minimise the bound along the budget line for the reported laws and
    # coefficients, found here by a bounded scalar search (not the package's Newton solver), then rounded
    from scipy.optimize import minimize_scalar

    N, (kd, kr) = out["budget"], out["prices"]
    law = {k: (lambda n, a=v["law"]["a"], al=v["law"]["alpha"]: a * n ** -al) for k, v in out["fits"].items()}
    for name, c in out["coefficients"].items():
        def bound(x, c=c):
            return c["c_dyn"] * law["dyn"](x * N / kd) + c["c_rew"] * law["rew"]((1 - x) * N / kr)

        best = minimize_scalar(bound, bounds=(kd / N, 1 - kr / N), method="bounded", options={"xatol": 1e-12}).x
        assert abs(out["predicted"][name]["n_dyn"] - max(best * N / kd, 1)) <= 0.5 + 1e-6


def test_noise_budget_cli(capsys):
    code, out = run_json(capsys, "noise-budget", "--v0", "5", "--w", "6", "--rollout-budget", "1000", "--price-min", "0.1",
                         "--price-max", "100", "--noise", "power", "--A", "2", "--p", "2")
    assert code == 0 and out["price"] == pytest.approx((6 * 2 / 5) ** 0.5, rel=1e-8)
    assert out["corner"] is None and out["noise_only_price"] == pytest.approx(100)
    assert out["rollouts"] == pytest.approx(1000 / out["price"]) and out["sigma2"] == pytest.approx(2 / out["price"] ** 2)
    code, out = run_json(capsys, "noise-budget", "--v0", "0.01", "--w", "1", "--rollout-budget", "100", "--noise", "menu",
                         "--offer", "1:3", "5:0.5", "20:0.01")
    assert out["price"] == 20 and out["corner"] == "high"
    proc = subprocess.run([sys.executable, "-m", "theory", "noise-budget", "--v0", "1", "--w", "1", "--rollout-budget", "10",
                           "--price-min", "1", "--price-max", "2", "--noise", "floor", "--A", "1"], capture_output=True, text=True)
    assert proc.returncode == 2 and "--sigma2-floor" in proc.stderr


def test_check_reinforce_cli(capsys):
    code, out = run_json(capsys, "check-reinforce", "--rollouts", "20000", "--noise-sd", "0.5", "--seed", "1")
    assert code == 0 and set(out) >= {"exact_grad", "mc_grad", "max_abs_z", "unbiased", "variance_exact", "variance_mc"}
    assert len(out["exact_grad"]) == 3 and len(out["exact_grad"][0]) == 2
    assert out["variance_mc"] == pytest.approx(out["variance_exact"], rel=0.1)


def test_curvature_cli(tmp_path, capsys):
    import numpy as np

    path = tmp_path / "z.npy"
    np.save(path, np.array([[0, 0], [1, 0], [1, 1], [1, 2]], dtype=float))
    code, out = run_json(capsys, "curvature", "--trajectory-file", str(path))
    assert code == 0 and out["per_step"] == [pytest.approx([1.0, 0.0])] and out["mean_curvature"] == pytest.approx(0.5)
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((2, 2)))
    proc = subprocess.run([sys.executable, "-m", "theory", "curvature", "--trajectory-file", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2 and "at least 3 points" in proc.stderr


def test_scaling_experiment_cli(capsys, monkeypatch):
    import warnings

    from theory.checks import neural_scaling as SE

    # a tiny grid: the real grids run in `imagination reproduce`
    monkeypatch.setattr(SE.Config, "of_size", staticmethod(lambda size: SE.Config(sizes=(64, 512, 4096), seeds=1, steps=200, test=300)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code, out = run_json(capsys, "scaling-experiment", "--quick", "--seed", "2")
    assert code == 0 and set(out["fits"]) == {"dyn", "rew"} and 0 < out["share_dyn"] < 1
    assert set(out["fits"]["dyn"]["law"]) == {"a", "alpha", "e"} and set(out["fits"]["dyn"]["ci"]) >= {"alpha"}


def test_allocate_from_csv_fits_carries_the_interval(tmp_path, capsys):
    import numpy as np

    n = np.array([10, 30, 100, 300, 1000, 3000, 10000])
    rng = np.random.default_rng(0)
    for name, a, alpha in (("d.csv", 1.5, 0.3), ("r.csv", 4.0, 0.9)):
        err = a * n**-alpha * np.exp(rng.normal(0, 0.03, n.size))
        (tmp_path / name).write_text("n,error\n" + "\n".join(f"{x},{e}" for x, e in zip(n, err)))
    code, out = run_json(capsys, "allocate", "--budget", "1e5", "--price-dyn", "1", "--price-rew", "10",
                         "--dyn-csv", str(tmp_path / "d.csv"), "--rew-csv", str(tmp_path / "r.csv"),
                         "--c-dyn", "10", "--c-rew", "5", "--bootstrap", "100")
    assert code == 0 and out["share_dyn_ci"][0] <= out["share_dyn"] <= out["share_dyn_ci"][1]
    assert out["laws"]["dyn"]["alpha"] == pytest.approx(0.3, abs=0.05)
    # the split from the fitted laws is close to the planted laws' optimum
    from theory.maths.allocation import Prices, optimal_split
    from theory.maths.scaling import PowerLaw
    planted = optimal_split(1e5, Prices(1, 10), PowerLaw(1.5, 0.3), PowerLaw(4.0, 0.9), 10.0, 5.0)
    assert abs(float(planted.share_dyn) - out["share_dyn"]) < 0.1


def test_old_flags_still_work_for_this_release_with_a_notice(capsys):
    """A renamed flag keeps working, with one line on standard error naming the new one, and gives the same result."""
    _, new = run_json(capsys, "verify-allocation", "--seed-count", "4", "--seed", "3")
    code = main(["verify-allocation", "--seeds", "4", "--seed", "3", "--json"])
    captured = capsys.readouterr()
    assert code == 0 and json.loads(captured.out) == new
    assert captured.err.strip() == "imagination verify-allocation: warning: --seeds is deprecated; use --seed-count"
    args = ["noise-budget", "--v0", "5", "--w", "6", "--rollout-budget", "1000", "--price-min", "0.1", "--price-max", "50",
            "--noise", "bounded", "--sigma2-0", "2", "--json"]
    code = main([*args, "--price-perfect", "50"])
    captured = capsys.readouterr()
    assert code == 0 and "deprecated" not in captured.err
    new = json.loads(captured.out)
    code = main(args)  # before: --price-max was also the price of perfect labels
    captured = capsys.readouterr()
    assert code == 0 and json.loads(captured.out) == new
    assert captured.err.count("\n") == 1 and "deprecated; give --price-perfect" in captured.err


def test_regime_map_cli_as_json_and_as_a_table(capsys):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code, out = run_json(capsys, "regime-map", "--quick")
        assert code == 0 and out["seed_count"] == 2
        assert {f["measure"] for f in out["fits"]} == {"mean", "mse", "relative"}
        assert all(set(f["fit"]["law"]) == {"a", "alpha", "e"} for f in out["fits"])
        assert main(["regime-map", "--quick"]) == 0
    table = capsys.readouterr().out
    assert "Regime map" in table and "noise-free, k=2 (mse)" in table and "predicted: nonparametric 1" in table
