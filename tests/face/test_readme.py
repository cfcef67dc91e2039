"""Every code block of the README and of the user guide (``docs/guide/*.md``, where the README's long sections
live) runs as pasted: each ``$ imagination ...`` line of a console block exits 0, and each Python block executes,
in a scratch folder that holds a copy of ``examples/``."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from theory.cli import main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
GUIDE = [ROOT / "docs" / "guide" / f"{page}.md"  # each page once, in the order the README first links it
         for page in dict.fromkeys(re.findall(r"\(docs/guide/([a-z-]+)\.md\)", README))]
PAGES = README + "".join(p.read_text() for p in GUIDE)  # in the README's order of the guide
CONSOLE = [line[2:] for block in re.findall(r"```console\n(.*?)```", PAGES, re.S) for line in block.splitlines()
           if line.startswith("$ ")]
PYTHON = re.findall(r"```python\n(.*?)```", PAGES, re.S)


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_has_examples():
    assert len(GUIDE) == len(list((ROOT / "docs" / "guide").glob("*.md"))) - 1, "a guide page missing from the README"
    assert len(CONSOLE) >= 15 and len(PYTHON) >= 4
    assert README.splitlines()[3].endswith("imagination reproduce") and README.splitlines()[4].endswith("pytest")


def test_console_blocks_run_in_order(scratch, capsys):
    for line in CONSOLE:  # in order: later lines use files earlier ones wrote
        argv = shlex.split(line)
        assert argv[0] == "imagination", line
        try:
            code = main(argv[1:])
        except SystemExit as exc:
            code = exc.code
        err = capsys.readouterr().err
        assert code == 0, (line, err)


@pytest.mark.parametrize("k", range(len(PYTHON)))
def test_python_blocks_run(k, scratch):
    exec(compile(PYTHON[k], f"README python block {k}", "exec"), {})


def test_every_figure_in_the_readme_and_the_guide_carries_its_takeaway():
    """One sentence per figure, kept in theory.plots.takeaways and printed under each figure of the README and the
    guide."""
    from theory.plots.takeaways import TAKEAWAYS

    figure = r"!\[[^\]]*\]\((?:\.\./\.\./)?figures/([a-z_]+)\.png\)"
    shown = dict(re.findall(figure + r"\n\*([^*]+)\*", PAGES))
    embedded = set(re.findall(figure, PAGES))
    assert embedded and embedded == set(shown)
    for name, sentence in shown.items():
        assert sentence == TAKEAWAYS[name], name
    assert set(TAKEAWAYS) >= embedded


def test_every_figure_is_in_the_gallery_with_its_takeaway():
    """The gallery (docs/gallery/plot_*.py) draws every figure under a target fig-NAME with its takeaway."""
    from theory.plots.takeaways import TAKEAWAYS

    gallery = "".join(p.read_text() for p in sorted((ROOT / "docs" / "gallery").glob("plot_*.py")))
    sections = dict(re.findall(r"# \.\. _fig-([a-z-]+):\n#\n# [^\n]+\n# -+\n#\n((?:# [^\n]*\n)+)", gallery))
    assert {k.replace("-", "_") for k in sections} == set(TAKEAWAYS)
    for name, comment in sections.items():
        text = " ".join(line[2:] for line in comment.splitlines())
        assert text == TAKEAWAYS[name.replace("-", "_")], name
