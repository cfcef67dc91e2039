"""Every LaTeX output compiles: each derivation as a standalone document and ``derivations/derivations.tex``,
with ``pdflatex -halt-on-error`` (Debian's texlive-latex-base, -recommended and -fonts-recommended, which
the README's test command installs when missing), and the PDF has a page per derivation at least."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from theory.derivations import DERIVATIONS, build, tex_document

ROOT = Path(__file__).resolve().parents[2]


def pdflatex(tex: str, tmp: Path, name: str) -> Path:
    if shutil.which("pdflatex") is None:
        pytest.fail("pdflatex is missing: apt-get install texlive-latex-base texlive-latex-recommended "
                    "texlive-fonts-recommended (the README's test command does)")
    (tmp / f"{name}.tex").write_text(tex)
    proc = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode", f"{name}.tex"], cwd=tmp,
                          capture_output=True, text=True, timeout=120)
    log = (tmp / f"{name}.log").read_text(errors="replace")
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert proc.returncode == 0 and not errors, f"{name}: {errors[:3]}"
    return tmp / f"{name}.pdf"


@pytest.mark.parametrize("name", list(DERIVATIONS))
def test_each_derivation_compiles_standalone(name, tmp_path):
    assert pdflatex(build(name).render_tex(standalone=True), tmp_path, name).stat().st_size > 1000


def test_the_combined_document_compiles_and_renders(tmp_path):
    pdf = pdflatex(tex_document([build(n) for n in DERIVATIONS], "All derivations"), tmp_path, "derivations")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        assert pages >= len(DERIVATIONS)


def test_the_committed_document_is_the_current_one():
    """``derivations/derivations.tex`` as ``imagination reproduce`` writes it, for every derivation."""
    committed = (ROOT / "derivations" / "derivations.tex").read_text()
    for name in DERIVATIONS:
        assert build(name).render_tex() in committed, name


def test_special_characters_in_text_are_escaped():
    from theory.derivations import _tex_text

    assert _tex_text("eps^2 < 1, 50% of x_i & y ~ z {a}") == \
        r"eps\textasciicircum{}2 < 1, 50\% of x\_i \& y \textasciitilde{} z \{a\}"
