"""``imagination reproduce``: every derivation checked, optima computed, Monte Carlo checks run, every
figure drawn, and a report of what was checked, what was measured and how it compares with the paper.

Generic over the stages: each :class:`~theory.report.stages.Stage` brings its experiments, verdicts, figures and
derivations; this module runs them, writes what they draw and summarises their lines. Progress goes to standard
error, one line per stage with its CPU time (and a bar on a terminal), whether or not standard output is a terminal.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from theory._validate import InputError
from theory.report.stages import STAGES
from theory.report.verdicts import Line, at_most, checked

SIZES = ("quick", "default", "full")
STAGE_NAMES = tuple(STAGES)


def _derivation_line(derivations_dir: Path, name: str) -> Line:
    """Build a derivation (non-strict, so a failed step is counted), write it as Markdown and LaTeX, report the count."""
    from theory.derivations import DERIVATIONS, build

    d = build(name, strict=False)
    (derivations_dir / f"{name}.md").write_text(d.render())
    (derivations_dir / f"{name}.tex").write_text(d.render_tex())
    summary = d.summary()
    return checked(f"derivation: {name} ({', '.join(DERIVATIONS[name][2])})",
                   ", ".join(f"{v} {k}" for k, v in summary["kinds"].items() if v) + " steps, "
                   f"{len(summary['failures'])} failed" + ("".join(f"; {f}" for f in summary["failures"])),
                   at_most(len(summary["failures"]), 0), numbers=summary)


def _explorer_line(out: Path) -> Line:
    """Write the interactive explorer beside the figures and check it is one small, self-contained file."""
    from theory.explorer import write_explorer

    info = write_explorer(out / "explorer.html")
    return checked("explorer page (E3-E11, E18-E19)",
                   f"{info['path']}: {info['bytes']:,} bytes (limit {info['limit_bytes']:,}), "
                   f"{len(info['external'])} external reference(s)",
                   at_most(info["bytes"], info["limit_bytes"]), at_most(len(info["external"]), 0), numbers=info)


def reproduce(out_dir: str | Path = "figures", size: str = "default", only: list[str] | None = None,
              derivations_dir: str | Path | None = None, progress: bool | None = None, *, executor=None,
              results: str | None = None) -> dict:
    """Run every stage (or those named in ``only``) at ``size`` and return the report as a dict. The sweeps run
    on ``executor`` and keep their finished tasks in ``{results}.{sweep}.jsonl`` (see :mod:`theory.sweep`).

    Figures go to ``out_dir`` (PNG and PDF), derivations to ``derivations_dir``: by default the
    repository's ``derivations/`` beside the default ``figures/``, and ``out_dir/derivations`` for any
    other ``out_dir`` (so that ``--out DIR`` writes nothing outside DIR).
    """
    out = _writable_dir(out_dir, "--out")
    if results is not None:  # a prefix: each sweep writes {results}.{sweep}.jsonl beside it
        prefix = Path(results)
        if prefix.is_dir():
            raise InputError(f"--results: {prefix} is a folder; give a file prefix such as {prefix / 'run'}")
        _writable_dir(prefix.parent if str(prefix.parent) else ".", "--results")
    if derivations_dir is None:
        derivations_dir = out.parent / "derivations" if Path(out_dir) == Path("figures") else out / "derivations"
    ders = _writable_dir(derivations_dir, "--derivations-out")
    lines, seconds = run_stages(out, ders, size, only, progress, executor=executor, results=results)
    return summarise(lines, out, ders, size, seconds)


def run_stages(out: Path, ders: Path, size: str = "default", only: list[str] | None = None,
               progress: bool | None = None, *, executor=None, results: str | None = None) -> tuple[list[Line], dict[str, float]]:
    """The stages themselves: their report lines and the CPU seconds each took."""
    from tqdm import tqdm

    from theory._threads import blas_single_thread
    from theory.plots import save

    if size not in SIZES:
        raise InputError(f"size must be one of {SIZES}, got {size!r}")
    unknown = sorted(set(only or ()) - set(STAGE_NAMES))
    if unknown:
        raise InputError(f"--only: unknown stage(s) {unknown}; valid: {list(STAGE_NAMES)}")
    names = [n for n in STAGE_NAMES if not only or n in only]
    lines: list[Line] = []
    seconds = {}
    built: list[str] = []
    bar = tqdm(names, desc="reproduce", disable=None if progress is None else not progress, leave=False, file=sys.stderr)
    for name in bar:
        bar.set_postfix_str(name)
        tqdm.write(f"imagination reproduce: stage {name} ...", file=sys.stderr)  # a long stage is announced first
        start = time.process_time()
        try:
            stage = STAGES[name]
            with blas_single_thread():
                for derivation in stage.derivations:
                    lines.append(_derivation_line(ders, derivation))
                result = stage.run(size, executor=executor, results=results)
                lines += result.lines
                for figure, fig in stage.figures(result.data).items():
                    save(fig, out, figure)
                if name == "bound":
                    lines.append(_explorer_line(out))
        except Exception as err:  # a broken stage is a failed check, and the others still run
            lines.append(checked(f"stage {name}", f"raised {type(err).__name__}: {err}", at_most(1, 0)))
        seconds[name] = round(time.process_time() - start, 2)
        built += STAGES[name].derivations
        where = "" if executor is None else " in this process (the workers' share not counted)"
        tqdm.write(f"imagination reproduce: stage {name} done in {seconds[name]:.1f} s of CPU{where}", file=sys.stderr)
    if built:  # every derivation of the run in one document that pdflatex compiles as it is
        from theory.derivations import build, tex_document

        (ders / "derivations.tex").write_text(tex_document([build(n, strict=False) for n in built],
                                                           "The checked derivations of imagination-theory"))
    return lines, seconds


def _writable_dir(path: str | Path, option: str) -> Path:
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"{option} must be a folder, but {str(p)!r} is a file")
    try:
        p.mkdir(parents=True, exist_ok=True)
        probe = p / ".imagination-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        raise InputError(f"{option}: cannot write into {str(p)!r} ({err.strerror or err})") from None
    return p


def summarise(lines: list[Line], out: Path, ders: Path, size: str, seconds: dict) -> dict:
    """The report as plain data: every line, the counts, and the paper table."""
    checked_lines = [ln for ln in lines if ln.kind == "checked"]
    return {
        "out_dir": str(out),
        "derivations_dir": str(ders),
        "size": size,
        "lines": [ln.to_dict() for ln in lines],
        "checked": len(checked_lines),
        "held": sum(bool(ln.held) for ln in checked_lines),
        "failed": sum(not ln.held for ln in checked_lines),
        "measured": sum(ln.kind == "measured" for ln in lines),
        "paper_table": [ln.paper for ln in lines if ln.kind == "compared"],
        "cpu_seconds": seconds,
    }


def paper_table(rows: list[dict]) -> str:
    """The paper beside ours, as a Markdown table (also pasted into the user guide, `docs/guide/paper.md`)."""
    def num(v, digits: int) -> str:  # JSON turns infinities into null
        return "inf" if v is None or v == float("inf") else f"{v:.{digits}g}"

    head = "| quantity | paper | ours | ratio | verdict | why |\n|---|---|---|---|---|---|"
    body = [f"| {r['quantity']} | {num(r['paper'], 4)} | {num(r['ours'], 4)} | {num(r['ratio'], 3)} | {r['agree']} | "
            f"{r['why']} |" for r in rows]
    return "\n".join([head, *body])


def render(summary: dict) -> str:
    lines = [f"imagination reproduce ({summary['size']}): {summary['held']} of {summary['checked']} checks held, "
             f"{summary['failed']} failed, {summary['measured']} measurements "
             f"(figures in {summary['out_dir']}/, derivations in {summary['derivations_dir']}/)"]
    for ln in summary["lines"]:
        if ln["kind"] == "compared":  # these go in the paper table
            continue
        tag = ("checked" if ln["held"] else "FAILED") if ln["kind"] == "checked" else ln["kind"]
        lines.append(f"  [{tag}] {ln['name']}: {ln['detail']}")
        for c in ln.get("criteria", []):
            if not c["held"]:
                lines.append(f"      criterion not met: {c['statement']}")
    if summary["paper_table"]:
        lines += ["", "The paper beside ours:", paper_table(summary["paper_table"])]
    lines.append("  CPU seconds per stage: " + ", ".join(f"{k} {v}" for k, v in summary["cpu_seconds"].items()))
    return "\n".join(lines)
