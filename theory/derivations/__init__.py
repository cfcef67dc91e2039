"""Step-by-step derivations: every step an asserted SymPy identity, or a stated inequality
with a numeric check that says on what it was checked. ``render()`` gives Markdown with LaTeX,
``render_tex()`` a LaTeX fragment (amsmath, one ``\\section`` per derivation) for slides and notes;
in Jupyter a derivation displays itself.

:data:`DERIVATIONS` lists them all with the labels of ``docs/theory.md`` they cover;
``imagination derive`` writes any of them, ``imagination reproduce`` writes all into ``derivations/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import functools
import importlib
import re

import sympy as sp

from theory.symbols import latex


class DerivationError(AssertionError):
    """A step of a derivation failed its check."""


def is_zero(expr: sp.Expr) -> bool:
    """True when ``expr`` simplifies to 0, piece by piece for a ``Piecewise``."""
    expr = sp.piecewise_fold(expr)
    pieces = list(expr.args) if isinstance(expr, sp.Piecewise) else [(expr, True)]
    for piece, cond in pieces:
        if isinstance(cond, sp.Eq):  # the piece only has to vanish where its condition holds
            sym = sorted(cond.free_symbols, key=str)[0]
            piece = piece.subs(sym, sp.solve(cond, sym)[0])
        for attempt in (
            sp.simplify,
            lambda e: sp.simplify(sp.powsimp(sp.expand(e), force=True)),
            lambda e: sp.simplify(sp.expand(sp.expand_power_base(sp.expand_power_exp(e), force=True))),
        ):
            result = attempt(piece)
            if result == 0 or isinstance(result, sp.ZeroMatrix):  # matrix identities simplify to a zero matrix
                break
        else:
            return False
    return True


#: What a step is, and nothing else: ``proved`` (SymPy establishes it for symbolic parameters), ``cited`` (a
#: named theorem with its reference, then a numeric illustration labelled as one), ``numeric`` (checked on a
#: stated set, which the step names) and ``definition`` (a name given to something, no claim).
KINDS = ("proved", "cited", "numeric", "definition")


@dataclass
class Step:
    title: str
    body: str  # Markdown with LaTeX
    kind: str  # one of KINDS
    check: str  # how it was checked: for "numeric" and "cited" it names the set


@dataclass
class Derivation:
    """Collects checked steps. A failed check raises :class:`DerivationError` at once when ``strict``;
    otherwise it is recorded in ``failures`` (and the step marked as failed), so a report can count it."""

    title: str
    steps: list[Step] = field(default_factory=list)
    strict: bool = True
    failures: list[str] = field(default_factory=list)

    def _fail(self, message: str) -> None:
        if self.strict:
            raise DerivationError(message)
        self.failures.append(message)

    def define(self, title: str, lhs: str, rhs: sp.Expr | str, note: str = "") -> None:
        rhs_tex = rhs if isinstance(rhs, str) else latex(rhs)
        self.steps.append(Step(title, f"$${lhs} = {rhs_tex}$$" + (f"\n\n{note}" if note else ""), "definition",
                               "a definition, no claim"))

    def identity(self, title: str, lhs: sp.Expr, rhs: sp.Expr, *, shown: str | None = None, note: str = "",
                 cases: dict | None = None, generic: bool = False, lhs_tex: str | None = None) -> None:
        """Assert ``lhs == rhs`` symbolically (shown as ``lhs_tex`` = the checked ``rhs`` when given, so the
        display is generated from what was checked); ``cases`` maps a label to substitutions checked one by one
        (substituted before unevaluated sums are evaluated). ``generic`` keeps only the generic piece of
        every ``Piecewise`` (the comparison is with a closed form valid off the special values)."""
        substitutions = cases or {"": {}}
        for label, subs in substitutions.items():
            diff = (lhs - rhs).subs(subs).doit()
            if generic:
                diff = diff.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[-1][0])
            if not is_zero(diff):
                self._fail(f"{self.title}: step '{title}' failed{' for ' + label if label else ''}")
        body = shown or f"$${lhs_tex if lhs_tex is not None else latex(lhs)} = {latex(rhs)}$$"
        if cases:  # finite instances are not a proof for every value: the step says which were checked
            how = f"SymPy simplifies the difference to 0 on the instances {', '.join(k for k in substitutions if k)} only"
            kind = "numeric"
        else:
            how, kind = "SymPy simplifies the difference to 0 for symbolic parameters", "proved"
        self.steps.append(Step(title, body + (f"\n\n{note}" if note else ""), kind, how))

    def limit(self, title: str, expr: sp.Expr, var: sp.Symbol, point, value, *, shown: str, note: str = "") -> None:
        """Assert ``lim_{var -> point} expr == value`` with SymPy's ``limit`` (symbolic parameters): a proved step."""
        if sp.simplify(sp.limit(expr, var, point) - value) != 0:
            self._fail(f"{self.title}: step '{title}' failed (the limit is not {value})")
        self.steps.append(Step(title, shown + (f"\n\n{note}" if note else ""), "proved",
                               "SymPy computes the limit for symbolic parameters"))

    def inequality(self, title: str, statement: str, spot_check: Callable[[], tuple[int, float]], note: str = "", *,
                   on: str | None = None, cite: str | None = None) -> None:
        """State an inequality; ``spot_check()`` returns ``(points tried, worst slack)``, slack >= 0 required (to
        rounding, 1e-9). With ``cite`` (a named theorem and its reference) the step is ``cited`` and the check
        an illustration; otherwise ``numeric``. ``on`` names the set checked (default: the count of points)."""
        points, worst = spot_check()
        if worst < -1e-9:
            self._fail(f"{self.title}: step '{title}' violated at a spot check (slack {worst:.3g})")
        where = on or f"{points} random points"
        slack = f"smallest slack {worst:.3g}" + (" (zero up to rounding)" if worst < 0 else "")
        if cite:
            self.steps.append(Step(title, statement + (f"\n\n{note}" if note else ""), "cited",
                                   f"{cite}; numeric illustration on {where}, {slack}"))
        else:
            self.steps.append(Step(title, statement + (f"\n\n{note}" if note else ""), "numeric",
                                   f"checked on {where}, {slack}"))

    def render(self) -> str:
        lines = [f"# {self.title}", ""]
        for n, step in enumerate(self.steps, 1):
            lines += [f"## Step {n}. {step.title}", "", step.body, "", f"*{step.kind.capitalize()}: {step.check}.*", ""]
        return "\n".join(lines)

    def render_tex(self, standalone: bool = False) -> str:
        """A LaTeX fragment (needs amsmath): one ``\\section``, a ``\\subsection*`` per step, displays as ``align*``;
        with ``standalone`` a complete document (:func:`tex_document`) that pdflatex compiles as it is."""
        if standalone:
            return tex_document([self], self.title)
        lines = [rf"\section{{{_tex_text(self.title)}}}", ""]
        for n, step in enumerate(self.steps, 1):
            body = re.sub(r"\$\$(.+?)\$\$", lambda m: "\\begin{align*}\n" + m.group(1).strip() + "\n\\end{align*}",
                          step.body, flags=re.S)
            lines += [rf"\subsection*{{Step {n}. {_tex_text(step.title, math=True)}}}", "", _tex_text(body, math=True), "",
                      rf"\emph{{{step.kind.capitalize()}: {_tex_text(step.check)}.}}", ""]
        return "\n".join(lines)

    def displays(self) -> list[str]:
        """Every displayed equation, in order (each belongs to a checked step)."""
        return [m.strip() for step in self.steps for m in re.findall(r"\$\$(.+?)\$\$", step.body, flags=re.S)]

    def _repr_markdown_(self) -> str:
        return self.render()

    def _repr_latex_(self) -> str:
        return "\n".join(f"$${eq}$$" for eq in self.displays())

    def summary(self) -> dict:
        """The title, the count of steps of each kind, and the failures."""
        return {"title": self.title, "steps": len(self.steps),
                "kinds": {k: sum(s.kind == k for s in self.steps) for k in KINDS}, "failures": list(self.failures)}


