"""docs/theory.md's index and notation map name things that exist: every Python name imports, every command
and flag parses, every figure is drawn, every test file exists and cites its label, every derivation covers it."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from theory.cli import command_parser
from theory.commands import INDEX
from theory.derivations import DERIVATIONS

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "docs" / "theory.md").read_text()


def table_after(heading: str) -> list[list[str]]:
    """The cells of the first Markdown table after ``heading``, without its header and rule."""
    lines = []
    for line in TEXT[TEXT.index(heading):].splitlines()[1:]:
        if line.startswith("|"):
            lines.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))])
        elif lines:
            break
    return lines[2:]


INDEX_ROWS = table_after("## Index: label, code, command, figure, test, derivation")
NOTATION_ROWS = table_after("### Notation map: paper and code")


def ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def resolve(dotted: str):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def flags_of(command: str) -> set[str]:
    return {s for a in command_parser(command)._actions for s in a.option_strings}


def test_the_index_lists_every_label():
    assert len(INDEX_ROWS) == 23
    assert [r[0] for r in INDEX_ROWS][:3] == ["E1", "E2", "E3"]


@pytest.mark.parametrize("row", INDEX_ROWS, ids=[r[0] for r in INDEX_ROWS])
def test_an_index_row_names_what_exists(row):
    label, python, command, figure, test, derivation = row
    for name in ticked(python):
        assert resolve(name) is not None, name
    for cmd in ticked(command):
        name, *flags = cmd.split()
        assert name in INDEX, f"{label}: no command {name!r}"
        assert set(flags) <= flags_of(name), f"{label}: {cmd!r}"
    for fig in ticked(figure):
        assert (ROOT / "figures" / f"{fig}.png").is_file(), f"{label}: no figure {fig}"
    for path in ticked(test):
        file = ROOT / path
        assert file.is_file(), f"{label}: no test file {path}"
        assert re.search(rf"(?<![A-Za-z0-9]){label}(?![0-9a-z])", file.read_text()), f"{path} never cites {label}"
    if derivation:
        name = derivation.split(",")[0].strip()
        assert name in DERIVATIONS, f"{label}: no derivation {name!r}"


@pytest.mark.parametrize("row", NOTATION_ROWS, ids=[r[0] for r in NOTATION_ROWS])
def test_a_notation_row_names_what_exists(row):
    _, _, python, cli, _ = row
    for flag in re.findall(r"--[A-Za-z0-9-]+", cli):
        assert any(flag in flags_of(c) for c in INDEX), f"no command takes {flag}"
    for call in re.findall(r"`(\w+)\(([^)]*)\)`", python):
        import theory

        params = inspect.signature(getattr(theory, call[0])).parameters
        for arg in filter(None, (a.strip() for a in call[1].split(","))):
            assert arg in params, f"{call[0]} has no parameter {arg}"
