"""Pages generated from the code when the build starts, so that the site cannot drift from it.

* ``_generated/theory/``: ``docs/theory.md`` split into one page per part, each labelled result given a
  target, and the label index linked (label -> function -> command -> figure -> derivation -> test);
* ``_generated/derivations/``: every derivation of :data:`theory.derivations.DERIVATIONS`, rendered from the
  derivation object itself, with the kind of each step;
* ``_generated/cli.md``: every subcommand, flag and default, from the argparse parsers;
* ``_generated/api.md``: the API reference, every public name of :mod:`theory` (``theory.__all__``);
* ``_generated/extra/imagination-explorer.html``: the explorer, written by :func:`theory.explorer.write_explorer`;
* ``_generated/tutorials/``: the lecture notebooks (myst-nb executes them), beside a copy of ``examples/``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
OUT = DOCS / "_generated"


def _slug(title: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", re.sub(r"^\d+\.\s*", "", title.lower())).strip("-")
    return "-".join(words.split("-")[:4])


# ---------------------------------------------------------------------------------------------------------
# the theory, one page per part
# ---------------------------------------------------------------------------------------------------------
def theory_parts(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The introduction and ``(slug, title, body)`` for every ``##`` part of ``docs/theory.md``."""
    chunks = re.split(r"^## ", text, flags=re.M)
    intro, parts = chunks[0], []
    for chunk in chunks[1:]:
        title, _, body = chunk.partition("\n")
        parts.append((_slug(title), title.strip(), body))
    return intro, parts


def _label_targets(body: str) -> str:
    """A MyST target before every labelled result (``**E3 (the bound).**`` gets ``(e3)=``)."""
    return re.sub(r"^\*\*(E\d+b?) ", lambda m: f"({m.group(1).lower()})=\n**{m.group(1)} ", body, flags=re.M)


def _link_index(body: str, public: set[str], commands: set[str], figures: set[str], derivations: set[str]) -> str:
    """Every cell of the label index a link where the site has the target: labels to their statement, public
    names to their API page, commands to the command line reference, figures to the gallery, derivations to
    their page. Tests stay paths of the repository."""

    def cell(col: int, text: str) -> str:
        text = text.strip()
        if not text or col == 4:
            return text
        if col == 0:
            return f"{{ref}}`{text} <{text.lower()}>`"
        items = [t.strip() for t in text.split(",")] if col != 5 else [text]
        out = []
        for item in items:
            name = item.strip("` ")
            if col == 1 and name in public:
                out.append(f"{{py:obj}}`{name}`")
            elif col == 2 and name.split()[0] in commands:
                out.append(f"{{ref}}`{name} <cli-{name.split()[0]}>`")
            elif col == 3 and name in figures:
                out.append(f"{{ref}}`{name} <fig-{name.replace('_', '-')}>`")
            elif col == 5 and name.split(",")[0] in derivations:
                out.append(f"{{ref}}`{item.replace(chr(34), '')} <derivation-{name.split(',')[0]}>`")
            else:
                out.append(item)
        return ", ".join(out)

    lines = []
    for line in body.splitlines():
        if line.startswith("| E"):
            cells = line.strip().strip("|").split("|")
            line = "| " + " | ".join(cell(i, c) for i, c in enumerate(cells)) + " |"
        lines.append(line)
    return "\n".join(lines)


def write_theory(public: set[str], commands: set[str], figures: set[str], derivations: set[str]) -> None:
    intro, parts = theory_parts((DOCS / "theory.md").read_text())
    where = OUT / "theory"
    where.mkdir(parents=True, exist_ok=True)
    for slug, title, body in parts:
        body = _label_targets(body)
        if title.startswith("Index"):
            body = _link_index(body, public, commands, figures, derivations)
        body = re.sub(r"^### ", "## ", body, flags=re.M)  # the part is the page's title, its subsections one below
        (where / f"{slug}.md").write_text(f"(theory-{slug})=\n# {title}\n{body}")
    toc = "\n".join(slug for slug, _, _ in parts)
    (where / "index.md").write_text(intro.replace("# The theory behind imagination-theory", "(theory)=\n# The theory", 1)
                                    + f"\n```{{toctree}}\n:maxdepth: 1\n\n{toc}\n```\n")