TEX_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2.2cm]{geometry}
\usepackage[hidelinks]{hyperref}
\allowdisplaybreaks
\sloppy
\emergencystretch=3em
"""


def tex_document(derivations: list[Derivation], title: str) -> str:
    """A complete LaTeX document (T1 fonts, amsmath, amssymb, hyperref) with one section per derivation."""
    body = "\n\n".join(d.render_tex() for d in derivations)
    return (TEX_PREAMBLE + f"\\title{{{_tex_text(title)}}}\n\\date{{}}\n\\begin{{document}}\n\\maketitle\n\n"
            + body + "\n\\end{document}\n")


_TEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "^": r"\textasciicircum{}",
                 "~": r"\textasciitilde{}", "{": r"\{", "}": r"\}", "/": r"/\allowbreak{}"}


def _tex_text(text: str, math: bool = False) -> str:
    """Escape LaTeX specials outside math (``$...$`` and display environments are left alone)."""
    if not math:
        return "".join(_TEX_SPECIALS.get(ch, ch) for ch in text)
    parts = re.split(r"(\\begin\{align\*\}.*?\\end\{align\*\}|\$[^$]+\$)", text, flags=re.S)
    return "".join(p if p.startswith(("$", "\\begin")) else _tex_text(p.replace("**", "")) for p in parts)


#: name -> (module, function, labels of docs/theory.md covered)
DERIVATIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "bound": ("bound", "derive_bound", ("E1", "E2", "E3", "E4", "E5")),
    "sensitivity": ("sensitivity", "derive_sensitivity", ("E6",)),
    "allocation": ("allocation", "derive_allocation", ("E7", "E8", "E9", "E9b", "E10", "E11")),
    "fitting": ("fitting", "derive_fitting", ("E7", "E12")),
    "straightening": ("straightening", "derive_straightening", ("E13", "E14", "E14b")),
    "reinforce": ("reinforce", "derive_reinforce", ("E15", "E16", "E16b", "E17", "E20")),
    "noise_budget": ("noise", "derive_noise_budget", ("E18", "E19")),
    "hierarchy": ("hierarchy", "derive_hierarchy", ("E3",)),
}


def build(name: str, strict: bool = True) -> Derivation:
    """Build the derivation ``name`` of :data:`DERIVATIONS` (every step checked as it is added). Built once per
    process: the checks are deterministic and SymPy is slow, so a second request reuses the first."""
    d = _built(name)
    if strict and d.failures:
        raise DerivationError(d.failures[0])
    return d


@functools.cache
def _built(name: str) -> Derivation:
    module, function, _ = DERIVATIONS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)(strict=False)
