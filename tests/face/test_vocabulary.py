"""One vocabulary (theory/vocabulary.py): every flag, every JSON key and every explorer query key resolves to
exactly one concept, no name means two things, and the notation map of docs/theory.md is the registry's."""

import argparse
import dataclasses
import importlib
import json
import pkgutil
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import theory
from theory.cli import command_parser, main
from theory.commands import INDEX
from theory.explorer import PARAMETERS, RENAMED
from theory.results import Result
from theory.vocabulary import CONCEPTS, concept, notation_table

ROOT = Path(__file__).resolve().parents[2]
BY_NAME = {c.name: c for c in CONCEPTS}


def test_names_are_unique_and_old_names_never_shadow_a_live_one():
    names = [c.name for c in CONCEPTS]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
    query_keys = {c.query_key for c in CONCEPTS if c.query_key}
    for c in CONCEPTS:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", c.name), c.name
        assert c.surfaces and set(c.surfaces) <= set("fjq"), c.name
        assert c.meaning and "\n" not in c.meaning, c.name
        for old in c.old:
            assert old.surface in ("flag", "query")
            if old.surface == "query":  # an old key read as another live key would mean two things at once
                assert old.name not in query_keys, (c.name, old.name)
            for command in old.commands:
                assert command in INDEX, (c.name, command)


@pytest.mark.parametrize("name", sorted(INDEX))
def test_every_flag_of_every_command_is_a_concept(name):
    p = command_parser(name)
    live = set()
    for action in p._actions:
        for flag in action.option_strings:
            if flag in ("-h", "--help"):
                continue
            key = flag.removeprefix("--").replace("-", "_")
            if action.help == argparse.SUPPRESS:  # an old spelling kept for this release
                owners = [c for c in CONCEPTS if any(o.surface == "flag" and o.name == key for o in c.old)]
                assert len(owners) == 1 and flag in owners[0].old_flags(name), (name, flag)
                assert action.dest == owners[0].name, (name, flag)
                continue
            c = concept(key)
            assert c.flag == flag and action.dest == c.name, (name, flag, action.dest)
            assert action.help.startswith(c.meaning), (name, flag)  # the help is generated from the registry
            live.add(key)
    for c in CONCEPTS:  # within one command an old spelling never collides with a live flag
        for old in c.old_flags(name):
            assert old.removeprefix("--").replace("-", "_") not in live, (name, old)


def test_every_explorer_query_key_is_a_concept_and_every_old_key_is_mapped():
    for p in PARAMETERS:
        assert concept(p.key).query_key == p.key, p.key
    assert {c.name for c in CONCEPTS if "q" in c.surfaces} == {p.key for p in PARAMETERS}
    expected = {o.name: c.name for c in CONCEPTS for o in c.old if o.surface == "query"}
    assert RENAMED == expected and set(RENAMED.values()) <= {p.key for p in PARAMETERS}


def _walk(value, where: str, bad: list[str]) -> None:
    """Resolve every key of a JSON value; the keys of a ``keys="data"`` object are data, those of a
    ``keys="concepts"`` object must be concept names."""
    if isinstance(value, list):
        for item in value:
            _walk(item, where, bad)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        c = BY_NAME.get(key)
        if c is None or c.json_key is None:
            bad.append(f"{where}: {key}")
            continue
        if c.keys == "data" and isinstance(item, dict):
            continue
        if c.keys == "concepts" and isinstance(item, dict):
            bad += [f"{where}.{key}: {k}" for k in item if k not in BY_NAME]
            for sub in item.values():
                _walk(sub, f"{where}.{key}", bad)
            continue
        _walk(item, f"{where}.{key}", bad)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("vocabulary")
    z = np.cumsum(np.random.default_rng(0).normal(size=(2, 6, 3)), axis=1)
    np.save(tmp / "z.npy", z)
    return {"tmp": tmp, "chain": ROOT / "examples/chain.npz", "errors": ROOT / "examples/errors.csv",
            "world": ROOT / "examples/world_model.npz", "curves": ROOT / "examples/world_model_curves.csv"}


