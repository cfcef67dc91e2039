"""Step-by-step derivations: every step an asserted SymPy identity, or a stated inequality
with a numeric spot check. ``render()`` gives Markdown with LaTeX for teaching.

The scripts in the top-level ``derivations/`` folder only call these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
            if attempt(piece) == 0:
                break
        else:
            return False
    return True


@dataclass
class Step:
    title: str
    body: str  # Markdown with LaTeX
    kind: str  # "definition", "identity", "inequality", "note"
    check: str  # how it was checked


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
        self.steps.append(Step(title, f"$${lhs} = {rhs_tex}$$" + (f"\n\n{note}" if note else ""), "definition", "definition"))

    def identity(self, title: str, lhs: sp.Expr, rhs: sp.Expr, *, shown: str | None = None, note: str = "",
                 cases: dict | None = None, generic: bool = False) -> None:
        """Assert ``lhs == rhs`` symbolically; ``cases`` maps a label to substitutions checked one by one
        (substituted before unevaluated sums are evaluated). ``generic`` keeps only the generic piece of
        every ``Piecewise`` (the comparison is with a closed form valid off the special values)."""
        substitutions = cases or {"": {}}
        for label, subs in substitutions.items():
            diff = (lhs - rhs).subs(subs).doit()
            if generic:
                diff = diff.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[-1][0])
            if not is_zero(diff):
                self._fail(f"{self.title}: step '{title}' failed{' for ' + label if label else ''}")
        body = shown or f"$${latex(lhs)} = {latex(rhs)}$$"
        how = "SymPy: difference simplifies to 0" + (f" for {', '.join(k for k in substitutions if k)}" if cases else "")
        self.steps.append(Step(title, body + (f"\n\n{note}" if note else ""), "identity", how))

    def inequality(self, title: str, statement: str, spot_check: Callable[[], tuple[int, float]], note: str = "") -> None:
        """State an inequality; ``spot_check()`` returns ``(points tried, worst slack)``, slack >= 0 required."""
        points, worst = spot_check()
        if worst < -1e-9:
            self._fail(f"{self.title}: step '{title}' violated at a spot check (slack {worst:.3g})")
        self.steps.append(Step(title, statement + (f"\n\n{note}" if note else ""), "inequality",
                               f"numeric spot check: {points} random points, smallest slack {worst:.3g} >= 0"))

    def note(self, title: str, text: str) -> None:
        self.steps.append(Step(title, text, "note", "argument in words"))

    def render(self) -> str:
        lines = [f"# {self.title}", ""]
        for n, step in enumerate(self.steps, 1):
            lines += [f"## Step {n}. {step.title}", "", step.body, "", f"*Checked: {step.check}.*", ""]
        return "\n".join(lines)

    def summary(self) -> dict:
        return {"title": self.title, "steps": len(self.steps),
                "identities": sum(s.kind == "identity" for s in self.steps),
                "inequalities": sum(s.kind == "inequality" for s in self.steps), "failures": list(self.failures)}
