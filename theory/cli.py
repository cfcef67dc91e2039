"""The ``imagination`` command line: one thin subcommand per capability.

Every subcommand computes a JSON-ready dict; ``--json`` prints it as one JSON object
on standard output (``null`` for infinities), otherwise a short table is printed.
Bad input exits with status 2 and one line naming the parameter; no traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable

import numpy as np

from ._validate import InputError

Handler = Callable[[argparse.Namespace], dict]
_COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Handler, Callable[[dict], str]]] = {}


def command(name: str, help: str):
    """Register ``imagination NAME``: decorate ``(configure, run, render)`` triples."""

    def deco(cls):
        _COMMANDS[name] = (help, cls.configure, cls.run, cls.render)
        return cls

    return deco


def _clean(value):
    """Plain JSON values, recursively: NumPy scalars and arrays become Python ones, keys become strings,
    NaN and infinities become None (so the JSON is strict)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def table(rows: list[tuple[str, object]], title: str | None = None) -> str:
    """A two-column table for the human-readable output."""
    width = max(len(k) for k, _ in rows)
    lines = [title] if title else []
    for key, value in rows:
        if isinstance(value, float):
            value = "inf" if math.isinf(value) else f"{value:.6g}"
        elif value is None:
            value = "-"
        lines.append(f"  {key:<{width}}  {value}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    from . import commands  # noqa: F401  (registers the subcommands)

    parser = argparse.ArgumentParser(prog="imagination", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, configure, _, _) in _COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        configure(p)
        p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _, _, run, render = _COMMANDS[args.command]
    try:
        result = run(args)
    except InputError as err:
        print(f"imagination {args.command}: error: {err}", file=sys.stderr)
        return 2
    try:
        print(json.dumps(_clean(result), allow_nan=False) if args.json else render(result))
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (say, `head`) closed the pipe: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return int(result.get("exit_code", 0))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
