"""The derivations: every labelled result has one, each renders as Markdown and as balanced LaTeX, and every
displayed equation belongs to a checked step."""

from __future__ import annotations

import re

import pytest

from theory.cli import main
from theory.derivations import DERIVATIONS, KINDS, build


def test_derive_list_covers_all_23_labels(capsys):
    assert main(["derive", "--list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == list(DERIVATIONS)  # one line each, name first, no header
    covered = {label for ln in lines for label in ln.split("|")[0].split()[1:]}
    assert all(re.search(r"\| \d+ proved, \d+ cited, \d+ numeric, \d+ definition$", ln) for ln in lines)
    assert covered == {f"E{k}" for k in range(1, 21)} | {"E9b", "E14b", "E16b"}


@pytest.fixture(scope="module")
def built():
    return {name: build(name) for name in DERIVATIONS}  # strict: a failed step raises here


def balanced(tex: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    stack = []  # environments must nest: \begin{aligned} inside \begin{align*} closes first
    for kind, env in re.findall(r"\\(begin|end)\{(\w+\*?)\}", tex):
        if kind == "begin":
            stack.append(env)
        elif not stack or stack.pop() != env:
            return False
    return depth == 0 and not stack


@pytest.mark.parametrize("name", list(DERIVATIONS))
def test_each_derivation_renders_and_its_displays_are_checked(name, built):
    d = built[name]
    md, tex = d.render(), d.render_tex()
    assert md.startswith("# ") and tex.startswith("\\section{") and tex.count("\\section{") == 1
    assert balanced(tex)
    displays = d.displays()
    assert all(step.kind in KINDS for step in d.steps)  # proved, cited, numeric or a definition: nothing in words only
    assert all(step.kind not in ("cited", "numeric") or " on " in step.check for step in d.steps)  # names its set
    assert displays
    for eq in displays:  # the same equations in both formats
        assert eq in tex
    assert d._repr_markdown_() == md and all(f"$${eq}$$" in d._repr_latex_() for eq in displays)
    assert not d.failures


def test_derive_writes_md_and_tex(tmp_path, capsys):
    for fmt in ("md", "tex"):
        out = tmp_path / f"bound.{fmt}"
        assert main(["derive", "sensitivity", "--format", fmt, "--out", str(out)]) == 0
        text = out.read_text()
        assert ("\\section{" in text) == (fmt == "tex") and "E6" in text


def test_human_order_in_the_displays(built):
    text = built["bound"].render()
    assert r"- L \gamma + 1" not in text and r"- \gamma + 1" not in text


def test_derive_list_json_reports_the_kinds(capsys):
    import json

    assert main(["derive", "--list", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["derivations"]
    for entry in out:
        d = build(entry["name"])
        assert entry["kinds"] == {k: sum(s.kind == k for s in d.steps) for k in KINDS}
