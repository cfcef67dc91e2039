"""Argument types of the command line: every value is checked where it is parsed, so a bad one gives
argparse's one-line error naming the option (``argument --gamma: must lie in [0, 1], got 1.5``), exit 2."""

from __future__ import annotations

import argparse
import math

MAX_COUNT = 10**15


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if math.isnan(value):
        raise argparse.ArgumentTypeError("must be a number, got nan")
    return value


def real(low: float | None = None, high: float | None = None, *, open_low: bool = False, open_high: bool = False,
         finite: bool = True):
    """A float in ``[low, high]`` (ends open when asked); infinities refused unless ``finite=False``."""

    def parse(text: str) -> float:
        value = _number(text)
        if finite and math.isinf(value):
            raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
        bad_low = low is not None and (value <= low if open_low else value < low)
        bad_high = high is not None and (value >= high if open_high else value > high)
        if bad_low or bad_high:
            lo = "(" if open_low else "["
            hi = ")" if open_high else "]"
            raise argparse.ArgumentTypeError(
                f"must lie in {lo}{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}{hi}, "
                f"got {text}")
        return value

    return parse


def count(minimum: int = 0, maximum: int = MAX_COUNT):
    """A whole number in ``[minimum, maximum]``; ``1e3`` is accepted as 1000."""

    def parse(text: str) -> int:
        value = _number(text)
        if math.isinf(value) or value != math.floor(value):
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}")
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be a whole number in [{minimum}, {maximum:g}], got {text}")
        return int(value)

    return parse


seed = count(0, 2**63 - 1)
nonnegative = real(0.0)
positive = real(0.0, open_low=True)
probability = real(0.0, 1.0)


def horizon(text: str) -> str:
    """An integer >= 1 (up to 1e12) or ``inf``; kept as text for the maths' own parser."""
    if text.strip().lower() in ("inf", "infinity"):
        return "inf"
    count(1, 10**12)(text)
    return text


def deprecated(new: str):
    """An ``action=`` for an old flag kept for this release: it stores into the new flag's ``dest`` and says once,
    on standard error, which flag replaces it (``imagination verify-allocation: warning: --seeds is deprecated;
    use --seed-count``)."""
    import sys

    class Deprecated(argparse._StoreAction):
        def __call__(self, parser, namespace, values, option_string=None):
            print(f"{parser.prog}: warning: {option_string} is deprecated; use {new}", file=sys.stderr)
            super().__call__(parser, namespace, values, option_string)

    return Deprecated