def _invocations(f):
    return [
        ["bound", "--gamma", "0.9", "--horizon", "inf", "--lip-dyn", "0.5", "--lip-rew", "1", "--eps-dyn", "0.01",
         "--eps-rew", "0.02"],
        ["sensitivity", "--gamma", "0.95", "--lip-dyn", "0.8", "--lip-rew", "1", "--lip-pi", "0.2", "--eps-dyn", "0.01",
         "--eps-rew", "0.01"],
        ["allocate", "--budget", "1e5", "--price-dyn", "1", "--price-rew", "10", "--dyn-csv", str(f["errors"]),
         "--a-rew", "90", "--alpha-rew", "0.96", "--c-dyn", "32", "--c-rew", "10", "--bootstrap", "40"],
        ["fit", str(f["errors"]), "--floor", "--bootstrap", "40"],
        ["evaluate", "--mdp-file", str(f["chain"])],
        ["toy-text", "frozenlake4x4", "--out", str(f["tmp"] / "lake.npz"), "--horizon", "20"],
        ["lipschitz", "--mdp-file", str(f["chain"])],
        ["verify-bound", "--mdp-file", str(f["chain"]), "--mdps", "2", "--n-dyn", "200", "--n-rew", "200"],
        ["bounds", "--mdp-file", str(f["chain"]), "--learn", "200", "200"],
        ["verify-allocation", "--seed-count", "2"],
        ["diagnose", "--data", str(f["world"]), "--curves", str(f["curves"]), "--budget", "10000", "--price-rew", "10",
         "--horizon", "20"],
        ["noise-budget", "--v0", "5", "--w", "6", "--rollout-budget", "1000", "--price-min", "0.1", "--price-max", "100",
         "--noise", "power", "--A", "2", "--p", "2"],
        ["check-reinforce", "--mdp-file", str(f["chain"]), "--noise-sd", "1", "--rollouts", "2000"],
        ["curvature", "--trajectory-file", str(f["tmp"] / "z.npy")],
        ["derive", "--list"],
        ["explore", "--out", str(f["tmp"] / "x.html")],
        ["reproduce", "--quick", "--only", "straightening", "--out", str(f["tmp"] / "figs")],
    ]


def test_every_json_key_of_every_command_is_a_concept(files, capsys, monkeypatch):
    from theory.checks import neural_scaling as SE

    monkeypatch.setattr(SE.Config, "of_size", staticmethod(lambda size: SE.Config(sizes=(64, 512, 4096), seeds=1,
                                                                                  steps=200, test=300)))
    runs = _invocations(files) + [["scaling-experiment", "--quick", "--seed", "2"], ["regime-map", "--quick"]]
    assert {argv[0] for argv in runs} == set(INDEX)  # every command, once at least
    bad: list[str] = []
    for argv in runs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tiny neural grid warns about its fits; not the point here
            assert main([*argv, "--json"]) == 0, argv
        _walk(json.loads(capsys.readouterr().out), argv[0], bad)
    assert not bad, "JSON keys missing from theory/vocabulary.py:\n" + "\n".join(bad)


def _result_classes():
    for info in pkgutil.walk_packages(theory.__path__, "theory."):
        if info.name.startswith(("theory.explorer", "theory.plots", "theory.__main__")):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Result) and obj is not Result and obj.__module__ == info.name:
                yield obj


def test_every_field_of_every_result_is_a_concept():
    """The Python side of the JSON: each result's serialised fields and properties are the registry's names."""
    bad = []
    classes = list(_result_classes())
    assert len(classes) >= 20
    for cls in classes:
        names = [f.name for f in dataclasses.fields(cls) if f.metadata.get("json", True)] + list(cls.json_properties)
        bad += [f"{cls.__name__}.{n}" for n in names if n not in BY_NAME or BY_NAME[n].json_key is None]
    assert not bad, "result fields missing from theory/vocabulary.py: " + ", ".join(bad)


def test_solvers_and_checks_report_success_and_message():
    from theory.checks.allocation_check import AllocationCheck
    from theory.checks.reinforce_check import CheckResult
    from theory.maths.allocation import Allocation
    from theory.checks.neural_scaling import ScalingExperiment
    from theory.maths.diagnose import Advice, Diagnosis
    from theory.maths.noise_budget import BudgetOptimum
    from theory.maths.scaling import PowerLawFit
    from theory.maths.sensitivity import Sensitivity
    from theory.mdp.hierarchy import Hierarchy

    for cls in (Allocation, BudgetOptimum, PowerLawFit, Advice, Diagnosis, Sensitivity, CheckResult, AllocationCheck,
                Hierarchy, ScalingExperiment):
        names = {f.name for f in dataclasses.fields(cls)} | set(cls.json_properties)
        assert {"success", "message"} <= names, cls.__name__


def test_no_result_writes_its_own_json():
    """One serialiser: no module defines a ``to_dict`` but theory/results.py."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "theory").rglob("*.py")
                 if p.name != "results.py" and re.search(r"^\s+def to_dict\(", p.read_text(), re.M)]
    assert not offenders, offenders


def test_the_notation_map_of_the_theory_is_the_registry():
    text = (ROOT / "docs/theory.md").read_text()
    from theory.vocabulary import NOTATION_END as end
    from theory.vocabulary import NOTATION_START as start

    assert start in text and end in text
    block = text.split(start, 1)[1].split(end, 1)[0].strip()
    assert block == notation_table(), ("regenerate with: python -c 'from theory.vocabulary import write_notation; "
                                       "write_notation(\"docs/theory.md\")'")


def test_the_explorers_example_link_uses_live_query_keys(tmp_path, capsys):
    """The link ``imagination explore`` prints as an example (it once carried the renamed keys H and K_f)."""
    assert main(["explore", "--out", str(tmp_path / "x.html")]) == 0
    query = capsys.readouterr().out.split("?", 1)[1].split()[0]
    keys = [pair.split("=")[0] for pair in query.split("&")]
    assert keys and all(concept(k).query_key == k for k in keys), keys
