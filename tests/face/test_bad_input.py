"""Every bad input is one line on standard error and exit 2 (or a documented correct answer): a table of
malformed commands and files for every subcommand, plus hypothesis-generated numbers for the numeric ones.

The commands run in-process through ``theory.cli.main`` (the console entry point), so the table is fast;
one subprocess run checks the real console path.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from theory.cli import main

BOUND = ["--gamma", "0.9", "--lip-dyn", "0.5", "--lip-rew", "1", "--eps-dyn", "0.01", "--eps-rew", "0.01"]
ALLOC = ["--budget", "1e5", "--price-dyn", "1", "--price-rew", "10", "--a-dyn", "0.34", "--alpha-dyn", "0.11",
         "--a-rew", "90", "--alpha-rew", "0.96", "--c-dyn", "10", "--c-rew", "10"]
NOISE = ["--v0", "1", "--w", "2", "--rollout-budget", "100", "--noise", "power", "--A", "1", "--p", "2", "--price-min", "0.1",
         "--price-max", "10"]


def with_flag(base: list[str], flag: str, value: str | None) -> list[str]:
    """``base`` with ``flag`` set to ``value`` (or removed when ``value`` is None)."""
    out, skip = [], False
    for k, tok in enumerate(base):
        if skip:
            skip = False
            continue
        if tok == flag:
            skip = True
            continue
        out.append(tok)
    return out + ([flag, value] if value is not None else [])


def good_mdp(S=3, A=2):
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(S), (S, A))
    x = np.arange(S, dtype=float)
    return {"P": P, "R": rng.normal(size=(S, A)), "D": np.abs(x[:, None] - x[None]), "gamma": np.array(0.9),
            "horizon": np.array(5.0)}


def mutated(**changes):
    data = good_mdp()
    for k, v in changes.items():
        if v is None:
            data.pop(k)
        else:
            data[k] = v
    return data


def bad_files(tmp) -> dict[str, str]:
    """Malformed files, written into ``tmp``; the key names the defect."""
    files = {}

    def npz(name, data, pickle=False):
        path = tmp / f"{name}.npz"
        with path.open("wb") as fh:
            np.savez(fh, **data) if not pickle else np.savez(fh, allow_pickle=True, **data)
        files[name] = str(path)

    S = 3
    P = good_mdp()["P"]
    off = P.copy(); off[1, 0, 0] += 0.01  # noqa: E702
    neg = P.copy(); neg[0, 1, 0] = -0.1; neg[0, 1, 1] += 0.1  # noqa: E702
    nanP = P.copy(); nanP[0, 0, 0] = np.nan  # noqa: E702
    D = good_mdp()["D"]
    asym = D.copy(); asym[0, 1] = 5.0  # noqa: E702
    tri = np.array([[0, 1, 5.0], [1, 0, 1], [5.0, 1, 0]])
    npz("missing_P", mutated(P=None))
    npz("missing_gamma", mutated(gamma=None))
    npz("missing_horizon", mutated(horizon=None))
    npz("P_strings", mutated(P=np.array([["a", "b"]])))
    npz("P_2d", mutated(P=np.ones((3, 3)) / 3))
    npz("P_off_simplex", mutated(P=off))
    npz("P_negative", mutated(P=neg))
    npz("P_nan", mutated(P=nanP))
    npz("P_inf", mutated(P=np.where(P > 0.5, np.inf, P)))
    npz("zero_states", mutated(P=np.zeros((0, 2, 0)), R=np.zeros((0, 2)), D=np.zeros((0, 0))))
    npz("R_shape", mutated(R=np.zeros((2, 2))))
    npz("R_nan", mutated(R=np.full((S, 2), np.nan)))
    npz("D_shape", mutated(D=np.zeros((2, 2))))
    npz("D_asymmetric", mutated(D=asym))
    npz("D_triangle", mutated(D=tri))
    npz("D_zero_offdiag", mutated(D=np.zeros((3, 3))))
    npz("D_diagonal", mutated(D=D + np.eye(3)))
    npz("D_nan", mutated(D=np.full((3, 3), np.nan)))
    npz("gamma_vector", mutated(gamma=np.array([0.9, 0.8])))
    npz("gamma_string", mutated(gamma=np.array("high")))
    npz("gamma_big", mutated(gamma=np.array(1.5)))
    npz("gamma_one_infinite", mutated(gamma=np.array(1.0), horizon=np.array(-1.0)))
    npz("horizon_zero", mutated(horizon=np.array(0.0)))
    npz("horizon_fraction", mutated(horizon=np.array(2.5)))
    npz("mu_shape", mutated(mu=np.ones(2) / 2))
    npz("mu_sum", mutated(mu=np.ones(3)))
    npz("mu_nan", mutated(mu=np.array([np.nan, 0.5, 0.5])))
    npz("pi_sum", mutated(pi=np.ones((3, 2))))
    npz("pi_shape", mutated(pi=np.ones((3, 3)) / 3))
    npz("P_object", mutated(P=np.array([object(), 1], dtype=object)), pickle=True)
    (tmp / "text.npz").write_text("P,R\n1,2\n")
    files["text_as_npz"] = str(tmp / "text.npz")
    (tmp / "junk.npz").write_bytes(bytes(range(256)) * 4)
    files["binary_as_npz"] = str(tmp / "junk.npz")
    (tmp / "empty.npz").write_bytes(b"")
    files["empty_npz"] = str(tmp / "empty.npz")
    with zipfile.ZipFile(tmp / "zip.npz", "w") as z:
        z.writestr("readme.txt", "not an array")
    files["zip_not_npz"] = str(tmp / "zip.npz")
    (tmp / "folder.npz").mkdir()
    files["directory"] = str(tmp / "folder.npz")
    files["missing_file"] = str(tmp / "nowhere.npz")
    return files


MDP_DEFECTS = ["missing_P", "missing_gamma", "missing_horizon", "P_strings", "P_2d", "P_off_simplex", "P_negative",
               "P_nan", "P_inf", "zero_states", "R_shape", "R_nan", "D_shape", "D_asymmetric", "D_triangle",
               "D_zero_offdiag", "D_diagonal", "D_nan", "gamma_vector", "gamma_string", "gamma_big", "gamma_one_infinite",
               "horizon_zero", "horizon_fraction", "mu_shape", "mu_sum", "mu_nan", "pi_sum", "pi_shape", "P_object",
               "text_as_npz", "binary_as_npz", "empty_npz", "zip_not_npz", "directory", "missing_file"]


def csv_files(tmp) -> dict[str, str]:
    out = {}
    for name, content in {
        "csv_latin1": "n,error\n10,0.5\n100,0.2\n# comment \xe9t\xe9\n1000,0.1\n".encode("latin-1"),
        "csv_bom": "\ufeffn,error\n10,0.5\n100,0.2\n1000,0.1\n".encode("utf-8"),
        "csv_binary": bytes(range(256)),
        "csv_empty": b"",
        "csv_header_only": b"n,error\n",
        "csv_wrong_header": b"size,err\n10,0.5\n100,0.2\n1000,0.1\n",
        "csv_text_value": b"n,error\n10,0.5\n100,abc\n1000,0.1\n",
        "csv_nan": b"n,error\n10,0.5\n100,nan\n1000,0.1\n",
        "csv_negative": b"n,error\n10,0.5\n100,-0.2\n1000,0.1\n",
        "csv_two_rows": b"n,error\n10,0.5\n100,0.2\n",
        "csv_same_n": b"n,error\n10,0.5\n10,0.2\n10,0.1\n",
        "csv_short_row": b"n,error\n10,0.5\n100\n1000,0.1\n",
    }.items():
        (tmp / f"{name}.csv").write_bytes(content)
        out[name] = str(tmp / f"{name}.csv")
    np.savez(tmp / "csv_npz.npz", a=np.ones(3))
    out["csv_npz"] = str(tmp / "csv_npz.npz")
    (tmp / "csv_repeated.csv").write_bytes(b"n,error,n\n10,0.5,1\n100,0.2,2\n1000,0.1,3\n")
    out["csv_repeated"] = str(tmp / "csv_repeated.csv")
    (tmp / "csv_repeated_error.csv").write_bytes(b"error,n,ERROR\n0.5,10,1\n0.2,100,2\n0.1,1000,3\n")
    out["csv_repeated_error"] = str(tmp / "csv_repeated_error.csv")
    (tmp / "csv_dir").mkdir()
    out["csv_dir"] = str(tmp / "csv_dir")
    return out


def npy_files(tmp) -> dict[str, str]:
    out = {}
    for name, arr in {"npy_complex": np.ones((5, 2)) * (1 + 1j), "npy_two_points": np.ones((2, 2)),
                      "npy_1d": np.ones(5), "npy_nan": np.full((4, 2), np.nan), "npy_4d": np.ones((2, 2, 4, 2))}.items():
        np.save(tmp / f"{name}.npy", arr)
        out[name] = str(tmp / f"{name}.npy")
    np.save(tmp / "npy_object.npy", np.array([1, object()], dtype=object), allow_pickle=True)
    out["npy_object"] = str(tmp / "npy_object.npy")
    (tmp / "npy_text.npy").write_text("1,2,3")
    out["npy_text"] = str(tmp / "npy_text.npy")
    (tmp / "npy_dir").mkdir()
    out["npy_dir"] = str(tmp / "npy_dir")
    return out


def command_table() -> list[tuple[str, list[str]]]:
    """(label, argv) of commands that must each fail with exit 2 and one line; ``{name}`` names a file."""
    rows = []
    for flag, values in {"--gamma": ["-0.1", "1.5", "nan", "inf", "abc"], "--horizon": ["0", "-3", "2.5", "x", "1e13"],
                         "--lip-dyn": ["-1", "nan", "inf"], "--lip-rew": ["-1", "1e400"], "--lip-pi": ["-0.1"],
                         "--eps-dyn": ["-1", "inf"], "--eps-rew": ["nan", "-2"]}.items():
        for v in values:
            rows.append((f"bound {flag} {v}", ["bound", *with_flag(BOUND, flag, v)]))
            rows.append((f"sensitivity {flag} {v}", ["sensitivity", *with_flag(BOUND, flag, v)]))
    rows += [("bound without --gamma", ["bound", *with_flag(BOUND, "--gamma", None)]),
             ("bound gamma 1 infinite", ["bound", *with_flag(BOUND, "--gamma", "1")]),
             ("bound unknown flag", ["bound", *BOUND, "--lipschitz", "3"]),
             ("sensitivity infinite bound", ["sensitivity", *with_flag(BOUND, "--lip-dyn", "2")])]
    for flag, values in {"--budget": ["0", "-1", "nan", "inf", "x", "0.5"], "--price-dyn": ["0", "-1"],
                         "--price-rew": ["nan"], "--a-dyn": ["0"], "--alpha-dyn": ["0", "-1"], "--a-rew": ["inf"],
                         "--alpha-rew": ["nan"], "--c-dyn": ["0"], "--c-rew": ["-1"], "--bootstrap": ["-1", "2.5"],
                         "--seed": ["-1", "1.5"]}.items():
        for v in values:
            rows.append((f"allocate {flag} {v}", ["allocate", *with_flag(ALLOC, flag, v)]))
    rows += [("allocate no laws", ["allocate", *with_flag(with_flag(ALLOC, "--a-dyn", None), "--alpha-dyn", None)]),
             ("allocate both C and bound", ["allocate", *ALLOC, "--gamma", "0.9", "--lip-dyn", "0.5", "--lip-rew", "1"]),
             ("allocate infinite bound", ["allocate", *with_flag(with_flag(ALLOC, "--c-dyn", None), "--c-rew", None),
                                          "--gamma", "0.9", "--lip-dyn", "2", "--lip-rew", "1"]),
             ("allocate C_dyn zero", ["allocate", *with_flag(with_flag(ALLOC, "--c-dyn", None), "--c-rew", None),
                                      "--gamma", "0", "--lip-dyn", "0.5", "--lip-rew", "1"])]
    for name in ("csv_binary", "csv_empty", "csv_header_only", "csv_wrong_header", "csv_text_value", "csv_nan",
                 "csv_negative", "csv_two_rows", "csv_same_n", "csv_short_row", "csv_npz", "csv_dir"):
        rows.append((f"fit {name}", ["fit", "{" + name + "}"]))
        rows.append((f"allocate --dyn-csv {name}", ["allocate", *with_flag(with_flag(ALLOC, "--a-dyn", None),
                                                                            "--alpha-dyn", None), "--dyn-csv", "{" + name + "}"]))
    rows += [("fit missing file", ["fit", "/nonexistent/errors.csv"]), ("fit --seed -1", ["fit", "{csv_bom}", "--seed", "-1"]),
             ("fit --level 0", ["fit", "{csv_bom}", "--level", "0"]), ("fit --level 1.5", ["fit", "{csv_bom}", "--level", "1.5"]),
             ("fit --bootstrap -5", ["fit", "{csv_bom}", "--bootstrap", "-5"])]
    for flag, values in {"--v0": ["-1", "nan"], "--w": ["0"], "--rollout-budget": ["0", "0.05", "1e308"], "--c0": ["-1"],
                         "--price-min": ["0"], "--price-max": ["0.01"], "--A": ["nan", "0"], "--p": ["0"],
                         "--noise": ["gaussian"]}.items():
        for v in values:
            rows.append((f"noise-budget {flag} {v}", ["noise-budget", *with_flag(NOISE, flag, v)]))
    rows += [("noise-budget menu without offers", ["noise-budget", *with_flag(NOISE, "--noise", "menu")]),
             ("noise-budget bad offer", ["noise-budget", *with_flag(NOISE, "--noise", "menu"), "--offer", "a:b"]),
             ("noise-budget offer one number", ["noise-budget", *with_flag(NOISE, "--noise", "menu"), "--offer", "1"]),
             ("noise-budget offer negative price", ["noise-budget", *with_flag(NOISE, "--noise", "menu"), "--offer", "-1:2"]),
             ("noise-budget floor without floor", ["noise-budget", *with_flag(NOISE, "--noise", "floor")]),
             ("noise-budget bounded without sigma2-0", ["noise-budget", *with_flag(NOISE, "--noise", "bounded")]),
             ("noise-budget averaging without k", ["noise-budget", *with_flag(NOISE, "--noise", "averaging"),
                                                   "--sigma2-1", "1"]),
             ("noise-budget integer 1e308", ["noise-budget", *with_flag(NOISE, "--rollout-budget", "1e308"), "--integer"])]
    for name in MDP_DEFECTS:
        rows.append((f"evaluate {name}", ["evaluate", "--mdp-file", "{" + name + "}"]))
        rows.append((f"lipschitz {name}", ["lipschitz", "--mdp-file", "{" + name + "}"]))
    for name in ("P_off_simplex", "D_triangle", "gamma_string", "text_as_npz", "directory", "P_object"):
        rows.append((f"verify-bound {name}", ["verify-bound", "--mdp-file", "{" + name + "}", "--mdps", "1"]))
        rows.append((f"check-reinforce {name}", ["check-reinforce", "--mdp-file", "{" + name + "}", "--rollouts", "100"]))
    rows += [("verify-bound --mdps 0", ["verify-bound", "--mdps", "0"]), ("verify-bound --mdps -1", ["verify-bound", "--mdps", "-1"]),
             ("verify-bound --n-dyn 0", ["verify-bound", "--mdp-file", "{good}", "--n-dyn", "0", "--n-rew", "5"]),
             ("verify-bound --n-dyn 2.5", ["verify-bound", "--mdp-file", "{good}", "--n-dyn", "2.5", "--n-rew", "5"]),
             ("verify-bound one sample flag", ["verify-bound", "--mdp-file", "{good}", "--n-dyn", "5"]),
             ("verify-bound samples without file", ["verify-bound", "--n-dyn", "5", "--n-rew", "5"]),
             ("verify-bound --noise-sd -1", ["verify-bound", "--noise-sd", "-1"]), ("verify-bound --seed -1", ["verify-bound", "--seed", "-1"]),
             ("verify-allocation --seed-count 1", ["verify-allocation", "--seed-count", "1"]),
             ("verify-allocation --seeds 1 (deprecated)", ["verify-allocation", "--seeds", "1"]),
             ("verify-allocation --seed -1", ["verify-allocation", "--seed", "-1"]),
             ("check-reinforce --horizon 0", ["check-reinforce", "--horizon", "0"]),
             ("check-reinforce --horizon 1e6", ["check-reinforce", "--horizon", "1000000"]),
             ("check-reinforce --rollouts 1", ["check-reinforce", "--rollouts", "1"]),
             ("check-reinforce --rollouts 1e10", ["check-reinforce", "--rollouts", "1e10"]),
             ("check-reinforce --noise-sd -1", ["check-reinforce", "--noise-sd", "-1"]),
             ("check-reinforce --noise-sd nan", ["check-reinforce", "--noise-sd", "nan"]),
             ("check-reinforce --bias nan", ["check-reinforce", "--bias", "nan"]),
             ("check-reinforce --bias inf", ["check-reinforce", "--bias", "inf"]),
             ("check-reinforce --seed -1", ["check-reinforce", "--seed", "-1"]),
             ("check-reinforce --estimator x", ["check-reinforce", "--estimator", "x"])]
    for name in ("npy_complex", "npy_two_points", "npy_1d", "npy_nan", "npy_4d", "npy_object", "npy_text", "npy_dir"):
        rows.append((f"curvature {name}", ["curvature", "--trajectory-file", "{" + name + "}"]))
    rows += [("curvature missing", ["curvature", "--trajectory-file", "/nonexistent.npy"]),
             ("reproduce --out a file", ["reproduce", "--quick", "--out", "{good}"]),
             ("reproduce --out unwritable", ["reproduce", "--quick", "--out", "/proc/imagination"]),
             ("reproduce --only unknown", ["reproduce", "--quick", "--only", "everything"]),
             ("reproduce --quick --full", ["reproduce", "--quick", "--full"]),
             ("scaling-experiment --quick --full", ["scaling-experiment", "--quick", "--full"]),
             ("scaling-experiment --seed -1", ["scaling-experiment", "--seed", "-1"]),
             ("scaling-experiment --measure x", ["scaling-experiment", "--measure", "x"]),
             ("regime-map --quick --full", ["regime-map", "--quick", "--full"]),
             ("regime-map --seed -1", ["regime-map", "--seed", "-1"]),
             ("toy-text unknown", ["toy-text", "mountaincar", "--out", "{tmp}/m.npz"]),
             ("toy-text --out folder", ["toy-text", "taxi", "--out", "{tmp}"]),
             ("toy-text --out not npz", ["toy-text", "frozenlake4x4", "--out", "{tmp}/lake.txt"]),
             ("toy-text --gamma 2", ["toy-text", "frozenlake4x4", "--out", "{tmp}/l.npz", "--gamma", "2"]),
             ("toy-text --horizon 0", ["toy-text", "frozenlake4x4", "--out", "{tmp}/l.npz", "--horizon", "0"]),
             ("no command", []), ("unknown command", ["frobnicate"])]
    # the audit's classes (#30): results files, schedulers, huge budgets, standard input, endless reads
    for cmd in (["verify-bound", "--mdps", "2"], ["verify-allocation", "--seed-count", "2"],
                ["scaling-experiment", "--quick"], ["regime-map", "--quick"], ["reproduce", "--quick", "--only", "bound", "--out", "{tmp}/r"]):
        for label, value in (("a folder", "{tmp}"), ("in a missing folder", "{tmp}/no/such/dir/r.jsonl"),
                             ("binary", "{csv_binary}"), ("not JSON", "{csv_bom}"), ("under /proc", "/proc/imagination.jsonl")):
            if cmd[0] == "reproduce" and label in ("binary", "not JSON", "in a missing folder"):
                continue  # reproduce's --results is a prefix of new files (its folder made as --out's is)
            rows.append((f"{cmd[0]} --results {label}", [*cmd, "--results", value]))
        for address in ("notanaddress", "tcp://", "127.0.0.1:notaport", ":::"):
            rows.append((f"{cmd[0]} --scheduler {address}", [*cmd, "--scheduler", address]))
        rows.append((f"{cmd[0]} --workers and --scheduler", [*cmd, "--workers", "2", "--scheduler", "127.0.0.1:1"]))
    for budget in ("1e300", "1e200", "1e17"):
        rows.append((f"allocate --budget {budget} --integer", ["allocate", *with_flag(ALLOC, "--budget", budget), "--integer"]))
    for offer in ("-1:1", "-0.5:2", "1:-1", "-1:-1", "1:2:3", ":", "0:1"):
        rows.append((f"noise-budget --offer {offer}", ["noise-budget", *with_flag(NOISE, "--noise", "menu"), "--offer", offer]))
    for b in ("1", "2", "39"):
        rows.append((f"fit --bootstrap {b}", ["fit", "{csv_bom}", "--bootstrap", b]))
    for dev in ("/dev/zero", "/dev/null", "/dev/urandom"):
        rows.append((f"fit {dev}", ["fit", dev]))
        rows.append((f"evaluate {dev}", ["evaluate", "--mdp-file", dev]))
        rows.append((f"curvature {dev}", ["curvature", "--trajectory-file", dev]))
        rows.append((f"allocate --rew-csv {dev}", ["allocate", *with_flag(with_flag(ALLOC, "--a-rew", None), "--alpha-rew", None),
                                                  "--rew-csv", dev]))
    rows += [("fit a repeated column", ["fit", "{csv_repeated}"]),
             ("fit a repeated error column", ["fit", "{csv_repeated_error}"]),
             ("check-reinforce a file horizon of 1e12", ["check-reinforce", "--mdp-file", "{long_horizon}", "--rollouts", "100"]),
             ("noise-budget a file horizon of 1e12", ["noise-budget", "--mdp-file", "{long_horizon}", "--rollout-budget", "100",
                                                     "--noise", "power", "--A", "1", "--p", "2", "--price-min", "1", "--price-max", "10"])]
    for name in ("P_off_simplex", "D_triangle", "gamma_string", "text_as_npz", "directory", "P_object", "missing_file",
                 "empty_npz", "zip_not_npz", "horizon_fraction"):
        rows.append((f"noise-budget --mdp-file {name}", ["noise-budget", "--mdp-file", "{" + name + "}", "--rollout-budget", "100",
                                                         "--noise", "power", "--A", "1", "--p", "2"]))
    # diagnose (#26): files and flags
    for name in ("csv_binary", "csv_empty", "csv_wrong_header", "csv_dir", "missing_file", "text_as_npz", "zip_not_npz",
                 "empty_npz", "P_object", "good"):
        rows.append((f"diagnose --data {name}", ["diagnose", "--data", "{" + name + "}"]))
    rows += [("diagnose without --data or --curves", ["diagnose"]),
             ("diagnose --budget without --curves", ["diagnose", "--data", "{world}", "--budget", "100"]),
             ("diagnose --curves --budget without --data", ["diagnose", "--curves", "{curves}", "--budget", "100"]),
             ("diagnose --gamma 1 infinite", ["diagnose", "--data", "{world}", "--gamma", "1", "--horizon", "inf"]),
             ("diagnose --gamma 2", ["diagnose", "--data", "{world}", "--gamma", "2"]),
             ("diagnose --multiple 0", ["diagnose", "--data", "{world}", "--multiple", "0"]),
             ("diagnose --curves a wrong header", ["diagnose", "--curves", "{csv_wrong_header}"]),
             ("diagnose --curves binary", ["diagnose", "--curves", "{csv_binary}"]),
             ("diagnose --data /dev/zero", ["diagnose", "--data", "/dev/zero"]),
             ("diagnose --data a short file", ["diagnose", "--data", "{world_short}"]),
             ("diagnose --data with NaN", ["diagnose", "--data", "{world_nan}"]),
             ("diagnose --data mismatched rows", ["diagnose", "--data", "{world_rows}"])]
    return rows


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad")
    out = bad_files(tmp) | csv_files(tmp) | npy_files(tmp)
    good = tmp / "good.npz"
    np.savez(good, **good_mdp())
    out["good"] = str(good)
    np.savez(tmp / "long.npz", **(good_mdp() | {"horizon": np.array(1e12)}))
    rng = np.random.default_rng(0)
    world = {k: rng.normal(size=(50, 2)) for k in ("s", "a", "s_next", "s_next_model")} | {
        "r": rng.normal(size=50), "r_model": rng.normal(size=50)}
    for name, arrays in {"world": world, "world_short": {k: v[:5] for k, v in world.items()},
                         "world_nan": world | {"r": np.full(50, np.nan)}, "world_rows": world | {"r": np.ones(49)}}.items():
        np.savez(tmp / f"{name}.npz", **arrays)
        out[name] = str(tmp / f"{name}.npz")
    (tmp / "curves.csv").write_text("n_d,eps_dyn\n10,1\n100,0.5\n1000,0.2\n")
    out["curves"] = str(tmp / "curves.csv")
    out["long_horizon"] = str(tmp / "long.npz")
    out["tmp"] = str(tmp)
    return out


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


TABLE = command_table()


def test_the_table_is_large():
    assert len(TABLE) >= 300


@pytest.mark.parametrize("label,argv", TABLE, ids=[label for label, _ in TABLE])
def test_bad_input_is_one_line_and_exit_2(label, argv, files, capsys):
    """Exit 2 and one line naming the problem, never exit 1 ("please report it"), and at once: a mistake
    is answered in under two seconds of wall time, so nothing here is silent or endless."""
    import time

    argv = [a.format(**files) if "{" in a else a for a in argv]
    start = time.monotonic()
    code, out, err = run(argv, capsys)
    assert time.monotonic() - start < 2.0, (label, "took", time.monotonic() - start)
    lines = err.strip().splitlines()
    assert code == 2, (label, code, err)
    assert len(lines) == 1, (label, err)
    assert "Traceback" not in err and "warning" not in err.lower(), (label, err)
    assert "error" in lines[0]


@pytest.mark.parametrize("name,argv,check", [
    ("csv with a BOM", ["fit", "{csv_bom}", "--bootstrap", "40"], lambda o: o["points"] == 3),
    ("csv with a Latin-1 comment", ["fit", "{csv_latin1}", "--bootstrap", "40"], lambda o: o["points"] == 3),
    ("constant trajectory", ["curvature", "--trajectory-file", "{npy_const}"],
     lambda o: o["mean_curvature"] is None and "does not move" in o["message"]),
    ("one-state MDP: lipschitz", ["lipschitz", "--mdp-file", "{one_state}"], lambda o: o["L"] == 0 and o["K_rpi"] == 0),
    ("one-state MDP: verify-bound", ["verify-bound", "--mdp-file", "{one_state}", "--mdps", "1"],
     lambda o: o["violations"] == 0),
    ("allocate at budget 1e308", ["allocate", *with_flag(ALLOC, "--budget", "1e308")],
     lambda o: o["n_rew"] >= 1 and 0 < o["bound"] < math.inf),
    ("sensitivity with zero dynamics error", ["sensitivity", *with_flag(BOUND, "--eps-dyn", "0")],
     lambda o: o["lower_first"] is None),
    ("bound beyond the float range", ["bound", *with_flag(with_flag(BOUND, "--eps-dyn", "1e308"), "--horizon", "100")],
     lambda o: o["bound"] is None and o["message"].startswith("overflow")),
    ("evaluate at horizon 1e12", ["evaluate", "--mdp-file", "{long_horizon}"], lambda o: math.isfinite(o["J"])),
    ("lipschitz at horizon 1e12", ["lipschitz", "--mdp-file", "{long_horizon}"], lambda o: o["L"] >= 0),
    ("verify-bound at horizon 1e12", ["verify-bound", "--mdp-file", "{long_horizon}", "--mdps", "2"],
     lambda o: o["violations"] == 0),
    ("toy-text at horizon 1e12", ["toy-text", "frozenlake4x4", "--out", "{tmp}/lake12.npz", "--horizon", "1000000000000"],
     lambda o: 0 <= o["J_uniform_policy"] <= 1),
    ("noise-budget integer, the paper's price buys no rollout",
     ["noise-budget", "--v0", "1", "--w", "1", "--rollout-budget", "10", "--price-min", "1", "--price-max", "20", "--noise", "menu",
      "--offer", "5:1", "15:0.01", "--integer"], lambda o: o["mse"] == 1.0 and o["noise_only_mse"] is None),
    ("fit with no bootstrap", ["fit", "{csv_bom}", "--bootstrap", "0"], lambda o: o["ci"] == {}),
])
def test_documented_correct_answers(name, argv, check, files, capsys, tmp_path):
    np.save(tmp_path / "const.npy", np.ones((6, 2)))
    one = {"P": np.ones((1, 2, 1)), "R": np.ones((1, 2)), "D": np.zeros((1, 1)), "gamma": np.array(0.9),
           "horizon": np.array(-1.0)}
    np.savez(tmp_path / "one.npz", **one)
    names = files | {"npy_const": str(tmp_path / "const.npy"), "one_state": str(tmp_path / "one.npz")}
    code, out, err = run([a.format(**names) if "{" in a else a for a in argv] + ["--json"], capsys)
    assert code == 0 and err == "", (name, err)
    assert check(json.loads(out)), (name, out)


def test_the_console_entry_point_prints_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "theory", "bound", *with_flag(BOUND, "--gamma", "1.5")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "--gamma" in proc.stderr


def test_an_internal_error_asks_for_a_report_and_hides_the_stack(monkeypatch, capsys):
    from theory.commands import load

    cmd = load("bound")

    def broken(args):
        raise ZeroDivisionError("planted")

    import dataclasses

    import theory.commands as commands

    monkeypatch.setitem(commands._REGISTERED, "bound", dataclasses.replace(cmd, run=broken))
    code, out, err = run(["bound", *BOUND], capsys)
    assert code == 1 and "internal error" in err and "please report" in err and "Traceback" not in err
    with pytest.raises(ZeroDivisionError):
        main(["bound", *BOUND, "--debug"])


def test_version(capsys):
    import theory

    code, out, _ = run(["--version"], capsys)
    assert code == 0 and theory.__version__ in out


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["1e308", "-0", "x", "1e-320"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(numbers, min_size=7, max_size=7))
def test_bound_never_prints_a_negative_bound_or_a_traceback(values, capsys):
    flags = ["--gamma", "--lip-dyn", "--lip-rew", "--lip-pi", "--eps-dyn", "--eps-rew", "--horizon"]
    argv = ["bound", "--json"]
    for flag, v in zip(flags, values):
        text = v if isinstance(v, str) else repr(v)
        if flag == "--horizon" and not isinstance(v, str):
            text = str(abs(int(v))) if math.isfinite(v) and abs(v) < 1e12 else "inf"
        argv += [flag, text]
    code, out, err = run(argv, capsys)
    assert code in (0, 2) and "Traceback" not in err and "warning" not in err.lower()
    if code == 0:
        res = json.loads(out)
        assert res["bound"] is None or res["bound"] >= 0
        assert (res["bound"] is None) == bool(res["message"])
    else:
        assert len(err.strip().splitlines()) == 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(numbers, min_size=5, max_size=5))
def test_allocate_and_noise_budget_answer_or_refuse_in_one_line(values, capsys):
    text = [v if isinstance(v, str) else repr(v) for v in values]
    alloc = ["allocate", *with_flag(with_flag(with_flag(with_flag(with_flag(ALLOC, "--budget", text[0]), "--price-dyn", text[1]),
                                                        "--alpha-dyn", text[2]), "--alpha-rew", text[3]), "--c-dyn", text[4]), "--json"]
    noise = ["noise-budget", *with_flag(with_flag(with_flag(with_flag(with_flag(NOISE, "--rollout-budget", text[0]), "--v0", text[1]),
                                                          "--p", text[2]), "--A", text[3]), "--price-max", text[4]), "--json"]
    for argv in (alloc, noise):
        code, out, err = run(argv, capsys)
        assert code in (0, 2) and "Traceback" not in err and "warning" not in err.lower(), (argv, err)
        if code == 0:
            json.loads(out)
        else:
            assert len(err.strip().splitlines()) == 1