# ---------------------------------------------------------------------------------------------------------
# derivations, rendered from the objects
# ---------------------------------------------------------------------------------------------------------
def write_derivations() -> set[str]:
    from theory.derivations import DERIVATIONS, KINDS, build

    where = OUT / "derivations"
    where.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, (_, _, labels) in DERIVATIONS.items():
        d = build(name)  # strict: a failed step fails the build
        kinds = d.summary()["kinds"]
        counts = ", ".join(f"{kinds[k]} {k}" for k in KINDS if kinds[k])
        text = d.render()
        title, _, rest = text.partition("\n")
        rest = re.sub(r"^\*(Proved|Cited|Numeric|Definition): (.*)\*$",
                      lambda m: f"```{{admonition}} {m.group(1)}\n:class: step-{m.group(1).lower()}\n{m.group(2)}\n```",
                      rest, flags=re.M)
        refs = ", ".join(f"{{ref}}`{lab} <{lab.lower()}>`" for lab in labels)
        (where / f"{name}.md").write_text(
            f"(derivation-{name})=\n{title}\n\nCovers {refs} of the theory. Steps: {counts}. Each step says what it is: "
            "*proved* (SymPy establishes it for symbolic parameters), *cited* (a named theorem, then a numeric "
            "illustration labelled as one), *numeric* (checked on the stated set only) or *definition*. The same "
            f"object writes `derivations/{name}.md` and `.tex` (`imagination derive {name}`).\n{rest}")
        rows.append(f"| {{ref}}`{name} <derivation-{name}>` | {refs} | {counts} |")
    (where / "index.md").write_text(
        "(derivations)=\n# Derivations\n\nEvery derivation is built and checked step by step when the site is built; "
        "a step that fails its check fails the build.\n\n| derivation | labels | steps |\n|---|---|---|\n"
        + "\n".join(rows) + "\n\n```{toctree}\n:hidden:\n\n" + "\n".join(DERIVATIONS) + "\n```\n")
    return set(DERIVATIONS)


# ---------------------------------------------------------------------------------------------------------
# the command line reference, from the parsers
# ---------------------------------------------------------------------------------------------------------
def _cell(text: str) -> str:
    """Text for a Markdown table cell (or a paragraph): ``|`` escaped, no Markdown or reST read into it."""
    for special in ("\\", "|", "*", "$", "`"):
        text = text.replace(special, "\\" + special)
    return text.replace("<", "&lt;")


def _flag_row(action: argparse.Action) -> str:
    flags = ", ".join(f"`{f}`" for f in action.option_strings) or f"`{action.dest}`"
    if action.nargs == 0 or isinstance(action, (argparse._StoreTrueAction, argparse._HelpAction)):
        default = ""
    elif action.required:
        default = "required"
    elif action.default is None or action.default is argparse.SUPPRESS:
        default = ""
    else:
        default = f"`{action.default}`"
    choices = f" One of {', '.join(f'`{c}`' for c in action.choices)}." if action.choices else ""
    text = action.help or ""
    if "%(" in text:
        text = text % {"default": action.default, "prog": ""}
    return f"| {flags} | {default} | {_cell(text.replace('%%', '%'))}{choices} |"


def write_cli() -> set[str]:
    from theory.cli import command_parser
    from theory.commands import INDEX

    lines = ["(cli)=", "# Command line reference", "",
             "Generated from the parsers of `imagination` when the site is built: every subcommand, flag and "
             "default. Every command prints a table, or one JSON object with `--json`; bad input exits with "
             "status 2 and one line naming the parameter.", "",
             "| command | what it does |", "|---|---|"]
    lines += [f"| {{ref}}`{name} <cli-{name}>` | {_cell(help_text)} |" for name, (_, help_text) in INDEX.items()]
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"  # argparse wraps the usage lines to the terminal: a fixed width for the page
    for name in INDEX:
        sub = command_parser(name)
        usage = sub.format_usage().replace("usage: ", "").strip()
        lines += ["", f"(cli-{name})=", f"## `imagination {name}`", "", _cell(INDEX[name][1]), "", "```text", usage, "```", "",
                  "| option | default | meaning |", "|---|---|---|"]
        lines += [_flag_row(a) for a in sub._actions if a.help is not argparse.SUPPRESS]  # not the deprecated aliases
    if columns is None:
        del os.environ["COLUMNS"]
    else:
        os.environ["COLUMNS"] = columns
    (OUT / "cli.md").write_text("\n".join(lines) + "\n")
    return set(INDEX)


