"""The three kinds of line a check reports, and the criteria a verdict is computed from.

* ``checked``: a criterion stated in the line and computed from the measured numbers; it can fail,
  and the stage fails with it. Every criterion knows a perturbation of its inputs that must make it
  fail (a bound scaled below a gap, an exponent shifted past its tolerance, a worse split), so the
  tests prove that no verdict is a constant.
* ``measured``: an experiment whose numbers are reported, with no verdict.
* ``compared``: ours beside the paper's, with the ratio, agree or differ, and a one-line reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from theory.maths.bound import exceeds
from theory.results import NOT_JSON, Result

KINDS = ("checked", "measured", "compared")


@dataclass(frozen=True)
class Rule:
    """A named test on numbers, a sentence saying it, and a perturbation of its inputs that breaks it."""

    test: Callable[..., bool]
    perturb: Callable[..., dict]
    say: Callable[..., str]


def _never_exceeds_perturb(gaps, bounds, slack=0.0):
    gaps, bounds = np.asarray(gaps, float), np.asarray(bounds, float)
    finite = np.isfinite(bounds) & (gaps > 0)
    if finite.any():  # shrink every bound to half the tightest gap it covers
        scale = 0.5 * float(np.min(gaps[finite] / np.maximum(bounds[finite], 1e-300)))
        return {"gaps": gaps.tolist(), "bounds": (bounds * scale).tolist(), "slack": 0.0}
    return {"gaps": (np.where(np.isfinite(bounds), bounds, 0.0) * 2 + 1).tolist(), "bounds": bounds.tolist(), "slack": 0.0}


RULES: dict[str, Rule] = {
    "never_exceeds": Rule(
        lambda gaps, bounds, slack=0.0: not bool(np.any(exceeds(np.asarray(gaps, float), np.asarray(bounds, float),
                                                                np.asarray(slack, float)))),
        _never_exceeds_perturb,
        lambda gaps, bounds, slack=0.0: f"gap <= bound in all {np.size(gaps)} cases",
    ),
    "below": Rule(lambda value, limit: value < limit,
                  lambda value, limit: {"value": abs(limit) * 2 + 1, "limit": limit},
                  lambda value, limit: f"{value:.4g} < {limit:.4g}"),
    "at_most": Rule(lambda value, limit: value <= limit,
                    lambda value, limit: {"value": limit + max(abs(limit), 1.0), "limit": limit},
                    lambda value, limit: f"{value:.4g} <= {limit:.4g}"),
    "at_least": Rule(lambda value, limit: value >= limit,
                     lambda value, limit: {"value": limit - max(0.5 * abs(limit), 1e-3), "limit": limit},
                     lambda value, limit: f"{value:.4g} >= {limit:.4g}"),
    "near": Rule(lambda value, target, tol: abs(value - target) <= tol,
                 lambda value, target, tol: {"value": target + 2 * tol + 1e-12, "target": target, "tol": tol},
                 lambda value, target, tol: f"|{value:.4g} - {target:.4g}| <= {tol:.3g}"),
    "increasing": Rule(lambda values: bool(np.all(np.diff(values) > 0)),
                       lambda values: {"values": list(values)[::-1]},
                       lambda values: "increasing: " + ", ".join(f"{v:.4g}" for v in values)),
    "equals": Rule(lambda value, expected: value == expected,
                   lambda value, expected: {"value": not expected if isinstance(expected, bool) else f"not {expected}",
                                            "expected": expected},
                   lambda value, expected: f"{value} == {expected}"),
}


@dataclass(frozen=True)
class Criterion(Result):
    """One rule applied to measured numbers; its JSON has the rule, the ``statement`` in words and whether it
    ``held``."""

    json_properties = ("statement", "held")

    rule: str
    inputs: dict = field(metadata=NOT_JSON)

    def __post_init__(self):
        if self.rule not in RULES:
            raise KeyError(f"unknown rule {self.rule!r}; rules: {sorted(RULES)}")

    @property
    def held(self) -> bool:
        """Whether the rule holds for the inputs."""
        return bool(RULES[self.rule].test(**self.inputs))

    @property
    def statement(self) -> str:
        """The rule with its numbers, in words."""
        return RULES[self.rule].say(**self.inputs)

    def perturbed(self) -> Criterion:
        return Criterion(self.rule, RULES[self.rule].perturb(**self.inputs))


@dataclass(frozen=True)
class Line(Result):
    """One line of a report: ``checked`` (with criteria), ``measured`` or ``compared``."""

    json_properties = ("held",)

    kind: str
    name: str
    detail: str
    criteria: tuple[Criterion, ...] = ()
    numbers: dict = field(default_factory=dict)
    paper: dict | None = None  # for ``compared``: quantity, paper, ours, ratio, agree, why

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if (self.kind == "checked") != bool(self.criteria):
            raise ValueError("a checked line needs at least one criterion, and only a checked line has criteria")
        if (self.kind == "compared") != (self.paper is not None):
            raise ValueError("a compared line carries the paper's row, and only it")

    @property
    def held(self) -> bool | None:
        """For a checked line, whether every criterion holds; ``None`` otherwise."""
        return all(c.held for c in self.criteria) if self.kind == "checked" else None


def checked(name: str, detail: str, *criteria: Criterion, numbers: dict | None = None) -> Line:
    """A line whose verdict is computed from ``criteria`` (all must hold)."""
    return Line("checked", name, detail, tuple(criteria), numbers or {})


def measured(name: str, detail: str, numbers: dict | None = None) -> Line:
    """An experiment reported as measured: numbers, no verdict."""
    return Line("measured", name, detail, (), numbers or {})


def compared(quantity: str, paper_value: float, ours: float, why: str, *, factor: float = 3.0, detail: str = "",
             numbers: dict | None = None) -> Line:
    """Ours beside the paper's: ``agree`` when within ``factor`` of each other, else ``differ`` with ``why``."""
    ratio = ours / paper_value if paper_value else math.inf
    agree = bool(np.isfinite(ratio) and 1 / factor <= ratio <= factor)
    row = {"quantity": quantity, "paper": paper_value, "ours": ours, "ratio": ratio,
           "agree": "agree" if agree else "differ", "why": why, "factor": factor}
    text = detail or f"paper {paper_value:.4g}, ours {ours:.4g} (ratio {ratio:.3g}): {row['agree']}; {why}"
    return Line("compared", quantity, text, (), numbers or {}, row)


def below(value: float, limit: float) -> Criterion:
    return Criterion("below", {"value": float(value), "limit": float(limit)})


def at_most(value: float, limit: float) -> Criterion:
    return Criterion("at_most", {"value": float(value), "limit": float(limit)})


def at_least(value: float, limit: float) -> Criterion:
    return Criterion("at_least", {"value": float(value), "limit": float(limit)})


def near(value: float, target: float, tol: float) -> Criterion:
    return Criterion("near", {"value": float(value), "target": float(target), "tol": float(tol)})


def increasing(values) -> Criterion:
    return Criterion("increasing", {"values": [float(v) for v in values]})


def equals(value, expected) -> Criterion:
    return Criterion("equals", {"value": value, "expected": expected})


def never_exceeds(gaps, bounds, slack=0.0) -> Criterion:
    """No gap exceeds its bound (beyond round-off and ``slack``); infinite bounds always hold."""
    gaps = np.asarray(gaps, float).ravel()
    bounds = np.broadcast_to(np.asarray(bounds, float), gaps.shape)
    slack = np.broadcast_to(np.asarray(slack, float), gaps.shape)
    return Criterion("never_exceeds", {"gaps": gaps.tolist(), "bounds": bounds.tolist(), "slack": slack.tolist()})
