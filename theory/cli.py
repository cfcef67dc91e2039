"""The ``imagination`` command line: one thin subcommand per capability.

Every subcommand computes a JSON-ready dict; ``--json`` prints it as one JSON object
on standard output (``null`` for infinities), otherwise a short table is printed.
Bad input exits with status 2 and one line naming the parameter; no traceback. An unexpected
error prints one line asking for a report (the traceback only under ``--debug``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

from theory._validate import InputError
from theory._version import __version__
from theory.commands import INDEX, load, option


def _clean(value):
    """Strict JSON values (the one JSON path of :mod:`theory.results`)."""
    from theory.results import to_jsonable

    return to_jsonable(value)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2) naming the command."""

    def error(self, message: str):  # noqa: D401
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the subcommand named in ``argv`` (if any) is imported and configured."""
    parser = _Parser(prog="imagination", description=__doc__.splitlines()[0])
    option(parser, "version", action="version", version=f"imagination-theory {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    chosen = next((a for a in (argv or []) if not a.startswith("-")), None)
    for name, (_, help_text) in INDEX.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            load(name).configure(p)
            option(p, "json", action="store_true")
            option(p, "debug", action="store_true")
    return parser


def command_parser(name: str) -> argparse.ArgumentParser:
    """The configured parser of ``imagination NAME`` (its options and their help), for the references and tests."""
    parser = build_parser([name])
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]


def _one_line_warnings(command: str):
    def show(message, category, filename, lineno, file=None, line=None):
        print(f"imagination {command}: warning: {message}", file=sys.stderr)

    return show


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # the console script: figures are files here, never windows (the library picks no backend)
        os.environ.setdefault("MPLBACKEND", "Agg")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    cmd = load(args.command)
    from theory import _progress

    _progress.enable(f"imagination {args.command}")
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warnings(args.command)
        try:
            result = cmd.run(args)
        except InputError as err:
            print(f"imagination {args.command}: error: {err}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"imagination {args.command}: interrupted", file=sys.stderr)
            return 130
        except MemoryError:
            print(f"imagination {args.command}: error: out of memory; ask for a smaller problem", file=sys.stderr)
            return 2
        except Exception as err:  # noqa: BLE001  (the last line of defence: no traceback for users)
            if args.debug:
                raise
            print(f"imagination {args.command}: internal error ({type(err).__name__}: {err}); please report it "
                  f"with the command line: imagination {' '.join(argv)} (add --debug for the traceback)", file=sys.stderr)
            return 1
        finally:
            _progress.disable()
    try:
        print(json.dumps(_clean(result), allow_nan=False) if args.json else cmd.render(result))
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (say, `head`) closed the pipe: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return int(result.get("exit_code", 0))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