def write_vocabulary() -> None:
    """Every concept of :mod:`theory.vocabulary` with its names on every surface (the registry the command line,
    the JSON, the explorer and the theory's notation map are generated from or tested against)."""
    from theory.vocabulary import CONCEPTS

    lines = ["(vocabulary)=", "# Vocabulary", "",
             "One name per concept: the JSON key, the explorer's query key and, with hyphens, the command-line flag. "
             "The Python column gives the name the code uses where it follows the maths. Generated from "
             "`theory/vocabulary.py` when the site is built; a test resolves every flag, JSON key and query key "
             "here.", "",
             "| name | where | Python | symbol | meaning |", "|---|---|---|---|---|"]
    for c in CONCEPTS:
        where = [f"`{c.flag}`"] if c.flag else []
        where += [w for w, on in (("JSON", c.json_key), ("query", c.query_key)) if on]
        old = ", ".join(f"`{'--' + o.name.replace('_', '-') if o.surface == 'flag' else o.name}`" for o in c.old)
        meaning = _cell(c.meaning) + (f" (old: {old})" if old else "")
        lines.append(f"| `{c.name}` | {', '.join(where)} | {f'`{c.python}`' if c.python else ''} | "
                     f"{f'${c.latex}$' if c.latex else ''} | {meaning} |")
    (OUT / "vocabulary.md").write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------------------
# the rest
# ---------------------------------------------------------------------------------------------------------
def write_api() -> set[str]:
    """The API reference: every public name of :mod:`theory` (``theory.__all__``), in the groups that
    ``theory/__init__.py`` lists them in, each with an autosummary page."""
    import theory

    source = (ROOT / "theory" / "__init__.py").read_text()
    block = source[source.index("_LAZY = {"):]
    block = block[:block.index("\n}\n")]
    groups: list[tuple[str, list[str]]] = []
    for line in block.splitlines()[1:]:
        comment = re.match(r"\s*# (.*)", line)
        if comment:
            groups.append((comment.group(1), []))
        else:
            groups[-1][1].extend(re.findall(r'"([A-Za-z_0-9]+)":', line))
    listed = [n for _, names in groups for n in names]
    missing = sorted(set(theory.__all__) - set(listed) - {"InputError", "__version__"})
    if missing:
        raise RuntimeError(f"public names outside the groups of theory/__init__.py: {missing}")
    lines = ["(api)=", "# API reference", "",
             "Every public name of `theory`, grouped as `theory/__init__.py` lists them; each page is generated "
             "from the docstring (numpydoc), which states the formula and cites the label of the theory.", "",
             "```{eval-rst}", ".. currentmodule:: theory", "", ".. autosummary::", "   :toctree: api", "",
             "   InputError", "```"]
    for title, names in groups:
        lines += ["", f"## {title[0].upper()}{title[1:]}", "", "```{eval-rst}", ".. currentmodule:: theory", "",
                  ".. autosummary::", "   :toctree: api", ""] + [f"   {n}" for n in names] + ["```"]
    (OUT / "api.md").write_text("\n".join(lines) + "\n")
    return {f"theory.{n}" for n in theory.__all__}


def write_explorer() -> None:
    from theory.explorer import write_explorer as write

    (OUT / "extra").mkdir(parents=True, exist_ok=True)
    write(OUT / "extra" / "imagination-explorer.html")


def copy_tutorials() -> None:
    where = OUT / "tutorials"
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy2(nb, where / nb.name)
    shutil.copytree(ROOT / "examples", OUT / "examples", dirs_exist_ok=True)  # the notebooks read ../examples/


def generate(app, config=None) -> None:
    from theory.plots.takeaways import TAKEAWAYS

    OUT.mkdir(exist_ok=True)
    public = write_api()
    commands = write_cli()
    write_vocabulary()
    derivations = write_derivations()
    write_theory(public, commands, set(TAKEAWAYS), derivations)
    write_explorer()
    copy_tutorials()


_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$`])\$([^$\n]+?)\$(?!\$)")


def dollar_math(app, what, name, obj, options, lines: list[str]) -> None:
    """Docstrings write math as ``$...$`` and ``$$...$$`` (as the notebooks and the theory do); reST wants the
    ``math`` role and directive, so convert before numpydoc parses the sections."""
    text = "\n".join(lines)
    if "$" not in text:
        return

    def display(m):
        line = text[:m.start()].rsplit("\n", 1)[-1]  # the line the display starts on: its indent is kept
        indent = " " * (len(line) - len(line.lstrip()))
        body = " ".join(m.group(1).split())
        return f"\n\n{indent}.. math::\n\n{indent}   {body}\n\n{indent}"

    text = _DISPLAY.sub(display, text)
    text = _INLINE.sub(lambda m: f":math:`{m.group(1)}`", text)
    lines[:] = text.split("\n")


def setup(app):
    app.connect("autodoc-process-docstring", dollar_math, priority=400)  # before numpydoc (priority 500)
    # config-inited: before autosummary writes its stubs from api.md and before html_extra_path is checked
    app.connect("config-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
