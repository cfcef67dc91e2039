"""The theory ships with the code: every label the code cites is stated in docs/theory.md, every label there
is exercised by a test, and the public API is documented in numpydoc style with references."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import theory

ROOT = Path(__file__).resolve().parents[2]
LABEL = re.compile(r"(?<![A-Za-z0-9])E(\d+b?)(?![0-9a-z])")


def labels_in(paths) -> set[str]:
    found = set()
    for p in paths:
        text = re.sub(r"noqa:[ A-Z0-9,]*", "", p.read_text())  # lint codes such as E731 are not results
        found |= {"E" + m for m in LABEL.findall(text)}
    return found


def theory_labels() -> set[str]:
    return set(re.findall(r"\*\*(E\d+b?) \(", (ROOT / "docs" / "theory.md").read_text()))


def test_the_theory_states_all_23_labels():
    expected = {f"E{k}" for k in range(1, 21)} | {"E9b", "E14b", "E16b"}
    assert theory_labels() == expected


def test_every_label_cited_in_the_code_is_stated():
    cited = labels_in((ROOT / "theory").rglob("*.py"))
    assert cited <= theory_labels(), sorted(cited - theory_labels())


def test_every_stated_label_is_cited_by_a_test():
    tested = labels_in((ROOT / "tests").rglob("test_*.py"))
    assert theory_labels() <= tested, sorted(theory_labels() - tested)


def test_no_citation_of_a_file_outside_the_repository():
    for path in list((ROOT / "theory").rglob("*.py")) + [ROOT / "README.md"]:
        assert "DESIGN.md" not in path.read_text(), path


PUBLIC = [name for name in theory.__all__ if name not in ("__version__", "SYMBOLS")]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_api_is_documented_in_numpydoc_style(name):
    obj = getattr(theory, name)
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    if inspect.isfunction(obj):
        for section in ("Parameters", "Returns", "References"):
            assert re.search(rf"^{section}\n-{{3,}}", doc, re.M), f"{name}: no '{section}' section"
        params = [p for p in inspect.signature(obj).parameters.values() if p.kind is not p.VAR_KEYWORD]
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        assert len(positional) <= 6, f"{name}: options after the first few arguments should be keyword-only"
    elif inspect.isclass(obj):
        assert LABEL.search(doc) or "docs/theory.md" in doc or issubclass(obj, Exception) or issubclass(obj, Warning), \
            f"{name}: the class docstring should say which result it belongs to"


#: numpydoc's own checks that a reader of the API pages relies on: a docstring; every parameter documented, in
#: order, with a type and a description; the Returns section; a one-line summary ending with a period.
NUMPYDOC_CHECKS = {"GL02", "GL03", "GL08", "PR01", "PR02", "PR03", "PR04", "PR05", "PR06", "PR07", "PR08", "PR10",
                   "RT01", "RT02", "RT03", "SS03", "SS06"}


@pytest.mark.parametrize("name", [n for n in PUBLIC if inspect.isfunction(getattr(theory, n))
                                  or inspect.isclass(getattr(theory, n))])
def test_numpydoc_validation_of_every_public_name(name):
    """numpydoc.validate on every public function and class (dataclass fields count as parameters)."""
    validate = pytest.importorskip("numpydoc.validate").validate
    obj = getattr(theory, name)
    errors = [f"{code}: {message}" for code, message in validate(f"{obj.__module__}.{obj.__qualname__}")["errors"]
              if code in NUMPYDOC_CHECKS]
    assert not errors, f"{name}:\n" + "\n".join(errors)
